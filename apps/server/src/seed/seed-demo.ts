import { bulkLoadProducts, ensureCategories } from '@emporium/catalog';
import { bulkSetOpeningStock } from '@emporium/inventory';
import type { Database } from '@emporium/platform';
import { sql } from 'kysely';
import { type DemoProduct, demoCategories, demoDepartments, demoProduct } from './demo-catalog.ts';
import { seedDemoShipping } from './demo-shipping.ts';

export interface SeedOptions {
  products: number;
  /** Index of the first demo product; default: how many products the catalog already has. */
  from?: number;
  /** Products per transaction. Default 1000. */
  batchSize?: number;
  /** Called after each batch with the products loaded so far. */
  progress?: (done: number, total: number) => void;
  /**
   * Indexes a loaded batch for search (the search module's bulk loader); the seeder writes no
   * events, so without it the store's search would not see the products.
   */
  index?: (
    db: Database,
    batch: ReadonlyArray<{ demo: DemoProduct; productId: string; variantIds: string[] }>,
    categoryIds: Map<string, string>,
  ) => Promise<void>;
  /** Indexes the category tree for search, once per run (see `index`). */
  indexCategories?: (db: Database, categoryIds: Map<string, string>) => Promise<void>;
}

/**
 * Loads `products` products of the deterministic demo catalog, with categories, stock and search
 * entries, in batches (one transaction per module per batch). Safe to run again: it continues
 * from the number of products already there, so handles and SKUs stay unique.
 */
export async function seedDemo(
  db: Database,
  options: SeedOptions,
): Promise<{ from: number; loaded: number }> {
  // Shipping options and tax for common countries, so a demo cart can check out (only if none yet).
  await seedDemoShipping(db);
  const categoryIds = await ensureCategories(db, [
    ...demoDepartments.map((d) => ({ handle: d.handle, name: d.name, parent: null })),
    ...demoCategories.map((c) => ({ handle: c.handle, name: c.name, parent: c.parent })),
  ]);
  await options.indexCategories?.(db, categoryIds);
  const from =
    options.from ??
    Number(
      (await sql<{ n: number }>`select count(*)::int as n from catalog.products`.execute(db.primary)).rows[0]
        ?.n ?? 0,
    );
  const batchSize = options.batchSize ?? 1000;
  let loaded = 0;
  while (loaded < options.products) {
    const size = Math.min(batchSize, options.products - loaded);
    const demos = Array.from({ length: size }, (_, i) => demoProduct(from + loaded + i));
    const result = await bulkLoadProducts(
      db,
      demos.map((d) => ({
        handle: d.handle,
        title: d.title,
        description: d.description,
        attributes: d.attributes,
        images: d.images,
        options: d.options,
        categoryIds: [categoryIds.get(d.categoryHandle) ?? ''].filter(Boolean),
        createdAt: d.createdAt,
        variants: d.variants,
      })),
    );
    await bulkSetOpeningStock(
      db,
      demos.flatMap((d, i) =>
        d.variants.map((v, j) => ({ variantId: result[i]?.variantIds[j] ?? '', onHand: v.stock })),
      ),
    );
    await options.index?.(
      db,
      demos.map((demo, i) => ({
        demo,
        productId: result[i]?.id ?? '',
        variantIds: result[i]?.variantIds ?? [],
      })),
      categoryIds,
    );
    loaded += size;
    options.progress?.(loaded, options.products);
  }
  return { from, loaded };
}
