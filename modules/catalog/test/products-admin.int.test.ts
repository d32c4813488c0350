import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProductDocument } from '../src/contract/index.ts';
import { type CatalogPlatform, startCatalogPlatform } from './support/catalog-platform.ts';
import { productBody, unique } from './support/fixtures.ts';

// Real: PGlite, HTTP app, JWT auth, in-process LRU cache, database event transport.
// FAKE: inventory (fixed availability).
let cp: CatalogPlatform;
beforeAll(async () => {
  cp = await startCatalogPlatform();
});
afterAll(() => cp.close());

const inject = (
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  payload?: object,
  headers = {},
) =>
  cp.platform.app.inject({
    method,
    url,
    headers: { ...cp.owner, ...headers },
    ...(payload === undefined ? {} : { payload }),
  });

async function create(overrides: Record<string, unknown> = {}): Promise<ProductDocument> {
  const r = await inject('POST', '/admin/products', productBody(overrides));
  expect(r.statusCode, r.body).toBe(201);
  return r.json<{ product: ProductDocument }>().product;
}

describe('creating a product', () => {
  it('answers 201 with prefixed ids, a handle made from the title, version 1 and draft status', async () => {
    const r = await inject('POST', '/admin/products', productBody({ title: 'Crème Brûlée & Co Torch' }));
    expect(r.statusCode).toBe(201);
    const { product } = r.json<{ product: ProductDocument }>();
    expect(product.id).toMatch(/^prod_[0-9a-z]{26}$/);
    expect(product.handle).toBe('creme-brulee-and-co-torch');
    expect(product).toMatchObject({ status: 'draft', version: 1, published_at: null });
    expect(product.attributes).toEqual({ material: 'linen', care: { wash: 30 } });
    expect(product.variants).toHaveLength(2);
    for (const v of product.variants) expect(v.id).toMatch(/^var_[0-9a-z]{26}$/);
    expect(product.variants[0]).toMatchObject({
      title: 'S',
      options: { Size: 'S' },
      weight_grams: 200,
      barcode: null,
    });
    expect(r.headers.etag).toBe('"1"');
  });

  it('adds a suffix when the generated handle is taken', async () => {
    const title = `Wool Scarf ${unique()}`;
    const first = await create({ title });
    const second = await create({ title });
    const third = await create({ title });
    expect(second.handle).toBe(`${first.handle}-2`);
    expect(third.handle).toBe(`${first.handle}-3`);
  });

  it('can be created published, with images and collections', async () => {
    const col = await inject('POST', '/admin/collections', { title: 'New in' });
    const collectionId = col.json<{ collection: { id: string } }>().collection.id;
    const product = await create({
      status: 'published',
      images: [{ url: '/media/shirt.jpg', width: 800, height: 600 }],
      collection_ids: [collectionId],
    });
    expect(product.status).toBe('published');
    expect(product.published_at).not.toBeNull();
    expect(product.images).toEqual([{ url: '/media/shirt.jpg', alt: '', width: 800, height: 600 }]);
    expect(product.collection_ids).toEqual([collectionId]);
  });

  it('refuses an unknown field, a malformed currency and a price that is not an integer with 422 and JSON paths', async () => {
    const body = productBody();
    const r = await inject('POST', '/admin/products', {
      ...body,
      colour: 'red',
      variants: [{ ...body.variants[0], prices: [{ amount: 10.5, currency_code: 'USD' }] }],
    });
    expect(r.statusCode).toBe(422);
    expect(r.headers['content-type']).toContain('application/problem+json');
    const problem = r.json<{ code: string; errors: Array<{ path: string }> }>();
    expect(problem.code).toBe('validation_failed');
    const paths = problem.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/colour',
        '/variants/0/prices/0/amount',
        '/variants/0/prices/0/currency_code',
      ]),
    );
  });

  it('refuses a currency that is not ISO 4217 and a second price in one currency', async () => {
    const body = productBody();
    const variant = {
      ...body.variants[0],
      prices: [
        { amount: 100, currency_code: 'xyz' },
        { amount: 100, currency_code: 'usd' },
        { amount: 200, currency_code: 'usd' },
      ],
    };
    const r = await inject('POST', '/admin/products', { ...body, variants: [variant] });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({
      code: 'validation_failed',
      errors: [
        { path: '/variants/0/prices/0/currency_code', message: expect.stringContaining('ISO 4217') },
        {
          path: '/variants/0/prices/2/currency_code',
          message: expect.stringContaining('one price per currency'),
        },
      ],
    });
  });

  it('refuses variants whose options do not match the product options, and repeated combinations', async () => {
    const body = productBody();
    const [s, m] = body.variants as unknown as [Record<string, unknown>, Record<string, unknown>];
    const r = await inject('POST', '/admin/products', {
      ...body,
      variants: [
        { ...s, options: { Size: 'XL' } },
        { ...m, options: { Size: 'M', Colour: 'Red' } },
        { ...s, sku: unique('SKU'), options: { Size: 'S' } },
        { ...s, sku: unique('SKU'), options: { Size: 'S' } },
        { ...s, sku: unique('SKU'), options: {} },
      ],
    });
    expect(r.statusCode).toBe(422);
    const errors = r.json<{ errors: Array<{ path: string; message: string }> }>().errors;
    expect(errors.map((e) => e.path)).toEqual([
      '/variants/0/options/Size',
      '/variants/1/options/Colour',
      '/variants/3/options',
      '/variants/4/options/Size',
    ]);
    expect(errors[0]?.message).toContain('"XL" is not a value of option "Size"');
  });

  it('refuses unknown category ids at their path', async () => {
    const r = await inject('POST', '/admin/products', productBody({ category_ids: ['cat_nope'] }));
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({ errors: [{ path: '/category_ids/0' }] });
  });

  it('answers 409 for a handle or a SKU that is taken, and writes nothing', async () => {
    const first = await create({ handle: unique('h') });
    const dupHandle = await inject('POST', '/admin/products', productBody({ handle: first.handle }));
    expect(dupHandle.statusCode).toBe(409);
    expect(dupHandle.json()).toMatchObject({
      code: 'handle_taken',
      detail: expect.stringContaining(first.handle),
    });

    const body = productBody();
    const sku = first.variants[0]?.sku;
    const dupSku = await inject('POST', '/admin/products', {
      ...body,
      variants: [{ ...body.variants[0], sku }],
    });
    expect(dupSku.statusCode).toBe(409);
    expect(dupSku.json()).toMatchObject({
      code: 'sku_taken',
      detail: `The SKU "${sku}" is already used by another variant; SKUs must be unique.`,
    });
  });
});

