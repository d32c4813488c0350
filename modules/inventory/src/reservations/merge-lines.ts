import type { ReservationLine } from '../contract/index.ts';
import { invalidInput } from '../errors.ts';
import { MAX_ON_HAND } from '../stock/stock-rows.ts';

/** Ids the inventory stores: a variant's or holder's id as the caller knows it. */
export function checkId(path: string, id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) {
    throw invalidInput(path, 'must be a string of 1 to 200 characters');
  }
}

/**
 * The lines of one reservation, one entry per variant (quantities of repeated variants added),
 * in ascending variant id: the order stock rows are locked in.
 */
export function mergeLines(lines: readonly ReservationLine[]): Map<string, number> {
  const merged = new Map<string, number>();
  lines.forEach((line, i) => {
    checkId(`/lines/${i}/variantId`, line.variantId);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_ON_HAND) {
      throw invalidInput(`/lines/${i}/quantity`, `must be an integer from 1 to ${MAX_ON_HAND}`);
    }
    merged.set(line.variantId, (merged.get(line.variantId) ?? 0) + line.quantity);
  });
  for (const [variantId, quantity] of merged) {
    if (quantity > MAX_ON_HAND)
      throw invalidInput('/lines', `ask for more than ${MAX_ON_HAND} of ${variantId}`);
  }
  return new Map([...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
