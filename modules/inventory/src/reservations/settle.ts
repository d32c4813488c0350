import { newId } from '@emporium/platform';
import { sql } from 'kysely';
import type { CommitResult } from '../contract/index.ts';
import type { Trx } from '../db/tables.ts';
import type { InventoryContext } from '../inventory-context.ts';
import {
  DEFAULT_LOCATION,
  freeHeldLines,
  type Level,
  liveReserved,
  lockLevels,
  writeStockChanged,
} from '../stock/stock-rows.ts';
import { checkId } from './merge-lines.ts';

/** The reservation row, locked first (see lockLevel for the lock order), and its held lines' variants. */
async function lockReservation(trx: Trx, reservationId: string) {
  const reservation = await lockReservationRow(trx, reservationId);
  if (reservation?.status !== 'active') return { reservation, variantIds: [] };
  return { reservation, variantIds: await heldVariants(trx, reservationId) };
}

/** The variants of the reservation's lines still held. */
async function heldVariants(trx: Trx, reservationId: string): Promise<string[]> {
  const lines = await trx
    .selectFrom('inventory.reservation_lines')
    .select('variant_id')
    .where('reservation_id', '=', reservationId)
    .where('held', '=', true)
    .execute();
  return lines.map((l) => l.variant_id);
}

function lockReservationRow(trx: Trx, reservationId: string) {
  return trx
    .selectFrom('inventory.reservations')
    .select(['id', 'status', 'expires_at'])
    .where('id', '=', reservationId)
    .forUpdate()
    .executeTakeFirst();
}

/** Ends an active reservation without a sale: its held units go back to available stock. */
async function giveBack(
  ctx: InventoryContext,
  trx: Trx,
  reservationId: string,
  variantIds: readonly string[],
  now: Date,
  status: 'released' | 'expired',
): Promise<void> {
  await lockLevels(trx, variantIds, now);
  const freed = await freeHeldLines(trx, [reservationId], now);
  await trx
    .updateTable('inventory.reservations')
    .set({ status, settled_at: now })
    .where('id', '=', reservationId)
    .execute();
  await writeStockChanged(trx, ctx.clock, status, freed);
}

/**
 * The sale of an active, unexpired hold (its row locked), in two statements whatever its number of
 * lines: its stock rows locked in ascending variant order (see lockLevel), then one that ends its
 * held lines, takes their units off `on_hand` and `reserved`, records one `sale` adjustment per
 * variant and marks the reservation committed. Unlike lockLevel it leaves other holders' lapsed
 * lines to the sweep (they are not this sale's to free); the levels it answers discount them, as
 * readLevels does, so the event states what is available.
 */
async function sell(trx: Trx, reservationId: string, now: Date): Promise<Map<string, Level>> {
  const locked = await trx
    .selectFrom('inventory.stock_levels')
    .select('variant_id')
    .where('location_id', '=', DEFAULT_LOCATION)
    .where('variant_id', 'in', (eb) =>
      eb
        .selectFrom('inventory.reservation_lines')
        .select('variant_id')
        .where('reservation_id', '=', reservationId)
        .where('held', '=', true),
    )
    .orderBy('variant_id')
    .forUpdate()
    .execute();
  const variants = locked.map((r) => r.variant_id);
  const levels = new Map<string, Level>();
  const adjustmentIds = variants.map(() => newId('adj'));
  const rows = await sql<{ variant_id: string; on_hand: number; reserved: number }>`
    with sold as (
      update inventory.reservation_lines set held = false
      where reservation_id = ${reservationId} and held
      returning variant_id, quantity
    ), units as (
      select variant_id, sum(quantity)::integer as quantity from sold group by variant_id
    ), levels as (
      update inventory.stock_levels s
      set on_hand = s.on_hand - u.quantity, reserved = s.reserved - u.quantity,
          version = s.version + 1, updated_at = ${now}
      from units u
      where s.variant_id = u.variant_id and s.location_id = ${DEFAULT_LOCATION}
      returning s.variant_id, s.location_id, s.on_hand, s.reserved, u.quantity
    ), adjusted as (
      insert into inventory.adjustments
        (id, variant_id, kind, delta, on_hand_after, reason, actor, reservation_id, created_at)
      select a.id, l.variant_id, 'sale', -l.quantity, l.on_hand, 'sale', 'inventory', ${reservationId}, ${now}
      from levels l
      join unnest(${adjustmentIds}::text[], ${variants}::text[]) as a(id, variant_id) using (variant_id)
    ), settled as (
      update inventory.reservations set status = 'committed', settled_at = ${now}
      where id = ${reservationId}
    )
    select l.variant_id, l.on_hand, ${liveReserved('l.reserved', 'l.variant_id', 'l.location_id', now)} as reserved
    from levels l
    order by l.variant_id
  `.execute(trx);
  for (const row of rows.rows) levels.set(row.variant_id, { onHand: row.on_hand, reserved: row.reserved });
  return levels;
}

/**
 * Turns an active, unexpired hold into a sale. A hold found expired is given back (and the caller
 * told so) in the same transaction; a committed one answers ok again. In the caller's transaction
 * when given one (the caller nudges after its commit).
 */
export async function commit(
  ctx: InventoryContext,
  reservationId: string,
  callerTrx?: Trx,
): Promise<CommitResult> {
  checkId('/reservationId', reservationId);
  const now = ctx.clock.now();
  const run = async (trx: Trx): Promise<CommitResult> => {
    const reservation = await lockReservationRow(trx, reservationId);
    if (!reservation) return { ok: false, code: 'reservation_not_found' };
    switch (reservation.status) {
      case 'committed':
        return { ok: true };
      case 'released':
        return { ok: false, code: 'reservation_released' };
      case 'expired':
        return { ok: false, code: 'reservation_expired' };
      case 'active':
        break;
    }
    if (reservation.expires_at.getTime() <= now.getTime()) {
      await giveBack(ctx, trx, reservationId, await heldVariants(trx, reservationId), now, 'expired');
      return { ok: false, code: 'reservation_expired' };
    }
    const levels = await sell(trx, reservationId, now);
    await writeStockChanged(trx, ctx.clock, 'committed', levels);
    return { ok: true };
  };
  if (callerTrx) return run(callerTrx);
  const result = await ctx.db.transaction(run);
  ctx.nudge();
  return result;
}

/** Gives an active hold back; anything else (unknown, settled) is left as it is. */
export async function release(ctx: InventoryContext, reservationId: string): Promise<void> {
  checkId('/reservationId', reservationId);
  const now = ctx.clock.now();
  await ctx.db.transaction(async (trx) => {
    const { reservation, variantIds } = await lockReservation(trx, reservationId);
    if (reservation?.status !== 'active') return;
    const lapsed = reservation.expires_at.getTime() <= now.getTime();
    await giveBack(ctx, trx, reservationId, variantIds, now, lapsed ? 'expired' : 'released');
  });
  ctx.nudge();
}
