import { databaseKinds } from '@emporium/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CategoryDocument, ProductDocument } from '../src/contract/index.ts';
import type { CatalogTables } from '../src/db/tables.ts';
import { createDocumentBackfill } from '../src/products/document-backfill.ts';
import { type CatalogPlatform, startCatalogPlatform } from './support/catalog-platform.ts';
import { productBody, unique } from './support/fixtures.ts';

// Real: PGlite, HTTP app, JWT auth, in-process cache. FAKE: inventory (unused here).
let cp: CatalogPlatform;
let shirts: CategoryDocument;
let created: ProductDocument[];
const titleWord = unique('zq');

beforeAll(async () => {
  cp = await startCatalogPlatform();
  const c = await cp.platform.app.inject({
    method: 'POST',
    url: '/admin/categories',
    headers: cp.owner,
    payload: { name: 'Shirts', handle: unique('shirts') },
  });
  shirts = c.json<{ category: CategoryDocument }>().category;
  created = [];
  for (let i = 0; i < 25; i++) {
    const r = await cp.platform.app.inject({
      method: 'POST',
      url: '/admin/products',
      headers: cp.owner,
      payload: productBody({
        title: `${i % 5 === 0 ? titleWord : 'Plain'} product ${i}`,
        status: i % 2 === 0 ? 'published' : 'draft',
        category_ids: i % 3 === 0 ? [shirts.id] : [],
      }),
    });
    created.push(r.json<{ product: ProductDocument }>().product);
  }
});
afterAll(() => cp.close());

type Page = { data: ProductDocument[]; next_cursor: string | null };
const list = async (query: string) => {
  const r = await cp.platform.app.inject({
    method: 'GET',
    url: `/admin/products?${query}`,
    headers: cp.owner,
  });
  return r;
};

async function walk(query: string, limit: number): Promise<{ pages: Page[]; ids: string[] }> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const r = await list(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(r.statusCode, r.body).toBe(200);
    const page = r.json<Page>();
    pages.push(page);
    cursor = page.next_cursor;
  } while (cursor !== null && pages.length < 100);
  return { pages, ids: pages.flatMap((p) => p.data.map((d) => d.id)) };
}

describe('GET /admin/products', () => {
  it('pages through every product once, newest first, in pages of the limit', async () => {
    const { pages, ids } = await walk('', 10);
    expect(pages.map((p) => p.data.length)).toEqual([10, 10, 5]);
    expect(pages.at(-1)?.next_cursor).toBeNull();
    expect(new Set(ids).size).toBe(25);
    expect(ids).toEqual(created.map((p) => p.id).reverse());
    expect(pages[0]?.data[0]?.variants).toHaveLength(2);
  });

  it('filters by status, by category (id or handle) and by title', async () => {
    const published = await walk('status=published', 10);
    expect(published.ids).toEqual(
      created
        .filter((p) => p.status === 'published')
        .map((p) => p.id)
        .reverse(),
    );

    const inShirts = created
      .filter((p) => p.category_ids.includes(shirts.id))
      .map((p) => p.id)
      .reverse();
    expect((await walk(`category=${shirts.id}`, 4)).ids).toEqual(inShirts);
    expect((await walk(`category=${shirts.handle}`, 100)).ids).toEqual(inShirts);

    const both = created.filter((p) => p.status === 'published' && p.category_ids.includes(shirts.id));
    expect((await walk(`category=${shirts.id}&status=published`, 2)).ids).toEqual(
      both.map((p) => p.id).reverse(),
    );

    const titled = created
      .filter((p) => p.title.startsWith(titleWord))
      .map((p) => p.id)
      .reverse();
    expect((await walk(`q=${titleWord.toUpperCase()}`, 2)).ids).toEqual(titled);
    expect((await walk(`q=${titleWord.slice(0, 2)}`, 10)).ids).toEqual(titled);
    expect((await walk('q=100%25', 10)).ids).toEqual([]);
    expect((await walk('category=no-such-category', 10)).ids).toEqual([]);
  });

  it('refuses a limit outside 1-100, an unknown filter and a forged cursor with 400', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'sort=price', 'status=sold', 'cursor=bm9wZQ']) {
      const r = await list(query);
      expect(r.statusCode, query).toBe(400);
      expect(r.json()).toMatchObject({ code: 'validation_failed' });
    }
    const r = await list('limit=0');
    expect(r.json()).toMatchObject({ errors: [{ path: '/limit' }] });
  });
});

