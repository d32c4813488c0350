import { hasService } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_CONSUMER } from '../src/cache/cache-subscriber.ts';
import type { CategoryDocument, ProductDocument } from '../src/contract/index.ts';
import { type CatalogPlatform, startCatalogPlatform } from './support/catalog-platform.ts';
import { productBody, unique } from './support/fixtures.ts';

// Real: PostgreSQL, Redis (shared cache, as in distributed mode), HTTP app, JWT auth, database
// event transport. FAKE: inventory.
describe.skipIf(!hasService('postgres') || !hasService('redis'))(
  'catalog routes on PostgreSQL and Redis',
  () => {
    let cp: CatalogPlatform;
    beforeAll(async () => {
      cp = await startCatalogPlatform({ database: 'postgres', cache: 'redis' });
    });
    afterAll(() => cp?.close());

    const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, headers = {}) =>
      cp.platform.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

    it('creates, publishes, serves with ETag and surrogate keys, and serves the update at once', async () => {
      const c = await inject(
        'POST',
        '/admin/categories',
        { name: 'Lamps', handle: unique('lamps') },
        cp.owner,
      );
      const category = c.json<{ category: CategoryDocument }>().category;
      const created = await inject(
        'POST',
        '/admin/products',
        productBody({ title: 'Desk Lamp', category_ids: [category.id] }),
        cp.owner,
      );
      expect(created.statusCode).toBe(201);
      const product = created.json<{ product: ProductDocument }>().product;
      expect(product.handle).toMatch(/^desk-lamp/);
      expect((await inject('GET', `/store/products/${product.handle}`)).statusCode).toBe(404);

      const published = await inject('POST', `/admin/products/${product.id}/publish`, undefined, {
        ...cp.owner,
        'if-match': '"1"',
      });
      expect(published.json()).toMatchObject({ product: { status: 'published', version: 2 } });
      const first = await inject('GET', `/store/products/${product.handle}`);
      expect(first.statusCode).toBe(200);
      expect(first.headers['surrogate-key']).toBe(`${product.id} ${category.id}`);
      const notModified = await inject('GET', `/store/products/${product.handle}`, undefined, {
        'if-none-match': String(first.headers.etag),
      });
      expect(notModified.statusCode).toBe(304);

      const stale = await inject(
        'PATCH',
        `/admin/products/${product.id}`,
        { title: 'Lost', version: 1 },
        cp.owner,
      );
      expect(stale.statusCode).toBe(409);
      const patched = await inject(
        'PATCH',
        `/admin/products/${product.id}`,
        { title: 'Floor Lamp', version: 2 },
        cp.owner,
      );
      expect(patched.json()).toMatchObject({ product: { title: 'Floor Lamp', version: 3 } });
      const after = await inject('GET', `/store/products/${product.handle}`, undefined, {
        'if-none-match': String(first.headers.etag),
      });
      expect(after.statusCode).toBe(200);
      expect(after.json()).toMatchObject({ product: { title: 'Floor Lamp' } });

      // The catalog's own subscriber handles each change event once (the backstop invalidation).
      await expect
        .poll(
          async () => {
            const { rows } = await sql<{ n: number }>`
            select count(*)::int as n from platform.processed_events where consumer = ${CACHE_CONSUMER}`.execute(
              cp.platform.ports.db.primary,
            );
            return rows[0]?.n;
          },
          { timeout: 10_000 },
        )
        .toBeGreaterThanOrEqual(4);
    });

    it('answers 401 without a token and 403 for a support agent writing', async () => {
      expect((await inject('POST', '/admin/products', productBody())).statusCode).toBe(401);
      const support = await cp.auth.headers({ roles: ['support'] });
      expect((await inject('POST', '/admin/products', productBody(), support)).statusCode).toBe(403);
    });
  },
);
