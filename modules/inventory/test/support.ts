import { type Database, ManualClock, migrate } from '@emporium/platform';
import { type DatabaseKind, openTestDatabase } from '@emporium/testkit';
import { sql } from 'kysely';
import type { InventoryService } from '../src/contract/index.ts';
import type { InventoryTables } from '../src/db/tables.ts';
import { inventoryMigrations } from '../src/index.ts';
import { type InventoryContext, noMetrics } from '../src/inventory-context.ts';
import { releaseExpired, type SweepReport } from '../src/reservations/release-expired.ts';
import { createInventoryService } from '../src/service/inventory-service.ts';

export interface TestInventory {
  db: Database<InventoryTables>;
  clock: ManualClock;
  service: InventoryService;
  sweep(batchSize?: number): Promise<SweepReport>;
  /** What the tables say, bypassing the service: the counters and the held lines behind them. */
  raw(variantId: string): Promise<{ onHand: number; reserved: number; heldUnits: number; ledgerSum: number }>;
  stockEvents(): Promise<Array<{ key: string; payload: { reason: string; available: number } }>>;
  close(): Promise<void>;
}

/**
 * The inventory's service on a real database of `kind` (a fresh copy, migrated here until the
 * server registers inventoryMigrations), with a ManualClock. Events go to the real outbox; no bus.
 */
export async function openInventory(kind: DatabaseKind, reservationTtlMs = 60_000): Promise<TestInventory> {
  const root = await openTestDatabase(kind);
  await migrate(root, [inventoryMigrations]);
  const db = root.as<InventoryTables>();
  const clock = new ManualClock();
  const ctx: InventoryContext = { db, clock, nudge: () => {}, reservationTtlMs, metrics: noMetrics };
  return {
    db,
    clock,
    service: createInventoryService(ctx),
    sweep: (batchSize) => releaseExpired(ctx, clock.now(), batchSize),
    async raw(variantId) {
      const r = await sql<{ on_hand: number; reserved: number; held: number; ledger: number }>`
        select
          coalesce((select on_hand from inventory.stock_levels where variant_id = ${variantId}), 0) as on_hand,
          coalesce((select reserved from inventory.stock_levels where variant_id = ${variantId}), 0) as reserved,
          coalesce((select sum(quantity) from inventory.reservation_lines where variant_id = ${variantId} and held), 0)::int as held,
          coalesce((select sum(delta) from inventory.adjustments where variant_id = ${variantId}), 0)::int as ledger
      `.execute(db.primary);
      const row = r.rows[0];
      if (!row) throw new Error('no row');
      return { onHand: row.on_hand, reserved: row.reserved, heldUnits: row.held, ledgerSum: row.ledger };
    },
    async stockEvents() {
      const r = await sql<{ key: string; payload: { reason: string; available: number } }>`
        select key, payload from platform.outbox where type = 'inventory.stock.changed.v1' order by id
      `.execute(db.primary);
      return r.rows;
    },
    close: () => root.close(),
  };
}

export const stock = (service: InventoryService, variantId: string, available: number) =>
  service.setAvailable(variantId, available, { actor: 'test', reason: 'test stock' });