describe('reading and updating a product', () => {
  it('reads a product by id and answers 404 for an unknown one', async () => {
    const product = await create();
    const r = await inject('GET', `/admin/products/${product.id}`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ product });
    expect((await inject('GET', '/admin/products/prod_unknown')).statusCode).toBe(404);
  });

  it('applies a PATCH with the current version (If-Match or body) as version + 1, and refuses a stale one with 409', async () => {
    const product = await create();
    const fresh = await inject(
      'PATCH',
      `/admin/products/${product.id}`,
      { title: 'Renamed' },
      { 'if-match': '"1"' },
    );
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json()).toMatchObject({ product: { title: 'Renamed', version: 2 } });
    expect(fresh.headers.etag).toBe('"2"');

    const stale = await inject(
      'PATCH',
      `/admin/products/${product.id}`,
      { title: 'Lost update' },
      { 'if-match': '"1"' },
    );
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'version_conflict', current_version: 2 });

    const staleBody = await inject('PATCH', `/admin/products/${product.id}`, {
      title: 'Lost update',
      version: 1,
    });
    expect(staleBody.statusCode).toBe(409);

    const viaBody = await inject('PATCH', `/admin/products/${product.id}`, {
      description: 'New text',
      version: 2,
    });
    expect(viaBody.statusCode).toBe(200);
    expect(viaBody.json()).toMatchObject({
      product: { title: 'Renamed', description: 'New text', version: 3 },
    });
  });

  it('refuses an options change that existing variants no longer fit', async () => {
    const product = await create();
    const r = await inject('PATCH', `/admin/products/${product.id}`, {
      options: [{ title: 'Size', values: ['S', 'L'] }],
    });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({
      errors: [{ path: '/options', message: expect.stringContaining('"M"') }],
    });
  });

  it('publishes, unpublishes and archives, each a new version; a repeat changes nothing', async () => {
    const product = await create();
    const published = await inject('POST', `/admin/products/${product.id}/publish`);
    expect(published.json()).toMatchObject({ product: { status: 'published', version: 2 } });
    const again = await inject('POST', `/admin/products/${product.id}/publish`);
    expect(again.json()).toMatchObject({ product: { status: 'published', version: 2 } });
    const draft = await inject('POST', `/admin/products/${product.id}/unpublish`);
    expect(draft.json()).toMatchObject({ product: { status: 'draft', version: 3, published_at: null } });
    const archived = await inject('POST', `/admin/products/${product.id}/archive`, undefined, {
      'if-match': '"3"',
    });
    expect(archived.json()).toMatchObject({ product: { status: 'archived', version: 4 } });
    const stale = await inject('POST', `/admin/products/${product.id}/publish`, undefined, {
      'if-match': '"3"',
    });
    expect(stale.statusCode).toBe(409);
  });
});

