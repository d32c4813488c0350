import type { EmporiumModule, ModulePorts } from '@emporium/platform';
import type { InventoryService } from './contract/index.ts';
import type { InventoryTables } from './db/tables.ts';
import { registerAdminRoutes } from './http/admin-routes.ts';
import type { InventoryContext, InventoryMetrics } from './inventory-context.ts';
import { createExpirySweeper } from './reservations/expiry-sweeper.ts';
import { releaseExpired, type SweepReport } from './reservations/release-expired.ts';
import { MAX_TTL_MS } from './reservations/reserve.ts';
import { createInventoryService } from './service/inventory-service.ts';

export { bulkSetOpeningStock } from './bulk/bulk-set-stock.ts';
export { inventoryErrorCodes } from './errors.ts';
export { inventoryMigrations } from './inventory-migrations.ts';
export type { SweepReport } from './reservations/release-expired.ts';

export interface InventoryOptions {
  /** How long a hold lasts when `reserve` is not told. Default 15 minutes. */
  reservationTtlMs?: number;
  /** How often `start()` sweeps expired holds. Default 30 s. Availability never waits for it. */
  sweepIntervalMs?: number;
  /** Reservations expired per sweep transaction. Default 500. */
  sweepBatchSize?: number;
}

export type InventoryModule = EmporiumModule & {
  service: InventoryService;
  /** Expires every active hold past its expiry as of `now` (default: the clock's now). Used by the sweep. */
  releaseExpired(now?: Date): Promise<SweepReport>;
};

/**
 * The inventory module: stock per variant, holds with expiry that never oversell, the admin routes
 * under `/admin/inventory` and a background sweep of expired holds (`start`/`stop`). Other modules
 * get `service` (InventoryService). Its migrations are `inventoryMigrations`.
 *
 * @example
 * const inventory = createInventoryModule(ports, { reservationTtlMs: 10 * 60_000 });
 * const catalog = createCatalogModule(ports, { inventory: inventory.service });
 */
export function createInventoryModule(ports: ModulePorts, options: InventoryOptions = {}): InventoryModule {
  checkOptions(options);
  const reservations = ports.metrics.counter(
    'inventory_reservations_total',
    'Stock holds asked for, by outcome (held or out_of_stock).',
    ['outcome'],
  );
  const expired = ports.metrics.counter(
    'inventory_reservations_expired_total',
    'Stock holds expired by the sweep.',
  );
  const metrics: InventoryMetrics = {
    reservation: (outcome) => reservations.inc({ outcome }),
    expired: (n) => expired.inc(n),
  };
  const ctx: InventoryContext = {
    db: ports.db.as<InventoryTables>(),
    clock: ports.clock,
    nudge: () => ports.bus.nudge(),
    reservationTtlMs: options.reservationTtlMs ?? 15 * 60_000,
    metrics,
  };
  const service = createInventoryService(ctx);
  const sweep = (now: Date = ports.clock.now()) => releaseExpired(ctx, now, options.sweepBatchSize ?? 500);
  const sweeper = createExpirySweeper(() => sweep(), options.sweepIntervalMs ?? 30_000, ports.logger);
  return {
    name: 'inventory',
    service,
    releaseExpired: sweep,
    async registerRoutes(app) {
      registerAdminRoutes(app, ctx, service);
    },
    async start() {
      sweeper.start();
    },
    async stop() {
      await sweeper.stop();
    },
  };
}

/** A bad option is the composition root's bug: fail at start-up, naming it. */
function checkOptions(options: InventoryOptions): void {
  const limits: Record<keyof InventoryOptions, [number, number]> = {
    reservationTtlMs: [1_000, MAX_TTL_MS],
    sweepIntervalMs: [10, 3_600_000],
    sweepBatchSize: [1, 10_000],
  };
  for (const [name, [min, max]] of Object.entries(limits)) {
    const value = options[name as keyof InventoryOptions];
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      throw new Error(`inventory option ${name} must be an integer from ${min} to ${max}, got ${value}`);
    }
  }
}
