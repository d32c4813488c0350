import { AppError, type EventBus, type EventEnvelope, type EventHandler } from '@emporium/platform';
import { databaseKinds } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_CONSUMER, subscribeCacheInvalidation } from '../src/cache/cache-subscriber.ts';
import { handleTag, storeProductKey, variantForSaleKey, variantTag } from '../src/cache/cache-tags.ts';
import { createCategory, updateCategory } from '../src/categories/category-commands.ts';
import type { ProductChanged, SurrogateKeysPurged } from '../src/contract/index.ts';
import { changeStatus } from '../src/products/change-status.ts';
import { createProduct, insertProduct } from '../src/products/create-product.ts';
import { createDocumentBackfill } from '../src/products/document-backfill.ts';
import { loadProduct } from '../src/products/load-products.ts';
import type { CreateProductBody } from '../src/products/product-schemas.ts';
import { updateProduct } from '../src/products/update-product.ts';
import { removeVariant, updateVariant } from '../src/products/variant-commands.ts';
import { createCatalogService } from '../src/service/catalog-service.ts';
import { type CatalogDatabase, openCatalogDatabase } from './support/catalog-database.ts';
import { productBody, unique } from './support/fixtures.ts';

const silentLogger = { info: () => {}, warn: () => {} };
const body = (overrides: Record<string, unknown> = {}) => productBody(overrides) as CreateProductBody;

