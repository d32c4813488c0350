import { createCatalogModule } from '@emporium/catalog';
import { createInventoryModule } from '@emporium/inventory';
import type { EmporiumModule, ModulePorts } from '@emporium/platform';
import { createSearchModule } from '@emporium/search';

/**
 * The modules the monolith mounts, built in dependency order so that each gets the services of
 * those it uses. Each module issue adds its module here (and its migrations in
 * migration-sources.ts).
 */
export function composeModules(ports: ModulePorts): EmporiumModule[] {
  const inventory = createInventoryModule(ports);
  const catalog = createCatalogModule(ports, { inventory: inventory.service });
  const search = createSearchModule(ports);
  return [inventory, catalog, search];
}
