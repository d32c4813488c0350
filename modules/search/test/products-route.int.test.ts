import { databaseKinds, hasService, startTestPlatform, type TestPlatform } from '@emporium/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSearchModule } from '../src/index.ts';
import {
  categoryDoc,
  migrateSearch,
  productChanged,
  productDoc,
  writeCatalogEvents,
} from './catalog-fixtures.ts';

const withPostgres = databaseKinds().includes('postgres');
const setups = [
  { name: 'embedded: PGlite, LRU, database events', options: {} },
  ...(withPostgres
    ? [
        {
          name: `distributed: PostgreSQL, ${hasService('redis') ? 'Redis' : 'LRU'}, ${hasService('nats') ? 'NATS' : 'database events'}`,
          options: {
            database: 'postgres',
            cache: hasService('redis') ? 'redis' : 'memory',
            events: hasService('nats') ? 'nats' : 'pg',
          } as const,
        },
      ]
    : []),
];

const tops = categoryDoc({ handle: 'tops', name: 'Tops' });
const jacket = productDoc({
  title: 'Harbor Waxed Jacket',
  category_ids: [tops.id],
  prices: { usd: 12900, eur: 9900 },
  variantOptions: [{ Size: 'M' }, { Size: 'L' }],
});
const shirt = productDoc({ title: 'Linen Shirt', category_ids: [tops.id], prices: { usd: 4900 } });

/** Polls until `done` (expect.poll is not available in hooks). */
async function waitFor(done: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('the projection did not catch up in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface ListBody {
  data: Array<{ id: string; price: { amount: number; currency_code: string } }>;
  next_cursor: string | null;
  facets?: { options: Array<{ title: string; values: Array<{ value: string; count: number }> }> };
  did_you_mean?: string;
}

// The module mounted on the real HTTP app; catalog events go through the outbox and the real bus.
describe.each(setups)('GET /store/products, $name', ({ options }) => {
  let platform: TestPlatform;
  const get = (url: string, headers: Record<string, string> = {}) => platform.app.inject({ url, headers });
  const list = async (url: string) => (await get(url)).json<ListBody>();

  beforeAll(async () => {
    platform = await startTestPlatform({
      ...options,
      compose: async (ports) => {
        await migrateSearch(ports.db);
        return [createSearchModule(ports)];
      },
    });
    await writeCatalogEvents(platform.ports.db, [
      { type: 'category', payload: { category: tops, change: 'created' } },
      { type: 'product', payload: productChanged(jacket, [tops]) },
      { type: 'product', payload: productChanged(shirt, [tops]) },
    ]);
    platform.ports.bus.nudge();
    await waitFor(async () => (await list('/store/products?category=tops')).data.length === 2);
  });
  afterAll(async () => {
    await platform.close();
  });

  it('serves products indexed from catalog events, with prices in the requested currency', async () => {
    const response = await get('/store/products?q=jack&currency=EUR');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      data: [
        {
          id: jacket.id,
          handle: jacket.handle,
          title: 'Harbor Waxed Jacket',
          price: { amount: 9900, currency_code: 'eur' },
          thumbnail: `/media/${jacket.id}.jpg`,
          category_ids: [tops.id],
        },
      ],
      next_cursor: null,
    });
  });

  it('answers with ETag, edge caching headers and surrogate keys, and 304 when unchanged', async () => {
    const first = await get('/store/products?category=tops&sort=price_asc');
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toMatch(/s-maxage=60, stale-while-revalidate=300/);
    expect(String(first.headers['surrogate-key']).split(' ')).toEqual([
      'products',
      tops.id,
      shirt.id,
      jacket.id,
    ]);
    const etag = String(first.headers.etag);
    const again = await get('/store/products?category=tops&sort=price_asc', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('takes option filters as repeated option=Title:Value, facets on request, and says what it corrected', async () => {
    const body = await list('/store/products?option=Size:M&option=Size:XL&facets=true');
    expect(body.data.map((h) => h.id)).toEqual([jacket.id]);
    expect(body.facets?.options).toEqual([
      {
        title: 'Size',
        values: [
          { value: 'L', count: 1 },
          { value: 'M', count: 1 },
        ],
      },
    ]);
    const corrected = await list('/store/products?q=jakcet');
    expect(corrected.did_you_mean).toBe('jacket');
    expect(corrected.data.map((h) => h.id)).toEqual([jacket.id]);
  });

  it('pages with next_cursor', async () => {
    const first = await list('/store/products?category=tops&limit=1&sort=newest');
    expect(first.data).toHaveLength(1);
    const second = await list(
      `/store/products?category=tops&limit=1&sort=newest&cursor=${first.next_cursor}`,
    );
    expect(second.data).toHaveLength(1);
    expect(second.next_cursor).toBeNull();
    expect(second.data[0]?.id).not.toBe(first.data[0]?.id);
  });

  it('treats quotes, operators and SQL in q as text', async () => {
    for (const q of [`'; drop table search.products; --`, 'a & b | !c', '"x"', ':*', '%', 'nul\u0000byte']) {
      const response = await get(`/store/products?q=${encodeURIComponent(q)}`);
      expect(response.statusCode, q).toBe(200);
    }
    expect((await get('/store/products?category=%00&option=Size:%00')).statusCode).toBe(200);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['sort=bogus', 'sort'],
    ['currency=dollars', 'currency'],
    ['price_min=-1', 'price_min'],
    ['price_min=500&price_max=100', 'price_max'],
    ['option=Size', 'option'],
    ['colour=red', 'colour'],
  ])('rejects %s with 400 validation_failed', async (query, field) => {
    const response = await get(`/store/products?${query}`);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    const problem = response.json<{ code: string; errors: Array<{ path: string }> }>();
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e) => e.path.split('/')[1])).toContain(field);
  });

  it('rejects a cursor it did not issue with 400 invalid_cursor', async () => {
    for (const cursor of ['garbage!', 'eyJzIjoibmV3ZXN0In0', 'x']) {
      const response = await get(`/store/products?cursor=${cursor}`);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'invalid_cursor', status: 400 });
    }
  });

  it('drops an unpublished product from listings once its event is handled, despite cached results', async () => {
    expect((await list('/store/products?q=linen')).data).toHaveLength(1);
    await writeCatalogEvents(platform.ports.db, [
      { type: 'product', payload: productChanged({ ...shirt, status: 'draft', version: 2 }, [tops]) },
    ]);
    platform.ports.bus.nudge();
    await expect
      .poll(async () => (await list('/store/products?q=linen')).data.length, { timeout: 15_000 })
      .toBe(0);
  });
});
