import type { CatalogService } from '@emporium/catalog/contract';
import type { InventoryService } from '@emporium/inventory/contract';
import type { EmporiumModule, ModulePorts } from '@emporium/platform';
import type { ShippingService } from '@emporium/shipping/contract';
import { LRUCache } from 'lru-cache';
import type { CartContext } from './cart-context.ts';
import type { CartService } from './contract/index.ts';
import type { CartTables } from './db/tables.ts';
import { registerAdminRoutes } from './http/admin-routes.ts';
import { registerStoreRoutes } from './http/store-routes.ts';
import { createCartReader } from './service/cart-rows.ts';
import { createCartService } from './service/cart-service.ts';
import { createTaxRates } from './tax/tax-rates.ts';

export { cartMigrations } from './cart-migrations.ts';
export { cartErrorCodes } from './errors.ts';
export { type CartOptions, loadCartSettings } from './settings.ts';

import type { CartOptions } from './settings.ts';

export { loadTaxRegions, type TaxRegion, type TaxRegionInput } from './tax/tax-regions.ts';

export interface CartDeps {
  catalog: CatalogService;
  inventory: InventoryService;
  shipping: ShippingService;
}

export type CartModule = EmporiumModule & { service: CartService };

/**
 * The cart module: carts with a bearer secret (or owned by a signed-in customer), lines priced
 * from the catalog, stock held while in the cart, shipping from the shipping module and tax by
 * destination (`/admin/tax-regions`). Other modules (checkout) get `service` (CartService).
 *
 * @example
 * const cart = createCartModule(ports, { catalog: catalog.service, inventory: inventory.service, shipping: shipping.service });
 */
export function createCartModule(ports: ModulePorts, deps: CartDeps, options: CartOptions = {}): CartModule {
  checkOptions(options);
  const db = ports.db.as<CartTables>();
  const ctx: CartContext = {
    db,
    readCart: createCartReader(db.primary),
    clock: ports.clock,
    nudge: () => ports.bus.nudge(),
    catalog: deps.catalog,
    inventory: deps.inventory,
    shipping: deps.shipping,
    taxRates: createTaxRates(db.primary, ports.cache),
    // ~200 bytes a cart: a few MB for the carts of a busy quarter of an hour.
    secretHashes: new LRUCache({ max: 20_000 }),
    reservationTtlMs: options.reservationTtlMs ?? 30 * 60_000,
    defaultCurrency: options.defaultCurrency ?? 'usd',
    maxLines: options.maxLines ?? 100,
  };
  const service = createCartService(ctx);
  return {
    name: 'cart',
    service,
    async registerRoutes(app) {
      registerStoreRoutes(app, ctx, service);
      registerAdminRoutes(app, ctx);
    },
  };
}

/** A bad option is the composition root's bug: fail at start-up, naming it. */
function checkOptions(options: CartOptions): void {
  const ttl = options.reservationTtlMs;
  // The inventory caps a hold at 24 hours.
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1_000 || ttl > 24 * 3_600_000)) {
    throw new Error(`cart option reservationTtlMs must be an integer from 1000 to 86400000, got ${ttl}`);
  }
  if (options.defaultCurrency !== undefined && !/^[a-z]{3}$/.test(options.defaultCurrency)) {
    throw new Error(
      `cart option defaultCurrency must be three lower-case letters, got ${options.defaultCurrency}`,
    );
  }
  const max = options.maxLines;
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 500)) {
    throw new Error(`cart option maxLines must be an integer from 1 to 500, got ${max}`);
  }
}
