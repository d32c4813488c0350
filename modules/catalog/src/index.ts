import type { InventoryService } from '@emporium/inventory/contract';
import type { EmporiumModule, ModulePorts } from '@emporium/platform';
import { subscribeCacheInvalidation } from './cache/cache-subscriber.ts';
import type { CatalogContext } from './catalog-context.ts';
import { registerCategoryRoutes } from './categories/category-routes.ts';
import { registerCollectionRoutes } from './collections/collection-routes.ts';
import type { CatalogService } from './contract/index.ts';
import type { CatalogTables } from './db/tables.ts';
import { createDocumentBackfill } from './products/document-backfill.ts';
import { registerProductRoutes } from './products/product-routes.ts';
import { registerVariantRoutes } from './products/variant-routes.ts';
import { createCatalogService } from './service/catalog-service.ts';
import { registerStoreRoutes } from './store/store-routes.ts';

export {
  type BulkCategory,
  type BulkProduct,
  bulkLoadProducts,
  ensureCategories,
  isCatalogEmpty,
  type LoadedProduct,
} from './bulk/bulk-load.ts';
export { catalogMigrations } from './catalog-migrations.ts';
export { catalogErrorCodes } from './errors.ts';

/** The services the catalog uses. */
export interface CatalogDependencies {
  /** Availability of variants for the store's `available`; the catalog calls nothing else. */
  inventory: Pick<InventoryService, 'available'>;
}

export interface CatalogOptions {
  /** The currency of the store's `price` when a request names none. Default `usd`. */
  defaultCurrency?: string;
  /**
   * How long the store reuses a product's availability, in ms (0: ask the inventory on every
   * request). Default 5000; see store/availability.ts for the measurement behind it.
   */
  availabilityTtlMs?: number;
}

/**
 * The catalog module: admin routes for products, variants, categories and collections; store
 * routes for a product by handle and the category tree; a cache invalidation subscriber; a
 * backfill of stored product documents at start (products/document-backfill.ts); and the
 * in-process `CatalogService` for other modules. Its migrations are `catalogMigrations`.
 *
 * @example
 * const inventory = createInventoryModule(ports);
 * const catalog = createCatalogModule(ports, { inventory: inventory.service });
 */
export function createCatalogModule(
  ports: ModulePorts,
  deps: CatalogDependencies,
  options: CatalogOptions = {},
): EmporiumModule & { service: CatalogService } {
  const ctx: CatalogContext = {
    db: ports.db.as<CatalogTables>(),
    cache: ports.cache,
    clock: ports.clock,
    bus: ports.bus,
    logger: ports.logger,
    inventory: deps.inventory,
    defaultCurrency: options.defaultCurrency ?? 'usd',
    availabilityTtlMs: options.availabilityTtlMs ?? 5000,
  };
  const service = createCatalogService(ctx);
  const backfill = createDocumentBackfill(ctx.db.primary, ports.logger);
  return {
    name: 'catalog',
    service,
    async registerRoutes(app) {
      registerProductRoutes(app, ctx);
      registerVariantRoutes(app, ctx);
      registerCategoryRoutes(app, ctx);
      registerCollectionRoutes(app, ctx);
      registerStoreRoutes(app, ctx, service);
    },
    subscribe(bus) {
      subscribeCacheInvalidation(bus, { cache: ports.cache, db: ports.db });
    },
    async start() {
      backfill.start();
    },
    async stop() {
      await backfill.stop();
    },
  };
}
