import { type Clock, writeEvents } from '@emporium/platform';
import { type Kysely, sql } from 'kysely';
import {
  inventoryEvents,
  type StockChanged,
  type StockChangeReason,
  type StockLevel,
} from '../contract/index.ts';
import type { InventoryTables, Reader, Trx } from '../db/tables.ts';

/** Every row lives at this location until the module learns about locations. */
export const DEFAULT_LOCATION = 'default';

/** Upper bound of on-hand stock, so that on_hand + delta never overflows a Postgres integer. */
export const MAX_ON_HAND = 1_000_000_000;

/** A stock row's numbers with only live (unexpired) holds in `reserved`. */
export interface Level {
  onHand: number;
  reserved: number;
}

/** A locked row's level, and how many expired held units locking it gave back. */
export interface LockedLevel extends Level {
  expiredUnits: number;
}

export const toStockLevel = (variantId: string, level: Level | undefined): StockLevel => {
  const onHand = level?.onHand ?? 0;
  const reserved = level?.reserved ?? 0;
  return { variantId, onHand, reserved, available: onHand - reserved };
};

/**
 * Locks a variant's stock row (creating it at 0 first when `create`), then gives back the units of
 * its held lines that have expired, so that the caller sees only live holds. Returns undefined when
 * there is no row (a variant never stocked).
 *
 * Lock order, the same everywhere so that transactions never deadlock: a holder's reservation
 * rows, then stock rows in ascending variant id, then reservation lines of a locked stock row.
 * A line's `held` flag only ever changes while its stock row is locked, so the units freed here
 * and the units freed by a concurrent release or sweep can never be counted twice. One exception
 * changes no count: a holder replacing its live hold by the same lines (reserve.ts) moves each
 * line's units to a new line in one transaction, only if no line was freed first.
 *
 * The row is locked by its own statement first (not inside the update below) on purpose: a
 * single `update … set reserved = reserved - (select sum …)` that waited for the lock would
 * recheck the row but not the subquery, and could subtract lines another transaction just freed.
 */
export async function lockLevel(
  trx: Trx,
  variantId: string,
  now: Date,
  create = false,
): Promise<LockedLevel | undefined> {
  if (create) {
    await trx
      .insertInto('inventory.stock_levels')
      .values({ variant_id: variantId, on_hand: 0, reserved: 0, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['variant_id', 'location_id']).doNothing())
      .execute();
  }
  const row = await trx
    .selectFrom('inventory.stock_levels')
    .select(['on_hand', 'reserved'])
    .where('variant_id', '=', variantId)
    .where('location_id', '=', DEFAULT_LOCATION)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  const freed = await freeExpiredLinesOf(trx, variantId, now).execute();
  const units = freed.reduce((sum, line) => sum + line.quantity, 0);
  if (units === 0) return { onHand: row.on_hand, reserved: row.reserved, expiredUnits: 0 };
  const updated = await trx
    .updateTable('inventory.stock_levels')
    .set((eb) => ({ reserved: eb('reserved', '-', units) }))
    .where('variant_id', '=', variantId)
    .where('location_id', '=', DEFAULT_LOCATION)
    .returning(['on_hand', 'reserved'])
    .executeTakeFirstOrThrow();
  return { onHand: updated.on_hand, reserved: updated.reserved, expiredUnits: units };
}

/**
 * Ends the variant's held lines past their expiry, returning their units. `held` is a literal so
 * that a generic plan uses the partial index of held lines by variant (a parameter would leave it a
 * scan of every line ever reserved).
 */
export const freeExpiredLinesOf = (trx: Kysely<InventoryTables>, variantId: string, now: Date) =>
  trx
    .updateTable('inventory.reservation_lines')
    .set({ held: false })
    .where('variant_id', '=', variantId)
    .where('location_id', '=', DEFAULT_LOCATION)
    .where('held', '=', sql.lit(true))
    .where('expires_at', '<=', now)
    .returning('quantity');

