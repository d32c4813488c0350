import type { EmporiumModule, ModulePorts } from '@emporium/platform';
import type { ShippingService } from './contract/index.ts';
import type { ShippingTables } from './db/tables.ts';
import { registerAdminRoutes } from './http/admin-routes.ts';
import { createOptionsCache } from './rates/options-cache.ts';
import { createShippingService } from './service/shipping-service.ts';
import type { ShippingContext } from './shipping-context.ts';

export { shippingErrorCodes } from './errors.ts';
export { shippingMigrations } from './shipping-migrations.ts';
export { loadShippingZones } from './zones/load-zones.ts';
export type { OptionInput, ZoneInput } from './zones/zone-writes.ts';

export type ShippingModule = EmporiumModule & { service: ShippingService };

/**
 * The shipping module: zones (sets of countries), options with flat, free-above-a-threshold or
 * weight-bracket prices, rates for a cart, and shipments (recorded by orders on fulfilment). Admin
 * routes under `/admin/shipping`. Other modules get `service` (ShippingService).
 *
 * @example
 * const shipping = createShippingModule(ports);
 * const cart = createCartModule(ports, { catalog: catalog.service, inventory: inventory.service, shipping: shipping.service });
 */
export function createShippingModule(ports: ModulePorts): ShippingModule {
  const ctx: ShippingContext = {
    db: ports.db.as<ShippingTables>(),
    clock: ports.clock,
    nudge: () => ports.bus.nudge(),
    options: createOptionsCache(ports.cache),
  };
  const service = createShippingService(ctx);
  return {
    name: 'shipping',
    service,
    async registerRoutes(app) {
      registerAdminRoutes(app, ctx, service);
    },
  };
}