describe.each(databaseKinds())('catalog on %s', (kind) => {
  let t: CatalogDatabase;
  beforeAll(async () => {
    t = await openCatalogDatabase(kind);
  });
  afterAll(() => t.close());

  const outbox = async (key: string) =>
    (
      await sql<{ type: string; payload: unknown }>`
        select type, payload from platform.outbox where key = ${key} order by id`.execute(t.db.primary)
    ).rows;

  it('writes a product and its events in one transaction: a rolled-back create leaves neither', async () => {
    let id = '';
    const failure = t.ctx.db.transaction(async (trx) => {
      const product = await insertProduct(trx, t.ctx, body());
      id = product.id;
      // Inside the transaction, the event is there with the product…
      const inside = await sql<{
        n: number;
      }>`select count(*)::int as n from platform.outbox where key = ${id}`.execute(trx);
      expect(inside.rows[0]?.n).toBe(1);
      throw new Error('roll back');
    });
    await expect(failure).rejects.toThrow('roll back');
    // …and both are gone with the rollback.
    expect(await outbox(id)).toEqual([]);
    const rows = await t.db.primary
      .selectFrom('catalog.products')
      .select('id')
      .where('id', '=', id)
      .execute();
    expect(rows).toEqual([]);
  });

  it('writes catalog.product.changed.v1 with the document and category names, and a purge for published products', async () => {
    const category = await createCategory(t.ctx, { name: 'Bags' });
    const nudgesBefore = t.nudges();
    const product = await createProduct(t.ctx, body({ status: 'published', category_ids: [category.id] }));
    expect(t.nudges()).toBe(nudgesBefore + 1);
    const events = await outbox(product.id);
    expect(events.map((e) => e.type)).toEqual([
      'catalog.product.changed.v1',
      'catalog.surrogate_keys.purged.v1',
    ]);
    const changed = events[0]?.payload as ProductChanged;
    expect(changed).toEqual({
      product,
      categories: [{ id: category.id, handle: category.handle, name: 'Bags' }],
      change: 'created',
      previous_handle: null,
      previous_variant_ids: [],
    });
    expect(events[1]?.payload as SurrogateKeysPurged).toEqual({ keys: [product.id, category.id] });
  });

  it('purges old and new categories and names the previous handle when a product moves', async () => {
    const from = await createCategory(t.ctx, { name: 'From' });
    const to = await createCategory(t.ctx, { name: 'To' });
    const product = await createProduct(t.ctx, body({ status: 'published', category_ids: [from.id] }));
    const handle = unique('new-handle');
    await updateProduct(t.ctx, product.id, 1, { category_ids: [to.id], handle });
    const events = await outbox(product.id);
    const [changed, purged] = events.slice(-2).map((e) => e.payload) as [ProductChanged, SurrogateKeysPurged];
    expect(changed).toMatchObject({
      change: 'updated',
      previous_handle: product.handle,
      product: { handle, version: 2 },
    });
    expect(purged.keys.sort()).toEqual([product.id, from.id, to.id].sort());
  });

  it('writes no purge for a draft that was never published, and no event for a repeated publish', async () => {
    const product = await createProduct(t.ctx, body());
    expect((await outbox(product.id)).map((e) => e.type)).toEqual(['catalog.product.changed.v1']);
    await changeStatus(t.ctx, product.id, undefined, 'publish');
    await changeStatus(t.ctx, product.id, undefined, 'publish');
    expect((await outbox(product.id)).map((e) => e.type)).toEqual([
      'catalog.product.changed.v1',
      'catalog.product.changed.v1',
      'catalog.surrogate_keys.purged.v1',
    ]);
  });

  it('lets exactly one of two concurrent creates with the same SKU succeed; the other is sku_taken', async () => {
    const first = body();
    const second = body();
    const sku = unique('RACE');
    const withSku = (b: CreateProductBody) => ({
      ...b,
      variants: [{ ...b.variants[0], sku } as CreateProductBody['variants'][number]],
    });
    const results = await Promise.allSettled([
      createProduct(t.ctx, withSku(first)),
      createProduct(t.ctx, withSku(second)),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason).toMatchObject({ code: 'sku_taken', status: 409 });
    const count = await t.db.primary
      .selectFrom('catalog.variants')
      .select('id')
      .where('sku', '=', sku)
      .execute();
    expect(count).toHaveLength(1);
  });

  it('lets exactly one of five concurrent updates of version 1 win; the others are version_conflict', async () => {
    const product = await createProduct(t.ctx, body());
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((n) => updateProduct(t.ctx, product.id, 1, { title: `Writer ${n}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'version_conflict' });
    }
    expect((await outbox(product.id)).filter((e) => e.type === 'catalog.product.changed.v1')).toHaveLength(2);
  });

  it('keeps the stored document equal to the product after concurrent changes and a backfill running beside them', async () => {
    const product = await createProduct(t.ctx, body());
    await t.db.primary
      .updateTable('catalog.products')
      .set({ document: null })
      .where('id', '=', product.id)
      .execute();
    const backfill = createDocumentBackfill(t.ctx.db.primary, silentLogger, 1);
    backfill.start();
    await Promise.all([
      ...[1, 2, 3, 4, 5, 6].map((n) => updateProduct(t.ctx, product.id, undefined, { title: `Writer ${n}` })),
      changeStatus(t.ctx, product.id, undefined, 'publish'),
      backfill.done(),
    ]);
    const stored = await t.db.primary
      .selectFrom('catalog.products')
      .select('document')
      .where('id', '=', product.id)
      .executeTakeFirstOrThrow();
    const current = await loadProduct(t.db.primary, product.id);
    expect(current?.version).toBe(8);
    expect(JSON.parse(stored.document ?? 'null')).toEqual(current);
  });

  it('refuses crossing category moves made at the same time (one of them would close a cycle)', async () => {
    const a = await createCategory(t.ctx, { name: 'A' });
    const b = await createCategory(t.ctx, { name: 'B' });
    const results = await Promise.allSettled([
      updateCategory(t.ctx, a.id, { parent_id: b.id }),
      updateCategory(t.ctx, b.id, { parent_id: a.id }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(AppError);
    expect(rejected.reason).toMatchObject({ code: 'category_cycle' });
  });

  it('serves the CatalogService: variants for sale in one batch, published products, the category tree', async () => {
    const service = createCatalogService(t.ctx);
    const published = await createProduct(t.ctx, body({ status: 'published' }));
    const draft = await createProduct(t.ctx, body());
    const ids = [...published.variants, ...draft.variants].map((v) => v.id);
    const forSale = await service.getVariantsForSale([...ids, 'var_unknown', ids[0] ?? '']);
    expect([...forSale.keys()].sort()).toEqual([...ids].sort());
    expect(forSale.get(published.variants[0]?.id ?? '')).toEqual({
      variant_id: published.variants[0]?.id,
      product_id: published.id,
      product_title: published.title,
      product_handle: published.handle,
      sku: published.variants[0]?.sku,
      title: 'S',
      prices: published.variants[0]?.prices,
      weight_grams: 200,
      purchasable: true,
    });
    expect(forSale.get(draft.variants[0]?.id ?? '')?.purchasable).toBe(false);
    expect(await service.getVariantsForSale([])).toEqual(new Map());

    expect(await service.getPublishedProduct(published.handle)).toEqual(published);
    expect(await service.getPublishedProduct(draft.handle)).toBeUndefined();

    const root = await createCategory(t.ctx, { name: 'Root', rank: -5 });
    const categories = await service.listCategories();
    expect(categories.find((c) => c.id === root.id)).toEqual(root);
    const renamed = await updateCategory(t.ctx, root.id, { name: 'Renamed root' });
    expect((await service.listCategories()).find((c) => c.id === root.id)).toEqual(renamed);
  });

  it('prices from cached variants that follow every change of their product at once', async () => {
    const service = createCatalogService(t.ctx);
    const product = await createProduct(t.ctx, body({ status: 'published' }));
    const [small, medium] = product.variants.map((v) => v.id);
    if (!small || !medium) throw new Error('expected two variants');
    const usd = async (id: string) =>
      (await service.getVariantsForSale([id])).get(id)?.prices.find((p) => p.currency_code === 'usd')?.amount;
    expect(await usd(small)).toBe(2999);
    // Cached: a write behind the catalog's back is not seen…
    await t.db.primary
      .updateTable('catalog.variants')
      .set({ prices: sql`'[{"amount": 1, "currency_code": "usd"}]'::jsonb` })
      .where('id', '=', small)
      .execute();
    expect(await usd(small)).toBe(2999);
    // …and each change through the catalog is seen by the next read.
    let doc = (
      await updateVariant(t.ctx, product.id, small, undefined, {
        prices: [{ amount: 2500, currency_code: 'usd' }],
      })
    ).product;
    expect(await usd(small)).toBe(2500);
    doc = await updateProduct(t.ctx, product.id, doc.version, { title: 'Hemp Shirt' });
    expect((await service.getVariantsForSale([small, medium])).get(medium)).toMatchObject({
      product_title: 'Hemp Shirt',
      purchasable: true,
    });
    doc = await changeStatus(t.ctx, product.id, doc.version, 'unpublish');
    expect((await service.getVariantsForSale([small])).get(small)?.purchasable).toBe(false);
    await removeVariant(t.ctx, product.id, medium, doc.version);
    expect((await service.getVariantsForSale([medium])).has(medium)).toBe(false);
    // The event names the removed variant, for other processes' caches.
    const events = await outbox(product.id);
    expect(events.at(-1)?.payload).toMatchObject({ previous_variant_ids: [medium] });
  });

  it('invalidates cached documents from its own events, once per event', async () => {
    let handler: EventHandler | undefined;
    const bus = {
      subscribe: (_c: string, _t: readonly string[], h: EventHandler) => {
        handler = h;
      },
    } as unknown as EventBus;
    subscribeCacheInvalidation(bus, { cache: t.ctx.cache, db: t.db });
    const product = await createProduct(t.ctx, body({ status: 'published' }));
    // Another process cached the document, and a variant's sale facts, before the change reached it.
    await t.ctx.cache.set(storeProductKey(product.handle), product, 60_000, {
      tags: [handleTag(product.handle)],
    });
    const variantId = product.variants[0]?.id ?? '';
    await t.ctx.cache.set(variantForSaleKey(variantId), { variant_id: variantId }, 60_000, {
      tags: [variantTag(variantId)],
    });
    const [changed] = await outbox(product.id);
    const event: EventEnvelope = {
      id: `evt_${unique()}`,
      type: 'catalog.product.changed.v1',
      occurredAt: new Date().toISOString(),
      key: product.id,
      payload: changed?.payload,
      headers: {},
    };
    await handler?.(event, { consumer: CACHE_CONSUMER, attempt: 1 });
    expect(await t.ctx.cache.get(storeProductKey(product.handle))).toBeUndefined();
    expect(await t.ctx.cache.get(variantForSaleKey(variantId))).toBeUndefined();

    await t.ctx.cache.set(storeProductKey(product.handle), product, 60_000, {
      tags: [handleTag(product.handle)],
    });
    await handler?.(event, { consumer: CACHE_CONSUMER, attempt: 2 });
    expect(await t.ctx.cache.get(storeProductKey(product.handle))).toEqual(product);
  });
});
