import { migrate } from '@emporium/platform';
import {
  createTestAuth,
  type DatabaseKind,
  startTestPlatform,
  type TestAuth,
  type TestPlatform,
} from '@emporium/testkit';
import type { CatalogService } from '../../src/contract/index.ts';
import { catalogMigrations, createCatalogModule } from '../../src/index.ts';
import { createFakeInventory, type FakeInventory } from './fake-inventory.ts';

export interface CatalogPlatform {
  platform: TestPlatform;
  auth: TestAuth;
  /** FAKE inventory (see fake-inventory.ts). */
  inventory: FakeInventory;
  service: CatalogService;
  /** Headers of an owner (every permission, second factor). */
  owner: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The real platform in-process (HTTP app, database, cache, event bus, JWT authentication with a
 * test key) with the catalog module mounted and migrated, and a FAKE inventory.
 */
export async function startCatalogPlatform(
  options: { database?: DatabaseKind; cache?: 'memory' | 'redis'; availabilityTtlMs?: number } = {},
): Promise<CatalogPlatform> {
  const auth = await createTestAuth();
  const inventory = createFakeInventory();
  let service: CatalogService | undefined;
  const platform = await startTestPlatform({
    database: options.database ?? 'pglite',
    cache: options.cache ?? 'memory',
    authenticator: auth.authenticator,
    compose: async (ports) => {
      // Until apps/server registers catalogMigrations, the test database lacks the catalog schema.
      await migrate(ports.db, [catalogMigrations]);
      const catalog = createCatalogModule(
        ports,
        { inventory },
        { availabilityTtlMs: options.availabilityTtlMs ?? 0 },
      );
      service = catalog.service;
      return [catalog];
    },
  });
  if (!service) throw new Error('the catalog module was not composed');
  return {
    platform,
    auth,
    inventory,
    service,
    owner: await auth.headers({ roles: ['owner'] }),
    close: () => platform.close(),
  };
}
