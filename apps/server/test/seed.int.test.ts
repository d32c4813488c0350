import type { Database } from '@emporium/platform';
import { databaseKinds, openTestDatabase } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoProduct } from '../src/seed/demo-catalog.ts';
import { indexDemoBatch, indexDemoCategories } from '../src/seed/index-demo-batch.ts';
import { seedDemo } from '../src/seed/seed-demo.ts';

// Real databases (PGlite and PostgreSQL), real module tables: the seeder's bulk loads.
describe.each(databaseKinds())('demo seeding on %s', (kind) => {
  let db: Database;
  beforeEach(async () => {
    db = await openTestDatabase(kind);
  });
  afterEach(() => db.close());

  const count = async (table: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db.primary)).rows[0]
      ?.n;

  it('loads products with variants, categories and opening stock, and continues where it stopped', async () => {
    const progress: number[] = [];
    await seedDemo(db, {
      products: 120,
      batchSize: 50,
      index: indexDemoBatch,
      indexCategories: indexDemoCategories,
      progress: (done) => progress.push(done),
    });
    expect(progress).toEqual([50, 100, 120]);
    await seedDemo(db, { products: 30, index: indexDemoBatch, indexCategories: indexDemoCategories });
    expect(await count('catalog.products')).toBe(150);
    const variants = Array.from({ length: 150 }, (_, i) => demoProduct(i).variants.length).reduce(
      (a, b) => a + b,
      0,
    );
    expect(await count('catalog.variants')).toBe(variants);
    expect(await count('inventory.stock_levels')).toBe(variants);
    expect(await count('catalog.product_categories')).toBe(150);

    const sample = demoProduct(42);
    const row = await db.primary
      .selectFrom('catalog.products')
      .select(['id', 'title', 'status'])
      .where('handle', '=', sample.handle)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ title: sample.title, status: 'published' });
    // Each product's document is stored with it (the admin list reads it), variants and links included.
    const unrendered = await sql<{ n: number }>`
      select count(*)::int as n from catalog.products where document is null`.execute(db.primary);
    expect(unrendered.rows[0]?.n).toBe(0);
    const stored = await sql<{ document: string }>`
      select document from catalog.products where id = ${row.id}`.execute(db.primary);
    const document = JSON.parse(stored.rows[0]?.document ?? 'null');
    expect(document).toMatchObject({ id: row.id, handle: sample.handle, title: sample.title, version: 1 });
    expect(document.variants.map((v: { sku: string }) => v.sku)).toEqual(sample.variants.map((v) => v.sku));
    expect(document.category_ids).toHaveLength(1);
    const stock = await sql<{ on_hand: number }>`
      select s.on_hand from inventory.stock_levels s join catalog.variants v on v.id = s.variant_id
      where v.sku = ${sample.variants[0]?.sku ?? ''}`.execute(db.primary);
    expect(stock.rows[0]?.on_hand).toBe(sample.variants[0]?.stock);
  });
});

describe('seeded demo products are searchable', () => {
  it('finds seeded products by word, by department and by typo', async () => {
    const { startTestPlatform } = await import('@emporium/testkit');
    const { composeModules } = await import('../src/modules.ts');
    const platform = await startTestPlatform({ compose: composeModules });
    try {
      await seedDemo(platform.ports.db, {
        products: 60,
        index: indexDemoBatch,
        indexCategories: indexDemoCategories,
      });
      const jacketTitle = Array.from({ length: 60 }, (_, i) => demoProduct(i)).find(
        (p) => p.categoryHandle === 'jackets',
      )?.title;
      const word = jacketTitle?.split(' ').at(-1)?.toLowerCase() ?? 'jacket';
      const byWord = await platform.app.inject({ url: `/store/products?q=${encodeURIComponent(word)}` });
      expect(byWord.statusCode).toBe(200);
      expect(byWord.json<{ data: Array<{ title: string }> }>().data.map((h) => h.title)).toContain(
        jacketTitle,
      );
      const department = await platform.app.inject({ url: '/store/products?category=apparel&limit=100' });
      const hits = department.json<{ data: unknown[] }>().data;
      const apparel = Array.from({ length: 60 }, (_, i) => demoProduct(i)).filter((p) =>
        ['jackets', 'shirts', 'trousers'].includes(p.categoryHandle),
      );
      expect(hits).toHaveLength(apparel.length);
      const product = await platform.app.inject({ url: `/store/products/${demoProduct(3).handle}` });
      expect(product.statusCode).toBe(200);
    } finally {
      await platform.close();
    }
  });
});
