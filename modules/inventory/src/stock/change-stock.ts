import { newId } from '@emporium/platform';
import { sql } from 'kysely';
import type { AdjustResult, StockChange } from '../contract/index.ts';
import { invalidInput } from '../errors.ts';
import type { InventoryContext } from '../inventory-context.ts';
import { checkId } from '../reservations/merge-lines.ts';
import { DEFAULT_LOCATION, lockLevel, MAX_ON_HAND, toStockLevel, writeStockChanged } from './stock-rows.ts';

function checkReason(reason: string): string {
  const trimmed = typeof reason === 'string' ? reason.trim() : '';
  if (trimmed.length === 0 || trimmed.length > 200)
    throw invalidInput('/reason', 'must be 1 to 200 characters');
  return trimmed;
}

/**
 * Moves on-hand stock by `delta` (set: to what makes `available` what staff counted), writing the
 * ledger row and the event with it. The conditional update keeps on-hand between the live holds
 * and MAX_ON_HAND; when it cannot, nothing changes and the caller gets the current level.
 */
async function changeOnHand(
  ctx: InventoryContext,
  variantId: string,
  kind: 'adjust' | 'set',
  deltaFor: (level: { onHand: number; reserved: number }) => number,
  change: StockChange,
): Promise<AdjustResult> {
  const now = ctx.clock.now();
  const result = await ctx.db.transaction(async (trx): Promise<AdjustResult> => {
    const level = await lockLevel(trx, variantId, now, true);
    const current = toStockLevel(variantId, level);
    const delta = deltaFor(current);
    if (delta === 0) return { ok: true, level: current };
    const row = await trx
      .updateTable('inventory.stock_levels')
      .set((eb) => ({ on_hand: eb('on_hand', '+', delta), version: eb('version', '+', 1), updated_at: now }))
      .where('variant_id', '=', variantId)
      .where('location_id', '=', DEFAULT_LOCATION)
      .where(sql<boolean>`on_hand + ${delta} between reserved and ${MAX_ON_HAND}`)
      .returning(['on_hand', 'reserved'])
      .executeTakeFirst();
    if (!row) return { ok: false, code: 'stock_conflict', level: current };
    const after = { onHand: row.on_hand, reserved: row.reserved };
    await trx
      .insertInto('inventory.adjustments')
      .values({
        id: newId('adj'),
        variant_id: variantId,
        kind,
        delta,
        on_hand_after: row.on_hand,
        reason: change.reason,
        actor: change.actor,
        reservation_id: null,
        created_at: now,
      })
      .execute();
    await writeStockChanged(
      trx,
      ctx.clock,
      kind === 'adjust' ? 'adjusted' : 'set',
      new Map([[variantId, after]]),
    );
    return { ok: true, level: toStockLevel(variantId, after) };
  });
  if (result.ok) ctx.nudge();
  return result;
}

export function adjust(
  ctx: InventoryContext,
  variantId: string,
  delta: number,
  change: StockChange,
): Promise<AdjustResult> {
  checkId('/variantId', variantId);
  checkId('/actor', change.actor);
  if (!Number.isInteger(delta) || delta === 0 || Math.abs(delta) > MAX_ON_HAND) {
    throw invalidInput('/delta', `must be a non-zero integer between -${MAX_ON_HAND} and ${MAX_ON_HAND}`);
  }
  const reason = checkReason(change.reason);
  return changeOnHand(ctx, variantId, 'adjust', () => delta, { reason, actor: change.actor });
}

export function setAvailable(
  ctx: InventoryContext,
  variantId: string,
  available: number,
  change: Partial<StockChange> & Pick<StockChange, 'actor'>,
): Promise<AdjustResult> {
  checkId('/variantId', variantId);
  checkId('/actor', change.actor);
  if (!Number.isInteger(available) || available < 0 || available > MAX_ON_HAND) {
    throw invalidInput('/available', `must be an integer from 0 to ${MAX_ON_HAND}`);
  }
  const reason = checkReason(change.reason ?? 'set');
  return changeOnHand(ctx, variantId, 'set', (level) => level.reserved + available - level.onHand, {
    reason,
    actor: change.actor,
  });
}