/** Locks the rows of `variantIds` in ascending order (see lockLevel); missing rows are left out. */
export async function lockLevels(
  trx: Trx,
  variantIds: Iterable<string>,
  now: Date,
): Promise<Map<string, Level>> {
  const levels = new Map<string, Level>();
  for (const variantId of [...new Set(variantIds)].sort()) {
    const level = await lockLevel(trx, variantId, now);
    if (level) levels.set(variantId, level);
  }
  return levels;
}

/**
 * Ends the holds of the lines still held by `reservationIds`: their units leave `reserved`.
 * The stock rows of those lines must already be locked. Returns the new level of each variant
 * whose units were freed.
 */
export async function freeHeldLines(
  trx: Trx,
  reservationIds: readonly string[],
  now: Date,
): Promise<Map<string, Level>> {
  const changed = new Map<string, Level>();
  if (reservationIds.length === 0) return changed;
  const freed = await trx
    .updateTable('inventory.reservation_lines')
    .set({ held: false })
    .where('reservation_id', 'in', reservationIds)
    .where('held', '=', true)
    .returning(['variant_id', 'quantity'])
    .execute();
  for (const [variantId, units] of sumByVariant(freed)) {
    const row = await trx
      .updateTable('inventory.stock_levels')
      .set((eb) => ({
        reserved: eb('reserved', '-', units),
        version: eb('version', '+', 1),
        updated_at: now,
      }))
      .where('variant_id', '=', variantId)
      .where('location_id', '=', DEFAULT_LOCATION)
      .returning(['on_hand', 'reserved'])
      .executeTakeFirstOrThrow();
    changed.set(variantId, { onHand: row.on_hand, reserved: row.reserved });
  }
  return changed;
}

/** Units per variant, in ascending variant order. */
export function sumByVariant(
  lines: ReadonlyArray<{ variant_id: string; quantity: number }>,
): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of [...lines].sort((a, b) => (a.variant_id < b.variant_id ? -1 : 1))) {
    sums.set(line.variant_id, (sums.get(line.variant_id) ?? 0) + line.quantity);
  }
  return sums;
}

/**
 * Stock levels as of `now`, outside any transaction. Held lines that have expired are subtracted
 * here even when no transaction has given them back yet, so a lapsed hold stops counting at
 * the moment it expires, whatever the sweep's timing. One statement, so one snapshot.
 */
/**
 * `reserved` of the stock row with columns `variant` and `location`, less the units of held lines
 * that lapsed by `now` but were not given back yet: what the holds still alive take.
 */
export function liveReserved(reserved: string, variant: string, location: string, now: Date) {
  return sql<number>`${sql.ref(reserved)} - coalesce((
    select sum(x.quantity) from inventory.reservation_lines x
    where x.variant_id = ${sql.ref(variant)} and x.location_id = ${sql.ref(location)}
      and x.held and x.expires_at <= ${now}
  ), 0)::integer`;
}

export async function readLevels(
  db: Reader,
  variantIds: readonly string[],
  now: Date,
): Promise<Map<string, Level>> {
  const levels = new Map<string, Level>();
  if (variantIds.length === 0) return levels;
  const rows = await sql<{ variant_id: string; on_hand: number; reserved: number }>`
    select s.variant_id, s.on_hand, ${liveReserved('s.reserved', 's.variant_id', 's.location_id', now)} as reserved
    from inventory.stock_levels s
    where s.location_id = ${DEFAULT_LOCATION}
      and s.variant_id in (${sql.join([...new Set(variantIds)])})
  `.execute(db);
  for (const row of rows.rows) levels.set(row.variant_id, { onHand: row.on_hand, reserved: row.reserved });
  return levels;
}

/** Writes one `inventory.stock.changed.v1` per variant, in the caller's transaction. */
export async function writeStockChanged(
  trx: Trx,
  clock: Clock,
  reason: StockChangeReason,
  levels: ReadonlyMap<string, Level>,
): Promise<void> {
  const events = [...levels].map(([variantId, level]) => {
    const { onHand, reserved, available } = toStockLevel(variantId, level);
    const payload: StockChanged = { variantId, onHand, reserved, available, reason };
    return { type: inventoryEvents.stockChanged, key: variantId, payload };
  });
  await writeEvents(trx, events, clock);
}
