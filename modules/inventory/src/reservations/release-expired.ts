import { sql } from 'kysely';
import type { Reader } from '../db/tables.ts';
import type { InventoryContext } from '../inventory-context.ts';
import { type Level, lockLevel, writeStockChanged } from '../stock/stock-rows.ts';

/**
 * Up to `limit` active holds past their expiry, oldest first, locked (skipping those another sweep
 * holds). `active` is a literal so that a generic plan uses the partial index on expiry.
 */
export const expiredHolds = (trx: Reader, now: Date, limit: number) =>
  trx
    .selectFrom('inventory.reservations')
    .select('id')
    .where('status', '=', sql.lit('active'))
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .forUpdate()
    .skipLocked();

/** What one sweep did. */
export interface SweepReport {
  /** Reservations marked expired. */
  reservations: number;
  /** Held units given back to available stock by the sweep (holds already given back lazily excluded). */
  units: number;
}

/**
 * Marks active reservations past their expiry as expired and gives their held units back, in
 * batches of `batchSize`, each in its own transaction. Availability never waits for this: reads
 * and writes already ignore expired holds (see lockLevel and readLevels). The sweep tidies the
 * counters and statuses and tells consumers (a `stock.changed` event with reason `expired`) that
 * units came back. Several processes may sweep at once: each skips rows another has locked.
 */
export async function releaseExpired(
  ctx: InventoryContext,
  now: Date,
  batchSize = 500,
): Promise<SweepReport> {
  const report: SweepReport = { reservations: 0, units: 0 };
  for (;;) {
    const batch = await ctx.db.transaction(async (trx) => {
      const expired = await expiredHolds(trx, now, batchSize).execute();
      if (expired.length === 0) return { reservations: 0, units: 0 };
      const ids = expired.map((r) => r.id);
      const lines = await trx
        .selectFrom('inventory.reservation_lines')
        .select('variant_id')
        .distinct()
        .where('reservation_id', 'in', ids)
        .where('held', '=', true)
        .orderBy('variant_id')
        .execute();
      // Locking a stock row gives back every expired hold on it, these reservations' included.
      const levels = new Map<string, Level>();
      let units = 0;
      for (const { variant_id } of lines) {
        const level = await lockLevel(trx, variant_id, now);
        if (!level || level.expiredUnits === 0) continue;
        units += level.expiredUnits;
        levels.set(variant_id, { onHand: level.onHand, reserved: level.reserved });
      }
      await trx
        .updateTable('inventory.reservations')
        .set({ status: 'expired', settled_at: now })
        .where('id', 'in', ids)
        .execute();
      await writeStockChanged(trx, ctx.clock, 'expired', levels);
      return { reservations: ids.length, units };
    });
    report.reservations += batch.reservations;
    report.units += batch.units;
    if (batch.reservations < batchSize) break;
  }
  if (report.reservations > 0) {
    ctx.metrics.expired(report.reservations);
    ctx.nudge();
  }
  return report;
}
