import { databaseKinds } from '@emporium/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CategoryDocument, ProductDocument } from '../src/contract/index.ts';
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

// The page is JSON text PostgreSQL builds (productDocumentJson): it must be the same document,
// field for field and in the same order, as the one the rest of the API answers.
describe.each(databaseKinds())('GET /admin/products documents on %s', (kind) => {
  it('are exactly the documents the product routes answer', async () => {
    const own = await startCatalogPlatform({ database: kind });
    try {
      const made: ProductDocument[] = [];
      for (const [i, status] of (['published', 'draft'] as const).entries()) {
        const r = await own.platform.app.inject({
          method: 'POST',
          url: '/admin/products',
          headers: own.owner,
          payload: productBody({ title: `Document check ${i}`, status }),
        });
        expect(r.statusCode, r.body).toBe(201);
        made.push(r.json<{ product: ProductDocument }>().product);
      }
      const r = await own.platform.app.inject({
        method: 'GET',
        url: '/admin/products?limit=5',
        headers: own.owner,
      });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toContain('application/json');
      const listed = r.json<Page>().data;
      for (const doc of listed) {
        const one = await own.platform.app.inject({
          method: 'GET',
          url: `/admin/products/${doc.id}`,
          headers: own.owner,
        });
        const product = one.json<{ product: ProductDocument }>().product;
        expect(doc).toEqual(product);
        expect(Object.keys(doc)).toEqual(Object.keys(product));
      }
      expect(listed.map((d) => d.status)).toEqual(['draft', 'published']);
      expect(listed[1]?.published_at).toEqual(made[0]?.published_at);
      expect(listed[1]?.published_at).not.toBeNull();
    } finally {
      await own.close();
    }
  });
});