describe('variants', () => {
  it('adds, changes, reprices and removes variants, each bumping the product version', async () => {
    const product = await create();
    const added = await inject('POST', `/admin/products/${product.id}/variants`, {
      sku: unique('SKU-L'),
      title: 'L',
      options: { Size: 'L' },
      prices: [{ amount: 3399, currency_code: 'usd' }],
    });
    expect(added.statusCode).toBe(201);
    const { variant } = added.json<{ variant: { id: string } }>();
    expect(added.json()).toMatchObject({ product: { version: 2 } });

    const clash = await inject('POST', `/admin/products/${product.id}/variants`, {
      sku: unique('SKU'),
      title: 'L again',
      options: { Size: 'L' },
      prices: [{ amount: 1, currency_code: 'usd' }],
    });
    expect(clash.statusCode).toBe(422);
    expect(clash.json()).toMatchObject({ errors: [{ path: '/options' }] });

    const renamed = await inject('PATCH', `/admin/products/${product.id}/variants/${variant.id}`, {
      title: 'Large',
    });
    expect(renamed.json()).toMatchObject({ variant: { title: 'Large' }, product: { version: 3 } });

    const repriced = await inject('PUT', `/admin/products/${product.id}/variants/${variant.id}/prices`, {
      prices: [{ amount: 999, currency_code: 'gbp' }],
    });
    expect(repriced.json()).toMatchObject({ variant: { prices: [{ amount: 999, currency_code: 'gbp' }] } });

    const takenSku = product.variants[0]?.sku;
    const dup = await inject('PATCH', `/admin/products/${product.id}/variants/${variant.id}`, {
      sku: takenSku,
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'sku_taken' });

    const listed = await inject('GET', `/admin/products/${product.id}/variants`);
    expect(listed.json<{ data: unknown[] }>().data).toHaveLength(3);

    const removed = await inject('DELETE', `/admin/products/${product.id}/variants/${variant.id}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json<{ product: ProductDocument }>().product.variants).toHaveLength(2);
    expect((await inject('GET', `/admin/products/${product.id}/variants/${variant.id}`)).statusCode).toBe(
      404,
    );
  });

  it('keeps the last variant', async () => {
    const body = productBody();
    const product = await create({ variants: [body.variants[0]] });
    const r = await inject('DELETE', `/admin/products/${product.id}/variants/${product.variants[0]?.id}`);
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ code: 'last_variant' });
  });
});

describe('permissions', () => {
  it('answers 401 without a token', async () => {
    for (const [method, url] of [
      ['GET', '/admin/products'],
      ['POST', '/admin/products'],
      ['POST', '/admin/categories'],
    ] as const) {
      const r = await cp.platform.app.inject({ method, url, payload: {} });
      expect(r.statusCode).toBe(401);
      expect(r.json()).toMatchObject({ code: 'unauthorized' });
    }
  });

  it('lets a support agent read but not write (403)', async () => {
    const support = await cp.auth.headers({ roles: ['support'] });
    const product = await create();
    const read = await cp.platform.app.inject({
      method: 'GET',
      url: `/admin/products/${product.id}`,
      headers: support,
    });
    expect(read.statusCode).toBe(200);
    const write = await cp.platform.app.inject({
      method: 'PATCH',
      url: `/admin/products/${product.id}`,
      headers: support,
      payload: { title: 'Nope' },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json()).toMatchObject({ code: 'forbidden' });
    const create403 = await cp.platform.app.inject({
      method: 'POST',
      url: '/admin/products',
      headers: support,
      payload: productBody(),
    });
    expect(create403.statusCode).toBe(403);
  });
});

describe('OpenAPI', () => {
  it('documents the catalog routes', async () => {
    const r = await cp.platform.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(r.statusCode).toBe(200);
    const paths = Object.keys(r.json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/admin/products',
        '/admin/products/{id}',
        '/admin/products/{id}/variants/{variantId}/prices',
        '/admin/categories/{id}',
        '/admin/collections',
        '/store/products/{handle}',
        '/store/categories',
      ]),
    );
  });
});
