import { sql } from 'kysely';
import type { ProductDocument, VariantDocument } from '../contract/index.ts';
import type { Executor } from '../db/executor.ts';

/**
 * Products with their variants, categories and collections, assembled by one statement: the
 * variants come as one jsonb array per product and the links as text arrays, all from indexed
 * subqueries. Loading one product or a page of a hundred is one round trip (no N+1), and nothing
 * is stored twice, so a bulk loader fills only the normalised tables.
 *
 * Callers add `where`, `orderBy` and `limit` on alias `p`.
 */
export function selectProductDocuments(db: Executor) {
  return db
    .selectFrom('catalog.products as p')
    .selectAll('p')
    .select([
      sql<string[]>`array(
        select pc.category_id from catalog.product_categories pc
        where pc.product_id = p.id order by pc.rank, pc.category_id)`.as('category_ids'),
      sql<string[]>`array(
        select pl.collection_id from catalog.product_collections pl
        where pl.product_id = p.id order by pl.rank, pl.collection_id)`.as('collection_ids'),
      sql<VariantDocument[]>`coalesce((
        select jsonb_agg(jsonb_build_object(
          'id', v.id, 'sku', v.sku, 'title', v.title, 'options', v.options, 'prices', v.prices,
          'weight_grams', v.weight_grams, 'barcode', v.barcode) order by v.rank, v.id)
        from catalog.variants v where v.product_id = p.id), '[]'::jsonb)`.as('variants'),
    ]);
}

type ProductDocumentRow = Awaited<
  ReturnType<ReturnType<typeof selectProductDocuments>['executeTakeFirstOrThrow']>
>;

export function toProductDocument(row: ProductDocumentRow): ProductDocument {
  return {
    id: row.id,
    handle: row.handle,
    title: row.title,
    description: row.description,
    status: row.status,
    version: row.version,
    attributes: row.attributes,
    images: row.images,
    options: row.options,
    category_ids: row.category_ids,
    collection_ids: row.collection_ids,
    variants: row.variants,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    published_at: row.published_at?.toISOString() ?? null,
  };
}

export async function loadProduct(db: Executor, id: string): Promise<ProductDocument | undefined> {
  const row = await selectProductDocuments(db).where('p.id', '=', id).executeTakeFirst();
  return row ? toProductDocument(row) : undefined;
}

export async function loadProductByHandle(
  db: Executor,
  handle: string,
): Promise<ProductDocument | undefined> {
  const row = await selectProductDocuments(db).where('p.handle', '=', handle).executeTakeFirst();
  return row ? toProductDocument(row) : undefined;
}
