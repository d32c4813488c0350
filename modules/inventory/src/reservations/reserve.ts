import { newId } from '@emporium/platform';
import { type RawBuilder, sql } from 'kysely';
import type { ReservationLine, ReserveResult } from '../contract/index.ts';
import type { Reader, ReservationStatus, Trx } from '../db/tables.ts';
import { invalidInput } from '../errors.ts';
import type { InventoryContext } from '../inventory-context.ts';
import {
  DEFAULT_LOCATION,
  freeHeldLines,
  type Level,
  lockLevels,
  toStockLevel,
  writeStockChanged,
} from '../stock/stock-rows.ts';
import { checkId, mergeLines } from './merge-lines.ts';

/**
 * The holder's active holds (locked) with their held lines, in one read. `active` and `true` are
 * literals, not parameters: a prepared statement's generic plan can use the partial indexes
 * (`where status = 'active'`, `where held`) only when their predicates are in the SQL itself, and
 * would otherwise scan every reservation ever made (generic-plans.int.test.ts).
 */
export const activeHoldsOf = (trx: Reader, holderId: string) =>
  trx
    .selectFrom('inventory.reservations as r')
    .leftJoin('inventory.reservation_lines as l', (join) =>
      join.onRef('l.reservation_id', '=', 'r.id').on('l.held', '=', sql.lit(true)),
    )
    .select(['r.id', 'r.expires_at', 'l.variant_id', 'l.quantity'])
    .where('r.holder_id', '=', holderId)
    .where('r.status', '=', sql.lit('active'))
    .forUpdate('r');

type Shortages = Extract<ReserveResult, { ok: false }>['shortages'];

/** Thrown inside the transaction to roll back every line (and the holder's released hold). */
class OutOfStock extends Error {
  readonly shortages: Shortages;
  constructor(shortages: Shortages) {
    super('out of stock');
    this.shortages = shortages;
  }
}

/** Thrown inside the transaction when the short way to replace a hold does not apply after all. */
class LongWay extends Error {}

/** True when `held` (lines still held) are exactly the merged `wanted` lines. */
function sameLines(
  held: ReadonlyArray<{ variant_id: string; quantity: number }>,
  wanted: ReadonlyMap<string, number>,
): boolean {
  return held.length === wanted.size && held.every((l) => wanted.get(l.variant_id) === l.quantity);
}

/** The hold a reserve writes: `wanted` units per variant for `holderId` until `expiresAt`. */
interface NewHold {
  id: string;
  holderId: string;
  wanted: ReadonlyMap<string, number>;
  expiresAt: Date;
  now: Date;
}

/**
 * The CTEs `hold` and `hold_lines` that write an active hold with its lines; the lines read the
 * hold, so it is written first. With `after` (a CTE's name), the hold is written only once that
 * CTE returned a row, and after it.
 */
function holdCtes({ id, holderId, wanted, expiresAt, now }: NewHold, after?: string): RawBuilder<unknown> {
  const source = after === undefined ? sql`` : sql`from ${sql.table(after)}`;
  return sql`
    hold as (
      insert into inventory.reservations (id, holder_id, status, expires_at, created_at)
      select ${id}, ${holderId}, 'active', ${expiresAt}, ${now} ${source}
      returning id
    ), hold_lines as (
      insert into inventory.reservation_lines (reservation_id, variant_id, quantity, expires_at)
      select hold.id, w.variant_id, w.quantity, ${expiresAt}
      from hold, unnest(${[...wanted.keys()]}::text[], ${[...wanted.values()]}::integer[]) as w(variant_id, quantity)
    )`;
}

/** Writes an active hold with its lines, in one statement. */
async function insertHold(trx: Trx, hold: NewHold): Promise<void> {
  await sql`with ${holdCtes(hold)} select id from hold`.execute(trx);
}

/**
 * Replaces the live hold `oldId` by a new hold of the same lines: the new hold takes over the old
 * one's units, so no stock row changes (the units held per variant are the same before and after
 * the commit). One statement ends the old hold and its lines and writes the new hold with its
 * lines; each insert reads the row written before it, so the old hold is released before the new
 * one (one active hold per holder) and the hold exists before its lines. A line that a transaction
 * holding its stock row freed as expired meanwhile cannot be taken over: then LongWay rolls the
 * attempt back, the new hold with it.
 */
async function takeOver(trx: Trx, oldId: string, heldLines: number, hold: NewHold): Promise<void> {
  const { id, now } = hold;
  const result = await sql<{ moved: number }>`
    with moved as (
      update inventory.reservation_lines set held = false
      where reservation_id = ${oldId} and held and expires_at > ${now}
      returning variant_id
    ), replaced as (
      update inventory.reservations
      set status = 'released', settled_at = ${now}, replaced_by = ${id}
      where id = ${oldId}
      returning id
    ), ${holdCtes(hold, 'replaced')}
    select count(*)::integer as moved from moved`.execute(trx);
  if (result.rows[0]?.moved !== heldLines) throw new LongWay();
}

