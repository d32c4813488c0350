import { newId } from '@emporium/platform';
import type { CommitResult } from '../contract/index.ts';
import type { Trx } from '../db/tables.ts';
import type { InventoryContext } from '../inventory-context.ts';
import {
  DEFAULT_LOCATION,
  freeHeldLines,
  type Level,
  lockLevels,
  writeStockChanged,
} from '../stock/stock-rows.ts';
import { checkId } from './merge-lines.ts';

/** The reservation row, locked first (see lockLevel for the lock order), and its held lines' variants. */
async function lockReservation(trx: Trx, reservationId: string) {
  const reservation = await trx
    .selectFrom('inventory.reservations')
    .select(['id', 'status', 'expires_at'])
    .where('id', '=', reservationId)
    .forUpdate()
    .executeTakeFirst();
  if (reservation?.status !== 'active') return { reservation, variantIds: [] };
  const lines = await trx
    .selectFrom('inventory.reservation_lines')
    .select('variant_id')
    .where('reservation_id', '=', reservationId)
    .where('held', '=', true)
    .execute();
  return { reservation, variantIds: lines.map((l) => l.variant_id) };
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
 * Turns an active, unexpired hold into a sale. A hold found expired is given back (and the caller
 * told so) in the same transaction; a committed one answers ok again.
 */
export async function commit(ctx: InventoryContext, reservationId: string): Promise<CommitResult> {
  checkId('/reservationId', reservationId);
  const now = ctx.clock.now();
  const result = await ctx.db.transaction(async (trx): Promise<CommitResult> => {
    const { reservation, variantIds } = await lockReservation(trx, reservationId);
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
      await giveBack(ctx, trx, reservationId, variantIds, now, 'expired');
      return { ok: false, code: 'reservation_expired' };
    }
    await lockLevels(trx, variantIds, now);
    const sold = await trx
      .updateTable('inventory.reservation_lines')
      .set({ held: false })
      .where('reservation_id', '=', reservationId)
      .where('held', '=', true)
      .returning(['variant_id', 'quantity'])
      .execute();
    const levels = new Map<string, Level>();
    for (const line of sold.sort((a, b) => (a.variant_id < b.variant_id ? -1 : 1))) {
      const row = await trx
        .updateTable('inventory.stock_levels')
        .set((eb) => ({
          on_hand: eb('on_hand', '-', line.quantity),
          reserved: eb('reserved', '-', line.quantity),
          version: eb('version', '+', 1),
          updated_at: now,
        }))
        .where('variant_id', '=', line.variant_id)
        .where('location_id', '=', DEFAULT_LOCATION)
        .returning(['on_hand', 'reserved'])
        .executeTakeFirstOrThrow();
      levels.set(line.variant_id, { onHand: row.on_hand, reserved: row.reserved });
    }
    if (sold.length > 0) {
      await trx
        .insertInto('inventory.adjustments')
        .values(
          sold.map((line) => ({
            id: newId('adj'),
            variant_id: line.variant_id,
            kind: 'sale' as const,
            delta: -line.quantity,
            on_hand_after: levels.get(line.variant_id)?.onHand ?? 0,
            reason: 'sale',
            actor: 'inventory',
            reservation_id: reservationId,
            created_at: now,
          })),
        )
        .execute();
    }
    await trx
      .updateTable('inventory.reservations')
      .set({ status: 'committed', settled_at: now })
      .where('id', '=', reservationId)
      .execute();
    await writeStockChanged(trx, ctx.clock, 'committed', levels);
    return { ok: true };
  });
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
