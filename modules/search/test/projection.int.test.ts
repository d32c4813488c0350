import type { Database } from '@emporium/platform';
import { databaseKinds, openTestDatabase } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSearch } from '../src/pg-search.ts';
import { bulkIndexProducts, indexCatalogEvent } from '../src/projection/subscribe-indexer.ts';
import {
  categoryDoc,
  indexDirectly,
  migrateSearch,
  productChanged,
  productDoc,
  writeCatalogEvents,
} from './catalog-fixtures.ts';

// Real PGlite and PostgreSQL; events written to the real outbox, handed to the handler directly.
describe.each(databaseKinds())('search projection on %s', (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await migrateSearch(db);
  });
  afterAll(async () => {
    await db.close();
  });

  const search = (q: string, extra: object = {}) =>
    createPostgresSearch(db).search({ q, currency: 'usd', limit: 20, ...extra });
  const stored = async (id: string) =>
    (
      await sql<{ version: number; title: string; category_path_ids: string[] }>`
        select version, title, category_path_ids from search.products where id = ${id}`.execute(db.primary)
    ).rows[0];

  it('indexes a published product from its event, with weighted text, prices and options', async () => {
    const product = productDoc({
      title: 'Harbor Waxed Jacket',
      description: 'Keeps the rain out.',
      attributes: { brand: 'Northwind' },
      prices: { usd: 12900, eur: 11900 },
      variantOptions: [{ Size: 'M' }, { Size: 'L' }],
    });
    await indexDirectly(db, [{ type: 'product', payload: productChanged(product) }]);

    expect((await search('harbor')).hits.map((h) => h.id)).toEqual([product.id]);
    expect((await search('northwind')).hits.map((h) => h.id)).toEqual([product.id]);
    expect((await search('rain')).hits.map((h) => h.id)).toEqual([product.id]);
    const { hits } = await search('harbor', { currency: 'eur' });
    expect(hits[0]).toMatchObject({
      price: { amount: 11900, currency_code: 'eur' },
      thumbnail: `/media/${product.id}.jpg`,
    });
    const { rows } = await sql<{ option_values: string[] }>`
      select option_values from search.products where id = ${product.id}`.execute(db.primary);
    expect(rows[0]?.option_values).toEqual(['Size:L', 'Size:M']);
  });

  it('removes a product when an event says it is no longer published', async () => {
    const product = productDoc({ title: 'Ember Linen Shirt' });
    await indexDirectly(db, [{ type: 'product', payload: productChanged(product) }]);
    expect((await search('ember linen')).hits).toHaveLength(1);

    const unpublished = { ...product, status: 'draft' as const, version: 2 };
    await indexDirectly(db, [{ type: 'product', payload: productChanged(unpublished) }]);
    expect((await search('ember linen')).hits).toHaveLength(0);
    expect(await stored(product.id)).toBeUndefined();
  });

  it('ignores an event older than what it has already applied, even after a removal', async () => {
    const v1 = productDoc({ title: 'Granite Teapot' });
    const v2 = { ...v1, title: 'Granite Kettle', version: 2 };
    const v3 = { ...v1, title: 'Granite Kettle', version: 3, status: 'archived' as const };
    const [e1, e2, e3] = await writeCatalogEvents(db, [
      { type: 'product', payload: productChanged(v1) },
      { type: 'product', payload: productChanged(v2) },
      { type: 'product', payload: productChanged(v3) },
    ]);
    // Delivered out of order: v2, then the older v1, then v3, then v1 again as a redelivery.
    expect(await indexCatalogEvent(db, e2!)).toBe('indexed');
    expect(await indexCatalogEvent(db, e1!)).toBe('stale');
    expect(await stored(v1.id)).toMatchObject({ version: 2, title: 'Granite Kettle' });
    expect(await indexCatalogEvent(db, e3!)).toBe('removed');
    const [late] = await writeCatalogEvents(db, [{ type: 'product', payload: productChanged(v2) }]);
    expect(await indexCatalogEvent(db, late!)).toBe('stale');
    expect(await stored(v1.id)).toBeUndefined();
  });

  it('handles a duplicate delivery of the same event once', async () => {
    const product = productDoc({ title: 'Cobalt Skillet' });
    const [event] = await writeCatalogEvents(db, [{ type: 'product', payload: productChanged(product) }]);
    expect(await indexCatalogEvent(db, event!)).toBe('indexed');
    expect(await indexCatalogEvent(db, event!)).toBeUndefined();
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from platform.processed_events where event_id = ${event!.id}`.execute(
      db.primary,
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('matches descendants of a category, also when the tree arrives after the products or moves', async () => {
    const outdoors = categoryDoc({ handle: 'outdoors-p', name: 'Outdoors' });
    const camping = categoryDoc({ handle: 'camping-p', name: 'Camping', parent_id: outdoors.id });
    const tent = productDoc({ title: 'Tidal Tent', category_ids: [camping.id] });
    // The product first: it knows only its own category, by name.
    await indexDirectly(db, [{ type: 'product', payload: productChanged(tent, [camping]) }]);
    expect((await search('', { category: 'camping-p' })).hits.map((h) => h.id)).toEqual([tent.id]);
    expect((await search('camping')).hits.map((h) => h.id)).toEqual([tent.id]);

    await indexDirectly(db, [
      { type: 'category', payload: { category: outdoors, change: 'created' } },
      { type: 'category', payload: { category: camping, change: 'created' } },
    ]);
    expect((await search('', { category: outdoors.id })).hits.map((h) => h.id)).toEqual([tent.id]);
    expect((await search('', { category: 'outdoors-p' })).category).toMatchObject({ id: outdoors.id });

    const travel = categoryDoc({ handle: 'travel-p', name: 'Travel' });
    await indexDirectly(db, [
      { type: 'category', payload: { category: travel, change: 'created' } },
      { type: 'category', payload: { category: { ...camping, parent_id: travel.id }, change: 'updated' } },
    ]);
    expect((await search('', { category: outdoors.id })).hits).toEqual([]);
    expect((await search('', { category: 'travel-p' })).hits.map((h) => h.id)).toEqual([tent.id]);
    expect((await stored(tent.id))?.category_path_ids.sort()).toEqual([camping.id, travel.id].sort());
  });

  it('ignores a category event older than the last one applied to that category', async () => {
    const shoes = categoryDoc({ handle: 'shoes-p', name: 'Shoes' });
    const [older, newer] = await writeCatalogEvents(db, [
      { type: 'category', payload: { category: shoes, change: 'created' } },
      { type: 'category', payload: { category: { ...shoes, name: 'Footwear' }, change: 'updated' } },
    ]);
    expect(await indexCatalogEvent(db, newer!)).toBe('indexed');
    expect(await indexCatalogEvent(db, older!)).toBe('stale');
    const { rows } = await sql<{ name: string }>`
      select name from search.categories where id = ${shoes.id}`.execute(db.primary);
    expect(rows[0]?.name).toBe('Footwear');
  });

  it('bulk-indexes many products in one call as the event path would, without overwriting newer versions', async () => {
    const newer = productDoc({ title: 'Quartz Lamp', prices: { usd: 5000 } });
    await indexDirectly(db, [{ type: 'product', payload: productChanged({ ...newer, version: 5 }) }]);
    const batch = Array.from({ length: 40 }, (_, i) =>
      productDoc({ title: `Zinnia Mug ${i}`, prices: { usd: 1000 + i, gbp: 900 + i } }),
    );
    const outcomes = await bulkIndexProducts(db, [
      ...batch.map((p) => productChanged(p)),
      productChanged({ ...newer, title: 'Quartz Lamp Old', version: 4 }),
      productChanged({ ...productDoc({ title: 'Zinnia Draft' }), status: 'draft' as const }),
    ]);
    expect([...outcomes.values()].filter((o) => o === 'indexed')).toHaveLength(40);
    expect(outcomes.get(newer.id)).toBe('stale');
    expect((await search('zinnia', { limit: 50 })).hits).toHaveLength(40);
    expect(await stored(newer.id)).toMatchObject({ title: 'Quartz Lamp', version: 5 });
    const cheapest = await search('', { sort: 'price_asc', currency: 'gbp', limit: 1 });
    expect(cheapest.hits[0]).toMatchObject({
      id: batch[0]?.id,
      price: { amount: 900, currency_code: 'gbp' },
    });
    expect((await search('zinnia mug 3')).hits[0]?.id).toBe(batch[3]?.id);
  });
});
