import { createMemoryCache, type Database, migrate, systemClock } from '@emporium/platform';
import { type DatabaseKind, openTestDatabase } from '@emporium/testkit';
import type { CatalogContext } from '../../src/catalog-context.ts';
import type { CatalogTables } from '../../src/db/tables.ts';
import { catalogMigrations } from '../../src/index.ts';
import { createFakeInventory, type FakeInventory } from './fake-inventory.ts';

export interface CatalogDatabase {
  db: Database;
  ctx: CatalogContext;
  inventory: FakeInventory;
  nudges: () => number;
  close(): Promise<void>;
}

/**
 * A fresh migrated database of `kind` (real) and the catalog's internals on it, with a real
 * in-process cache, a counting stand-in for the bus (only `nudge`) and a FAKE inventory.
 */
export async function openCatalogDatabase(kind: DatabaseKind): Promise<CatalogDatabase> {
  const db = await openTestDatabase(kind);
  await migrate(db, [catalogMigrations]);
  const cache = createMemoryCache({ maxEntries: 1000 });
  const inventory = createFakeInventory();
  let nudged = 0;
  const ctx: CatalogContext = {
    db: db.as<CatalogTables>(),
    cache,
    clock: systemClock,
    bus: { nudge: () => void nudged++ },
    logger: { warn: () => {} },
    inventory,
    defaultCurrency: 'usd',
    availabilityTtlMs: 0,
  };
  return {
    db,
    ctx,
    inventory,
    nudges: () => nudged,
    async close() {
      await cache.close();
      await db.close();
    },
  };
}
