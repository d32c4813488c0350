import { sql } from 'kysely';
import type { ProductDocument, VariantDocument } from '../contract/index.ts';
import type { Executor } from '../db/executor.ts';

// The parts of a document that live outside the product row, for a product row `p`.
const categoryIds = sql<string[]>`array(
  select pc.category_id from catalog.product_categories pc
  where pc.product_id = p.id order by pc.rank, pc.category_id)`;
const collectionIds = sql<string[]>`array(
  select pl.collection_id from catalog.product_collections pl
  where pl.product_id = p.id order by pl.rank, pl.collection_id)`;
const variants = sql<VariantDocument[]>`coalesce((
  select jsonb_agg(jsonb_build_object(
    'id', v.id, 'sku', v.sku, 'title', v.title, 'options', v.options, 'prices', v.prices,
    'weight_grams', v.weight_grams, 'barcode', v.barcode) order by v.rank, v.id)
  from catalog.variants v where v.product_id = p.id), '[]'::jsonb)`;

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
    .select([
      'p.id',
      'p.handle',
      'p.title',
      'p.description',
      'p.status',
      'p.version',
      'p.attributes',
      'p.images',
      'p.options',
      'p.created_at',
      'p.updated_at',
      'p.published_at',
    ])
    .select([categoryIds.as('category_ids'), collectionIds.as('collection_ids'), variants.as('variants')]);
}

/** `ts` as `Date.toISOString()` writes it (UTC, milliseconds, `Z`), in SQL. */
const isoTime = (column: string) =>
  sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/**
 * The product document of `p` as JSON text, built by PostgreSQL: a list page is sent as the
 * database wrote it, with no parse into objects and stringify back in Node (for 20 documents of
 * a page that round trip was most of the request's CPU). Same fields, order and formats as
 * `toProductDocument` (a test compares the two); `row_to_json` writes no spaces between fields.
 */
export const productDocumentJson = sql<string>`(select row_to_json(d)::text from (select
  p.id, p.handle, p.title, p.description, p.status, p.version, p.attributes, p.images, p.options,
  ${categoryIds} as category_ids,
  ${collectionIds} as collection_ids,
  ${variants} as variants,
  ${isoTime('p.created_at')} as created_at,
  ${isoTime('p.updated_at')} as updated_at,
  ${isoTime('p.published_at')} as published_at) d)`;

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