/** The longest a hold may last: a week. */
export const MAX_TTL_MS = 7 * 24 * 3_600_000;

export function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_TTL_MS) {
    throw invalidInput('/ttlMs', `must be an integer from 1 to ${MAX_TTL_MS} (milliseconds)`);
  }
}

/**
 * Holds every line for `holderId`, or none. In one transaction: the holder's previous hold is
 * given back first (so its units count for the new one), then each line takes its units with a
 * single conditional update that cannot succeed without enough live stock. A short line rolls the
 * whole transaction back, so the previous hold survives a failed replacement.
 */
export async function reserve(
  ctx: InventoryContext,
  holderId: string,
  lines: readonly ReservationLine[],
  options: { ttlMs?: number } = {},
): Promise<ReserveResult> {
  checkId('/holderId', holderId);
  const ttlMs = options.ttlMs ?? ctx.reservationTtlMs;
  checkTtl(ttlMs);
  const wanted = mergeLines(lines);
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + ttlMs);
  const reservationId = newId('res');
  const newHold: NewHold = { id: reservationId, holderId, wanted, expiresAt, now };
  const hold = (fastPath: boolean) =>
    ctx.db.transaction(async (trx) => {
      // Two reserves for one holder queue here, so only one active hold per holder ever exists
      // (the partial unique index would otherwise fail the second one).
      await sql`select pg_advisory_xact_lock(hashtextextended(${`inventory.holder:${holderId}`}, 0))`.execute(
        trx,
      );
      const previousRows = await activeHoldsOf(trx, holderId).execute();
      const previous = [...new Map(previousRows.map((r) => [r.id, r])).values()];
      const previousIds = previous.map((r) => r.id);
      const previousLines = previousRows.flatMap((r) =>
        r.variant_id === null || r.quantity === null
          ? []
          : [{ variant_id: r.variant_id, quantity: r.quantity }],
      );
      const live = previous.length === 1 ? previous[0] : undefined;
      if (fastPath && live && live.expires_at > now && sameLines(previousLines, wanted)) {
        await takeOver(trx, live.id, previousLines.length, newHold);
        return;
      }

      const levels = await lockLevels(
        trx,
        [...previousLines.map((l) => l.variant_id), ...wanted.keys()],
        now,
      );
      const released = new Map<string, Level>();
      if (previousIds.length > 0) {
        for (const [variantId, level] of await freeHeldLines(trx, previousIds, now)) {
          levels.set(variantId, level);
          released.set(variantId, level);
        }
        await trx
          .updateTable('inventory.reservations')
          .set({
            status: sql<ReservationStatus>`case when expires_at <= ${now} then 'expired' else 'released' end`,
            settled_at: now,
            replaced_by: reservationId,
          })
          .where('id', 'in', previousIds)
          .execute();
      }

      const held = new Map<string, Level>();
      const shortages: Shortages = [];
      for (const [variantId, quantity] of wanted) {
        // The never-oversell guarantee: the row is only updated when enough is left, and the
        // check constraint (reserved <= on_hand) would refuse it even if this condition were wrong.
        const row = await trx
          .updateTable('inventory.stock_levels')
          .set((eb) => ({
            reserved: eb('reserved', '+', quantity),
            version: eb('version', '+', 1),
            updated_at: now,
          }))
          .where('variant_id', '=', variantId)
          .where('location_id', '=', DEFAULT_LOCATION)
          .where(sql<boolean>`on_hand - reserved >= ${quantity}`)
          .returning(['on_hand', 'reserved'])
          .executeTakeFirst();
        if (row) {
          held.set(variantId, { onHand: row.on_hand, reserved: row.reserved });
          released.delete(variantId);
        } else {
          const { available } = toStockLevel(variantId, levels.get(variantId));
          shortages.push({ variantId, requested: quantity, available });
        }
      }
      if (shortages.length > 0) throw new OutOfStock(shortages);

      await insertHold(trx, newHold);
      await writeStockChanged(trx, ctx.clock, 'reserved', held);
      await writeStockChanged(trx, ctx.clock, 'released', released);
    });
  try {
    await hold(true).catch((err: unknown) => {
      if (err instanceof LongWay) return hold(false);
      throw err;
    });
  } catch (err) {
    if (!(err instanceof OutOfStock)) throw err;
    ctx.metrics.reservation('out_of_stock');
    return { ok: false, code: 'out_of_stock', shortages: err.shortages };
  }
  ctx.metrics.reservation('held');
  ctx.nudge();
  return { ok: true, reservationId, expiresAt };
}
