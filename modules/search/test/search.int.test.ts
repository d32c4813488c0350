import type { CategoryDocument, ProductDocument } from '@emporium/catalog/contract';
import type { Database } from '@emporium/platform';
import { databaseKinds, openTestDatabase } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchPort, SearchQuery } from '../src/contract/search-port.ts';
import { createPostgresSearch } from '../src/pg-search.ts';
import { allKnown } from '../src/query/correct-terms.ts';
import { categoryDoc, indexDirectly, migrateSearch, productChanged, productDoc } from './catalog-fixtures.ts';

const day = (n: number) => new Date(Date.UTC(2026, 0, n)).toISOString();

const apparel = categoryDoc({ handle: 'apparel', name: 'Apparel' });
const jackets = categoryDoc({ handle: 'jackets', name: 'Jackets', parent_id: apparel.id });
const shirts = categoryDoc({ handle: 'shirts', name: 'Shirts', parent_id: apparel.id });
const footwear = categoryDoc({ handle: 'footwear', name: 'Footwear' });
const bulk = categoryDoc({ handle: 'bulk', name: 'Bulk' });
const categories: CategoryDocument[] = [apparel, jackets, shirts, footwear, bulk];

const harbor = productDoc({
  title: 'Harbor Waxed Jacket',
  description: 'A classic waterproof coat.',
  category_ids: [jackets.id],
  prices: { usd: 12900, eur: 9900 },
  variantOptions: [
    { Size: 'M', Colour: 'Navy' },
    { Size: 'L', Colour: 'Navy' },
  ],
  created_at: day(1),
});
const alpine = productDoc({
  title: 'Alpine Down Jacket',
  category_ids: [jackets.id],
  prices: { usd: 19900, eur: 18900 },
  variantOptions: [{ Size: 'S' }, { Size: 'M' }],
  created_at: day(2),
});
const linen = productDoc({
  title: 'Linen Shirt',
  category_ids: [shirts.id],
  prices: { usd: 4900, eur: 5900 },
  variantOptions: [{ Size: 'M' }],
  created_at: day(3),
});
const oxford = productDoc({
  title: 'Oxford Shirt',
  category_ids: [shirts.id],
  prices: { usd: 5900, eur: 3900 },
  variantOptions: [{ Size: 'L', Colour: 'Navy' }],
  created_at: day(4),
});
const runner = productDoc({
  title: 'Trail Runner',
  description: 'A light shoe that pairs well with any jacket.',
  category_ids: [footwear.id],
  prices: { usd: 8900, eur: 8500 },
  created_at: day(5),
});
const scarf = productDoc({ title: 'Wool Scarf', prices: { usd: 2900 }, created_at: day(6) });
const teapot = productDoc({
  title: 'Crème Brûlée Teapot',
  prices: { usd: 3900, eur: 3500 },
  created_at: day(7),
});
const draft = productDoc({ title: 'Secret Jacket Prototype', status: 'draft', created_at: day(8) });
// 25 products with repeated prices and publication times, so that only the id breaks ties.
const many = Array.from({ length: 25 }, (_, i) =>
  productDoc({
    title: `Bulk Item ${i}`,
    category_ids: [bulk.id],
    prices: { usd: 1000 + (i % 4) * 100 },
    created_at: day(10 + (i % 3)),
  }),
);
const catalog: ProductDocument[] = [harbor, alpine, linen, oxford, runner, scarf, teapot, draft, ...many];

