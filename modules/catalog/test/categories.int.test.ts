import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CategoryDocument, CollectionDocument, ProductDocument } from '../src/contract/index.ts';
import { type CatalogPlatform, startCatalogPlatform } from './support/catalog-platform.ts';
import { productBody, unique } from './support/fixtures.ts';

// Real: PGlite, HTTP app, JWT auth, in-process cache. FAKE: inventory (unused here).
let cp: CatalogPlatform;
beforeAll(async () => {
  cp = await startCatalogPlatform();
});
afterAll(() => cp.close());

const admin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  cp.platform.app.inject({ method, url, headers: cp.owner, ...(payload === undefined ? {} : { payload }) });

async function category(name: string, parent_id?: string): Promise<CategoryDocument> {
  const r = await admin('POST', '/admin/categories', { name, ...(parent_id ? { parent_id } : {}) });
  expect(r.statusCode, r.body).toBe(201);
  return r.json<{ category: CategoryDocument }>().category;
}

describe('categories', () => {
  it('creates a tree with handles from names and reads it back', async () => {
    const root = await category(`Apparel ${unique()}`);
    const child = await category('Outer Wear', root.id);
    expect(root.id).toMatch(/^cat_/);
    expect(child).toMatchObject({ handle: 'outer-wear', parent_id: root.id, rank: 0, description: '' });
    const again = await category('Outer Wear', root.id);
    expect(again.handle).toBe('outer-wear-2');
    const read = await admin('GET', `/admin/categories/${child.id}`);
    expect(read.json()).toEqual({ category: child });
    const children = await admin('GET', `/admin/categories?parent_id=${root.id}&limit=1`);
    const page = children.json<{ data: CategoryDocument[]; next_cursor: string | null }>();
    expect(page.data).toHaveLength(1);
    const rest = await admin('GET', `/admin/categories?parent_id=${root.id}&cursor=${page.next_cursor}`);
    expect(rest.json<{ data: CategoryDocument[] }>().data).toHaveLength(1);
  });

  it('refuses to move a category under itself or a descendant (no cycles), and moves it elsewhere', async () => {
    const a = await category('A');
    const b = await category('B', a.id);
    const c = await category('C', b.id);
    for (const parent_id of [a.id, c.id, b.id]) {
      const r = await admin('PATCH', `/admin/categories/${a.id}`, { parent_id });
      expect(r.statusCode).toBe(422);
      expect(r.json()).toMatchObject({ code: 'category_cycle', errors: [{ path: '/parent_id' }] });
    }
    const moved = await admin('PATCH', `/admin/categories/${c.id}`, { parent_id: a.id });
    expect(moved.json()).toMatchObject({ category: { id: c.id, parent_id: a.id } });
    const toRoot = await admin('PATCH', `/admin/categories/${b.id}`, { parent_id: null });
    expect(toRoot.json()).toMatchObject({ category: { parent_id: null } });
    const unknown = await admin('PATCH', `/admin/categories/${b.id}`, { parent_id: 'cat_nope' });
    expect(unknown.statusCode).toBe(422);
  });

  it('deletes only empty categories', async () => {
    const parent = await category('Parent');
    const child = await category('Child', parent.id);
    const withChild = await admin('DELETE', `/admin/categories/${parent.id}`);
    expect(withChild.statusCode).toBe(409);
    expect(withChild.json()).toMatchObject({ code: 'category_not_empty' });

    const product = await admin('POST', '/admin/products', productBody({ category_ids: [child.id] }));
    const withProduct = await admin('DELETE', `/admin/categories/${child.id}`);
    expect(withProduct.statusCode).toBe(409);
    const id = product.json<{ product: ProductDocument }>().product.id;
    const unlinked = await admin('PATCH', `/admin/products/${id}`, { category_ids: [] });
    expect(unlinked.statusCode, unlinked.body).toBe(200);
    expect((await admin('DELETE', `/admin/categories/${child.id}`)).statusCode).toBe(204);
    expect((await admin('DELETE', `/admin/categories/${parent.id}`)).statusCode).toBe(204);
    expect((await admin('GET', `/admin/categories/${parent.id}`)).statusCode).toBe(404);
  });

  it('answers 409 for a handle that is taken', async () => {
    const first = await category('Taken');
    const r = await admin('POST', '/admin/categories', { name: 'Other', handle: first.handle });
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ code: 'handle_taken' });
  });
});

describe('collections', () => {
  it('creates, lists, renames and deletes a collection, and products join it', async () => {
    const created = await admin('POST', '/admin/collections', { title: 'Summer Sale' });
    expect(created.statusCode).toBe(201);
    const collection = created.json<{ collection: CollectionDocument }>().collection;
    expect(collection).toMatchObject({ handle: expect.stringMatching(/^summer-sale/), title: 'Summer Sale' });
    expect(collection.id).toMatch(/^col_/);

    const renamed = await admin('PATCH', `/admin/collections/${collection.id}`, { title: 'Winter Sale' });
    expect(renamed.json()).toMatchObject({ collection: { title: 'Winter Sale' } });
    const listed = await admin('GET', '/admin/collections?limit=100');
    expect(listed.json<{ data: CollectionDocument[] }>().data.map((c) => c.id)).toContain(collection.id);

    const product = await admin('POST', '/admin/products', productBody({ collection_ids: [collection.id] }));
    expect(product.json()).toMatchObject({ product: { collection_ids: [collection.id] } });
    const id = product.json<{ product: ProductDocument }>().product.id;
    const inCollection = await admin('GET', `/admin/products?collection=${collection.id}`);
    expect(inCollection.json<{ data: ProductDocument[] }>().data.map((p) => p.id)).toEqual([id]);

    expect((await admin('DELETE', `/admin/collections/${collection.id}`)).statusCode).toBe(409);
    await admin('PATCH', `/admin/products/${id}`, { collection_ids: [] });
    expect((await admin('DELETE', `/admin/collections/${collection.id}`)).statusCode).toBe(204);
    expect((await admin('GET', `/admin/collections/${collection.id}`)).statusCode).toBe(404);
  });
});