// The page is each product's stored document (product-document.ts), rendered by PostgreSQL and
// rewritten by every change: it must be the same document, field for field and in the same order,
// as the one the rest of the API answers, after any change and for rows not rendered yet.
describe.each(databaseKinds())('GET /admin/products documents on %s', (kind) => {
  it('are exactly the documents the product routes answer, after changes, before and after the backfill', async () => {
    const own = await startCatalogPlatform({ database: kind });
    const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
      own.platform.app.inject({ method, url, headers: own.owner, ...(payload ? { payload } : {}) });
    try {
      const category = (
        await inject('POST', '/admin/categories', { name: 'Docs', handle: unique('docs') })
      ).json<{
        category: CategoryDocument;
      }>().category;
      const made: ProductDocument[] = [];
      for (const [i, status] of (['published', 'draft', 'draft'] as const).entries()) {
        const r = await inject(
          'POST',
          '/admin/products',
          productBody({ title: `Document check ${i}`, status }),
        );
        expect(r.statusCode, r.body).toBe(201);
        made.push(r.json<{ product: ProductDocument }>().product);
      }
      // Every kind of change rewrites the stored document: fields and links, a variant, a status.
      const [, second, third] = made;
      if (!second || !third) throw new Error('three products were made');
      const patched = await inject('PATCH', `/admin/products/${second.id}`, {
        version: second.version,
        title: 'Renamed',
        attributes: { material: 'wool' },
        category_ids: [category.id],
      });
      expect(patched.statusCode, patched.body).toBe(200);
      const added = await inject('POST', `/admin/products/${second.id}/variants`, {
        sku: unique('SKU-L').toUpperCase(),
        title: 'L',
        options: { Size: 'L' },
        prices: [{ amount: 3399, currency_code: 'usd' }],
      });
      expect(added.statusCode, added.body).toBe(201);
      expect((await inject('POST', `/admin/products/${third.id}/publish`)).statusCode).toBe(200);

      const listedAgainRoutes = async () => {
        const r = await inject('GET', '/admin/products?limit=5');
        expect(r.statusCode, r.body).toBe(200);
        expect(r.headers['content-type']).toContain('application/json');
        const listed = r.json<Page>().data;
        for (const doc of listed) {
          const product = (await inject('GET', `/admin/products/${doc.id}`)).json<{
            product: ProductDocument;
          }>().product;
          expect(doc).toEqual(product);
          expect(Object.keys(doc)).toEqual(Object.keys(product));
        }
        return listed;
      };
      const listed = await listedAgainRoutes();
      expect(listed.map((d) => d.status)).toEqual(['published', 'draft', 'published']);
      expect(listed[1]).toMatchObject({ title: 'Renamed', category_ids: [category.id], version: 3 });
      expect(listed[1]?.variants.map((v) => v.title)).toEqual(['S', 'M', 'L']);
      expect(listed[2]?.published_at).toEqual(made[0]?.published_at);
      expect(listed[2]?.published_at).not.toBeNull();

      // Rows written before documents were stored: the list assembles them, the backfill stores them.
      const db = own.platform.ports.db.as<CatalogTables>().primary;
      await db.updateTable('catalog.products').set({ document: null }).execute();
      expect(await listedAgainRoutes()).toEqual(listed);
      const backfill = createDocumentBackfill(db, own.platform.ports.logger, 2);
      backfill.start();
      await backfill.done();
      const missing = await db
        .selectFrom('catalog.products')
        .select('id')
        .where('document', 'is', null)
        .execute();
      expect(missing).toEqual([]);
      expect(await listedAgainRoutes()).toEqual(listed);
    } finally {
      await own.close();
    }
  });
});
