import { type Database, newId } from '@emporium/platform';
import { sql } from 'kysely';
import { renderProducts } from '../products/product-document.ts';

/** A category to make if its handle is not there yet; parents come before their children. */
export interface BulkCategory {
  handle: string;
  name: string;
  /** The parent's handle, or null for a root. */
  parent: string | null;
}

/** A published product with its variants, for loading many at once (the demo seeder). */
export interface BulkProduct {
  handle: string;
  title: string;
  description: string;
  attributes: Record<string, unknown>;
  images: Array<{ url: string; alt: string; width: number; height: number }>;
  options: Array<{ title: string; values: string[] }>;
  categoryIds: string[];
  createdAt: Date;
  variants: Array<{
    sku: string;
    title: string;
    options: Record<string, string>;
    prices: Array<{ amount: number; currency_code: string }>;
    weight_grams: number | null;
    barcode: string | null;
  }>;
}

export interface LoadedProduct {
  id: string;
  variantIds: string[];
}

/** Makes the categories that do not exist yet (by handle); returns every handle's id. */
export async function ensureCategories(
  db: Database,
  categories: readonly BulkCategory[],
): Promise<Map<string, string>> {
  return db.transaction(async (trx) => {
    const existing = await trx.selectFrom('catalog.categories').select(['id', 'handle']).execute();
    const ids = new Map(existing.map((c) => [c.handle as string, c.id as string]));
    const now = new Date();
    const nextRank = new Map<string | null, number>();
    for (const c of categories) {
      if (ids.has(c.handle)) continue;
      const id = newId('cat');
      const parentId = c.parent ? (ids.get(c.parent) ?? null) : null;
      const rank = nextRank.get(parentId) ?? 0;
      nextRank.set(parentId, rank + 1);
      await trx
        .insertInto('catalog.categories')
        .values({
          id,
          handle: c.handle,
          name: c.name,
          parent_id: parentId,
          rank,
          created_at: now,
          updated_at: now,
        })
        .execute();
      ids.set(c.handle, id);
    }
    return ids;
  });
}

/**
 * Inserts published products, their variants and category links in one transaction, one
 * statement per table (`unnest` of column arrays: a handful of parameters whatever the batch
 * size), then renders their stored documents. Writes no events: the caller indexes the batch for
 * search itself. Handles and SKUs must be new.
 */
export async function bulkLoadProducts(
  db: Database,
  products: readonly BulkProduct[],
): Promise<LoadedProduct[]> {
  const now = new Date();
  const loaded = products.map((p) => ({
    id: newId('prod', p.createdAt.getTime()),
    variantIds: p.variants.map(() => newId('var')),
  }));
  const col = <T>(fn: (p: BulkProduct, i: number) => T): T[] => products.map(fn);
  const variantRows = products.flatMap((p, i) =>
    p.variants.map((v, rank) => ({
      v,
      rank,
      productId: loaded[i]?.id ?? '',
      id: loaded[i]?.variantIds[rank] ?? '',
    })),
  );
  const vcol = <T>(fn: (r: (typeof variantRows)[number]) => T): T[] => variantRows.map(fn);
  const links = products.flatMap((p, i) =>
    p.categoryIds.map((categoryId, rank) => ({ categoryId, productId: loaded[i]?.id ?? '', rank })),
  );

  await db.transaction(async (trx) => {
    await sql`
      insert into catalog.products
        (id, handle, title, description, status, attributes, images, options, created_at, updated_at, published_at)
      select id, handle, title, description, 'published', attributes::jsonb, images::jsonb, options::jsonb,
             created_at, ${now}, created_at
      from unnest(
        ${loaded.map((l) => l.id)}::text[], ${col((p) => p.handle)}::text[], ${col((p) => p.title)}::text[],
        ${col((p) => p.description)}::text[], ${col((p) => JSON.stringify(p.attributes))}::text[],
        ${col((p) => JSON.stringify(p.images))}::text[], ${col((p) => JSON.stringify(p.options))}::text[],
        ${col((p) => p.createdAt.toISOString())}::timestamptz[]
      ) as t(id, handle, title, description, attributes, images, options, created_at)`.execute(trx);
    await sql`
      insert into catalog.variants
        (id, product_id, sku, title, options, prices, weight_grams, barcode, rank, created_at, updated_at)
      select id, product_id, sku, title, options::jsonb, prices::jsonb, weight_grams, barcode, rank, ${now}, ${now}
      from unnest(
        ${vcol((r) => r.id)}::text[], ${vcol((r) => r.productId)}::text[], ${vcol((r) => r.v.sku)}::text[],
        ${vcol((r) => r.v.title)}::text[], ${vcol((r) => JSON.stringify(r.v.options))}::text[],
        ${vcol((r) => JSON.stringify(r.v.prices))}::text[], ${vcol((r) => r.v.weight_grams)}::int[],
        ${vcol((r) => r.v.barcode)}::text[], ${vcol((r) => r.rank)}::int[]
      ) as t(id, product_id, sku, title, options, prices, weight_grams, barcode, rank)`.execute(trx);
    if (links.length > 0) {
      await sql`
        insert into catalog.product_categories (category_id, product_id, rank)
        select * from unnest(${links.map((l) => l.categoryId)}::text[], ${links.map((l) => l.productId)}::text[],
                             ${links.map((l) => l.rank)}::int[])`.execute(trx);
    }
    await renderProducts(
      trx,
      loaded.map((l) => l.id),
    );
  });
  return loaded;
}

/** True when the catalog holds no product at all (first start: seed the demo). */
export async function isCatalogEmpty(db: Database): Promise<boolean> {
  const row = await db.primary.selectFrom('catalog.products').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}
