import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_CONSUMER } from '../src/cache/cache-subscriber.ts';
import { storeProductKey } from '../src/cache/cache-tags.ts';
import type { CategoryDocument, ProductDocument, StoreProductDocument } from '../src/contract/index.ts';
import { type CatalogPlatform, startCatalogPlatform } from './support/catalog-platform.ts';
import { productBody, unique } from './support/fixtures.ts';

// Real: PGlite, HTTP app listening on 127.0.0.1 (store pages are fetched over a socket, so warm ones
// are answered by the warm path in front of the router), JWT auth, in-process LRU cache, database
// event transport.
// FAKE: inventory (availability set per test), its answers cached for 300 ms.
let cp: CatalogPlatform;
let base: string;
beforeAll(async () => {
  cp = await startCatalogPlatform({ availabilityTtlMs: 300 });
  await cp.platform.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(cp.platform.app.server.address() as AddressInfo).port}`;
});
afterAll(() => cp.close());

const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  cp.platform.app.inject({ method, url, headers: cp.owner, ...(payload === undefined ? {} : { payload }) });

/** A store GET over HTTP, read into the shape of an inject() response. */
async function store(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${url}`, { headers });
  const body = await res.text();
  return {
    statusCode: res.status,
    headers: Object.fromEntries(res.headers),
    body,
    json: <T = unknown>() => JSON.parse(body) as T,
  };
}

async function category(name: string, parent_id?: string): Promise<CategoryDocument> {
  const r = await admin('POST', '/admin/categories', {
    name,
    handle: unique('c'),
    ...(parent_id ? { parent_id } : {}),
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json<{ category: CategoryDocument }>().category;
}

/**
 * A new published product, once the catalog's subscriber has handled its creation's event: that
 * invalidates the product's cache entries again a moment after the create, and a test that reads
 * what the store caches wants that behind it.
 */
async function publishedProduct(overrides: Record<string, unknown> = {}): Promise<ProductDocument> {
  const r = await admin('POST', '/admin/products', productBody({ status: 'published', ...overrides }));
  expect(r.statusCode, r.body).toBe(201);
  const product = r.json<{ product: ProductDocument }>().product;
  await changesHandled(product.id);
  return product;
}

/** Resolves once the catalog's cache subscriber has handled every change event of the product. */
async function changesHandled(productId: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const { rows } = await sql<{ waiting: number }>`
          select count(*)::int as waiting from platform.outbox o
          where o.key = ${productId} and o.type = 'catalog.product.changed.v1'
            and not exists (select from platform.processed_events p
              where p.consumer = ${CACHE_CONSUMER} and p.event_id = o.id)`.execute(
          cp.platform.ports.db.primary,
        );
        return rows[0]?.waiting;
      },
      { timeout: 10_000 },
    )
    .toBe(0);
}