// Real PGlite and PostgreSQL, the projection filled through its event handler.
describe.each(databaseKinds())('search on %s', (kind) => {
  let db: Database;
  let port: SearchPort;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await migrateSearch(db);
    await indexDirectly(db, [
      ...categories.map((category) => ({
        type: 'category' as const,
        payload: { category, change: 'created' as const },
      })),
      ...catalog.map((p) => ({ type: 'product' as const, payload: productChanged(p, categories) })),
    ]);
    port = createPostgresSearch(db);
  });
  afterAll(async () => {
    await db.close();
  });

  const search = (query: Partial<SearchQuery>) => port.search({ currency: 'usd', limit: 20, ...query });
  const ids = async (query: Partial<SearchQuery>) => (await search(query)).hits.map((h) => h.id);
  const titles = async (query: Partial<SearchQuery>) => (await search(query)).hits.map((h) => h.title);

  it('finds products by one word, by two words (all must match), and ignores accents and case', async () => {
    expect((await ids({ q: 'shirt' })).sort()).toEqual([linen.id, oxford.id].sort());
    expect(await ids({ q: 'Waxed JACKET' })).toEqual([harbor.id]);
    expect(await ids({ q: 'waxed shirt' })).toEqual([]);
    expect(await ids({ q: 'creme brulee' })).toEqual([teapot.id]);
    expect(await ids({ q: 'waterproof' })).toEqual([harbor.id]);
  });

  it('matches the word being typed as a prefix', async () => {
    expect((await ids({ q: 'jack' })).sort()).toEqual([harbor.id, alpine.id].sort());
    expect(await ids({ q: 'harbor wax' })).toEqual([harbor.id]);
  });

  it('never lists an unpublished product', async () => {
    expect(await ids({ q: 'secret prototype' })).toEqual([]);
  });

  it('corrects typos against the vocabulary and says what it searched', async () => {
    const jacket = await search({ q: 'jakcet' });
    expect(jacket.didYouMean).toBe('jacket');
    expect(jacket.hits.map((h) => h.id)).toEqual(expect.arrayContaining([harbor.id, alpine.id]));
    const shirt = await search({ q: 'shrit' });
    expect(shirt.didYouMean).toBe('shirt');
    expect(shirt.hits.map((h) => h.id).sort()).toEqual([linen.id, oxford.id].sort());
    expect((await search({ q: 'harbr waxed' })).didYouMean).toBe('harbor waxed');
  });

  it('knows when every word is spelled as the catalog spells it (then no look-alike scan runs)', async () => {
    expect(await allKnown(db.primary, ['waxed', 'shirt'])).toBe(true);
    // The word being typed counts when a catalog word starts with it.
    expect(await allKnown(db.primary, ['waxed', 'shi'])).toBe(true);
    expect(await allKnown(db.primary, ['waxed', 'shrit'])).toBe(false);
    expect(await allKnown(db.primary, [])).toBe(false);
  });

  it('ranks a title match above a description match', async () => {
    const found = await titles({ q: 'jacket' });
    expect(found).toHaveLength(3);
    expect(found.slice(0, 2).sort()).toEqual(['Alpine Down Jacket', 'Harbor Waxed Jacket']);
    expect(found[2]).toBe('Trail Runner');
  });

  it('treats quotes, operators and SQL as plain text', async () => {
    for (const q of [
      `'; drop table search.products; --`,
      'a & b | !c',
      '"x"',
      ':*',
      '\\',
      '(',
      '<->',
      '🧥',
      "o'brien",
    ]) {
      await expect(search({ q })).resolves.toMatchObject({ hits: expect.any(Array) });
    }
    expect(await ids({ q: '"waxed" & (jacket)' })).toEqual([harbor.id]);
  });

  it('counts facets over the whole filtered set', async () => {
    const { facets } = await search({ category: 'apparel', facets: true, limit: 1 });
    expect(facets?.categories).toEqual(
      expect.arrayContaining([
        { id: apparel.id, name: 'Apparel', parent_id: null, count: 4 },
        { id: jackets.id, name: 'Jackets', parent_id: apparel.id, count: 2 },
        { id: shirts.id, name: 'Shirts', parent_id: apparel.id, count: 2 },
      ]),
    );
    expect(facets?.categories).toHaveLength(3);
    expect(facets?.options).toEqual([
      { title: 'Colour', values: [{ value: 'Navy', count: 2 }] },
      {
        title: 'Size',
        values: [
          { value: 'M', count: 3 },
          { value: 'L', count: 2 },
          { value: 'S', count: 1 },
        ],
      },
    ]);
    expect(facets?.price_ranges).toEqual([
      { min: 2500, max: 4999, count: 1 },
      { min: 5000, max: 9999, count: 1 },
      { min: 10000, max: 24999, count: 2 },
    ]);
    const narrowed = await search({ q: 'jacket', options: { Size: ['M'] }, facets: true });
    expect(narrowed.facets?.options).toEqual([
      { title: 'Colour', values: [{ value: 'Navy', count: 1 }] },
      { title: 'Size', values: expect.arrayContaining([{ value: 'M', count: 2 }]) },
    ]);
  });

  it('filters by category with descendants, options and price range', async () => {
    expect((await ids({ category: apparel.id })).sort()).toEqual(
      [harbor.id, alpine.id, linen.id, oxford.id].sort(),
    );
    expect(await ids({ category: 'apparel', options: { Size: ['M'], Colour: ['Navy'] } })).toEqual([
      harbor.id,
    ]);
    expect((await ids({ options: { Size: ['S', 'L'] } })).sort()).toEqual(
      [harbor.id, alpine.id, oxford.id].sort(),
    );
    expect(await ids({ category: 'apparel', priceMin: 5000, priceMax: 12900, sort: 'price_asc' })).toEqual([
      oxford.id,
      harbor.id,
    ]);
    expect(await ids({ category: 'no-such-category' })).toEqual([]);
  });

  it('sorts by price in the requested currency, and by newest', async () => {
    expect(await ids({ category: 'apparel', sort: 'price_asc' })).toEqual([
      linen.id,
      oxford.id,
      harbor.id,
      alpine.id,
    ]);
    expect(await ids({ category: 'apparel', sort: 'price_desc' })).toEqual([
      alpine.id,
      harbor.id,
      oxford.id,
      linen.id,
    ]);
    const eur = await search({ category: 'apparel', sort: 'price_asc', currency: 'eur' });
    expect(eur.hits.map((h) => [h.id, h.price.amount])).toEqual([
      [oxford.id, 3900],
      [linen.id, 5900],
      [harbor.id, 9900],
      [alpine.id, 18900],
    ]);
    expect(await ids({ category: 'apparel', sort: 'newest' })).toEqual([
      oxford.id,
      linen.id,
      alpine.id,
      harbor.id,
    ]);
    // With text or options the sort first walks the listing in order, then falls back to all matches.
    expect(await ids({ q: 'shirt', sort: 'price_desc' })).toEqual([oxford.id, linen.id]);
    expect(await ids({ q: 'jacket', sort: 'newest', options: { Size: ['M'] } })).toEqual([
      alpine.id,
      harbor.id,
    ]);
    // Listed in a currency only with a price in it.
    expect(await ids({ q: 'scarf', currency: 'eur' })).toEqual([]);
    expect(await ids({ q: 'scarf' })).toEqual([scarf.id]);
  });

  it('estimates facet counts from a sample when the set is larger than the exact limit', async () => {
    await sql`analyze search.products`.execute(db.primary);
    const sampling = createPostgresSearch(db, { exactFacetsLimit: 5 });
    const { facets } = await sampling.search({ currency: 'usd', limit: 1, facets: true });
    expect(facets?.approximate).toBe(true);
    const exact = await sampling.search({ currency: 'usd', limit: 1, facets: true, category: 'jackets' });
    expect(exact.facets?.approximate).toBeUndefined();
    expect(exact.facets?.categories.find((c) => c.id === jackets.id)?.count).toBe(2);
  });

  describe.each(['newest', 'price_asc', 'price_desc', 'relevance'] as const)(
    'cursor pagination by %s',
    (sort) => {
      it('walks 25 products in pages of 10 without repeating or missing one', async () => {
        const query = {
          category: 'bulk',
          sort,
          limit: 10,
          ...(sort === 'relevance' ? { q: 'bulk item' } : {}),
        };
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await search({ ...query, ...(cursor ? { cursor } : {}) });
          seen.push(...page.hits.map((h) => h.id));
          cursor = page.nextCursor ?? undefined;
          pages++;
        } while (cursor && pages < 10);
        expect(pages).toBe(3);
        expect(new Set(seen).size).toBe(25);
        expect(seen.sort()).toEqual(many.map((p) => p.id).sort());
        const single = await search({ ...query, limit: 25 });
        expect(single.nextCursor).toBeNull();
      });
    },
  );

  it('keeps pages in sort order across cursors', async () => {
    const first = await search({ category: 'bulk', sort: 'price_asc', limit: 10 });
    const second = await search({
      category: 'bulk',
      sort: 'price_asc',
      limit: 10,
      cursor: first.nextCursor ?? '',
    });
    const prices = [...first.hits, ...second.hits].map((h) => h.price.amount);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  it('rejects a cursor issued for another sort, or not issued at all', async () => {
    const { nextCursor } = await search({ category: 'bulk', sort: 'newest', limit: 5 });
    await expect(
      search({ category: 'bulk', sort: 'price_asc', cursor: nextCursor ?? '' }),
    ).rejects.toMatchObject({
      code: 'invalid_cursor',
      status: 400,
    });
    await expect(search({ cursor: 'bm90IGEgY3Vyc29y' })).rejects.toMatchObject({ code: 'invalid_cursor' });
    await expect(search({ limit: 0 })).rejects.toMatchObject({ code: 'validation_failed', status: 400 });
  });
});
