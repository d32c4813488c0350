import { AppError } from '@emporium/platform';
import type { StockLevel } from '../contract/index.ts';
import type { InventoryContext } from '../inventory-context.ts';
import { DEFAULT_LOCATION, readLevels, toStockLevel } from '../stock/stock-rows.ts';

/** Opaque to clients (base64url JSON), so the sort key can grow later without breaking them. */
const encodeCursor = (after: string): string => Buffer.from(JSON.stringify({ after })).toString('base64url');

function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const after: unknown = (
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown }
    )?.after;
    if (typeof after === 'string' && after.length > 0 && after.length <= 200) return after;
  } catch {
    // falls through to the 400 below
  }
  throw new AppError(
    'validation_failed',
    400,
    'The query string is invalid: /cursor is not from a previous page.',
    {
      extensions: {
        errors: [{ path: '/cursor', message: 'is not a cursor from a previous page of this list' }],
      },
    },
  );
}

/** A page of every stocked variant's level, by variant id (keyset: a deep page costs what page 1 does). */
export async function listLevels(
  ctx: InventoryContext,
  limit: number,
  cursor: string | undefined,
): Promise<{ data: StockLevel[]; nextCursor: string | null }> {
  const after = decodeCursor(cursor);
  let query = ctx.db.primary
    .selectFrom('inventory.stock_levels')
    .select('variant_id')
    .where('location_id', '=', DEFAULT_LOCATION)
    .orderBy('variant_id')
    .limit(limit + 1);
  if (after !== undefined) query = query.where('variant_id', '>', after);
  const ids = (await query.execute()).map((r) => r.variant_id);
  const page = ids.slice(0, limit);
  const levels = await readLevels(ctx.db.primary, page, ctx.clock.now());
  const last = page[page.length - 1];
  return {
    data: page.map((id) => toStockLevel(id, levels.get(id))),
    nextCursor: ids.length > limit && last !== undefined ? encodeCursor(last) : null,
  };
}