describe('GET /store/products/{handle}', () => {
  it('shows a published product with each variant price in the requested currency and its availability', async () => {
    const product = await publishedProduct();
    const [small, medium] = product.variants;
    cp.inventory.stock.set(small?.id ?? '', 4);
    const usd = await store(`/store/products/${product.handle}`);
    expect(usd.statusCode).toBe(200);
    const shown = usd.json<{ product: StoreProductDocument }>().product;
    expect(shown).toMatchObject({ id: product.id, title: product.title, currency_code: 'usd' });
    expect(shown.variants).toEqual([
      expect.objectContaining({
        id: small?.id,
        sku: small?.sku,
        title: 'S',
        options: { Size: 'S' },
        price: { amount: 2999, currency_code: 'usd' },
        available: true,
      }),
      expect.objectContaining({
        id: medium?.id,
        price: { amount: 3199, currency_code: 'usd' },
        available: false,
      }),
    ]);
    expect(shown.variants[0]?.prices).toHaveLength(2);

    const eur = await store(`/store/products/${product.handle}?currency=eur&utm_source=mail`);
    const eurVariants = eur.json<{ product: StoreProductDocument }>().product.variants;
    expect(eurVariants.map((v) => v.price)).toEqual([{ amount: 2799, currency_code: 'eur' }, null]);
    expect((await store(`/store/products/${product.handle}?currency=EUR`)).statusCode).toBe(400);
  });

  it('answers 404 for drafts, archived products and unknown handles, and shows a product once published', async () => {
    const r = await admin('POST', '/admin/products', productBody());
    const draft = r.json<{ product: ProductDocument }>().product;
    expect((await store(`/store/products/${draft.handle}`)).statusCode).toBe(404);
    expect((await store('/store/products/no-such-thing')).statusCode).toBe(404);
    expect((await store('/store/products/Not_A_Handle')).statusCode).toBe(404);

    await admin('POST', `/admin/products/${draft.id}/publish`);
    expect((await store(`/store/products/${draft.handle}`)).statusCode).toBe(200);

    await admin('POST', `/admin/products/${draft.id}/archive`);
    const archived = await store(`/store/products/${draft.handle}`);
    expect(archived.statusCode).toBe(404);
    expect(archived.json()).toMatchObject({ code: 'not_found' });
  });

  it('carries an ETag, answers 304 to If-None-Match, and is cacheable at the edge with surrogate keys', async () => {
    const shoes = await category('Shoes');
    const sale = await category('Sale');
    const product = await publishedProduct({ category_ids: [shoes.id, sale.id] });
    const first = await store(`/store/products/${product.handle}`);
    const etag = first.headers.etag;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers['cache-control']).toMatch(/s-maxage=\d+/);
    expect(first.headers['cache-control']).toMatch(/stale-while-revalidate=\d+/);
    expect(String(first.headers['surrogate-key']).split(' ')).toEqual([product.id, shoes.id, sale.id]);

    const again = await store(`/store/products/${product.handle}`, { 'if-none-match': String(etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves the new document and a new ETag right after an update (the cached document is invalidated)', async () => {
    const product = await publishedProduct({ title: 'Old title' });
    const before = await store(`/store/products/${product.handle}`);
    expect(before.json()).toMatchObject({ product: { title: 'Old title' } });
    const cache = cp.platform.ports.cache;
    expect(await cache.get(storeProductKey(product.handle))).toMatchObject({ title: 'Old title' });
    expect((await store(`/store/products/${product.handle}`)).headers.etag).toBe(before.headers.etag);

    const patched = await admin('PATCH', `/admin/products/${product.id}`, { title: 'New title' });
    expect(patched.statusCode).toBe(200);
    expect(await cache.get(storeProductKey(product.handle))).toBeUndefined();
    const after = await store(`/store/products/${product.handle}`, {
      'if-none-match': String(before.headers.etag),
    });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ product: { title: 'New title', version: 2 } });
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it('moves with a new handle: the old one answers 404 at once', async () => {
    const product = await publishedProduct();
    expect((await store(`/store/products/${product.handle}`)).statusCode).toBe(200);
    const handle = unique('moved');
    await admin('PATCH', `/admin/products/${product.id}`, { handle });
    expect((await store(`/store/products/${product.handle}`)).statusCode).toBe(404);
    expect((await store(`/store/products/${handle}`)).statusCode).toBe(200);
  });

  it('shows a product whose handle was cached as unknown as soon as it is created', async () => {
    const handle = unique('later');
    expect((await store(`/store/products/${handle}`)).statusCode).toBe(404);
    await publishedProduct({ handle });
    expect((await store(`/store/products/${handle}`)).statusCode).toBe(200);
  });

  it('reuses availability for a short while (one inventory call for many reads), then asks again', async () => {
    const product = await publishedProduct();
    const variant = product.variants[0]?.id ?? '';
    const callsFor = () => cp.inventory.calls.filter((ids) => ids.includes(variant)).length;
    const read = async () =>
      (await store(`/store/products/${product.handle}`)).json<{ product: StoreProductDocument }>().product
        .variants[0]?.available;
    expect(await Promise.all([read(), read(), read()])).toEqual([false, false, false]);
    expect(callsFor()).toBe(1);
    expect(cp.inventory.calls.at(-1)).toEqual(product.variants.map((v) => v.id));
    cp.inventory.stock.set(variant, 1);
    expect(await read()).toBe(false);
    await expect.poll(read, { timeout: 3000, interval: 100 }).toBe(true);
  });

  it('asks for availability again at once when the product changes', async () => {
    const product = await publishedProduct();
    const variant = product.variants[0]?.id ?? '';
    const read = async () =>
      (await store(`/store/products/${product.handle}`)).json<{ product: StoreProductDocument }>().product
        .variants[0]?.available;
    expect(await read()).toBe(false);
    cp.inventory.stock.set(variant, 5);
    await admin('PATCH', `/admin/products/${product.id}`, { description: 'Back in stock' });
    expect(await read()).toBe(true);
  });
});

describe('GET /store/categories', () => {
  it('answers the tree with children nested by rank, cacheable, and refreshed after a change', async () => {
    const root = await category(`Root ${unique()}`);
    const b = await admin('POST', '/admin/categories', { name: 'B', parent_id: root.id, rank: 2 });
    const a = await admin('POST', '/admin/categories', { name: 'A', parent_id: root.id, rank: 1 });
    expect(b.statusCode).toBe(201);
    const r = await store('/store/categories');
    expect(r.statusCode).toBe(200);
    expect(r.headers['surrogate-key']).toBe('categories');
    expect(r.headers['cache-control']).toContain('s-maxage=');
    const tree = r.json<{ data: Array<CategoryDocument & { children: CategoryDocument[] }> }>().data;
    const node = tree.find((n) => n.id === root.id);
    expect(node?.children.map((c) => c.name)).toEqual(['A', 'B']);

    await admin('PATCH', `/admin/categories/${a.json<{ category: CategoryDocument }>().category.id}`, {
      rank: 3,
    });
    const after = await store('/store/categories');
    const moved = after.json<{ data: Array<CategoryDocument & { children: CategoryDocument[] }> }>().data;
    expect(moved.find((n) => n.id === root.id)?.children.map((c) => c.name)).toEqual(['B', 'A']);
  });
});
