import { sql } from 'kysely';
import type { ProductDocument } from '../contract/index.ts';
import type { Executor } from '../db/executor.ts';
import { productDocumentJson } from './load-products.ts';

/**
 * Each product row carries its document as JSON text (`catalog.products.document`), rendered by
 * PostgreSQL from the product, its variants and its links (`productDocumentJson`) and rewritten in
 * the transaction of every write: creating a product, every change through `changeProduct`, a bulk
 * load. A list page then reads 20 stored texts instead of assembling 20 documents from four tables.
 * Any new code that writes a product, its variants or its links must end with `renderProduct`.
 */

/** An update of `catalog.products as p` that renders each row's document; callers say which rows. */
const rendering = (db: Executor) =>
  db.updateTable('catalog.products as p').set({ document: productDocumentJson });

/** Renders and stores the document of product `id` (after the writes of `trx`) and returns it. */
export async function renderProduct(trx: Executor, id: string): Promise<ProductDocument> {
  const row = await rendering(trx).where('p.id', '=', id).returning('p.document').executeTakeFirst();
  if (!row?.document) throw new Error(`product ${id} vanished inside its own transaction`);
  return JSON.parse(row.document) as ProductDocument;
}

/** Renders and stores the documents of the products `ids` (a bulk load, in its transaction). */
export async function renderProducts(trx: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await rendering(trx).where('p.id', '=', sql<string>`any(${ids}::text[])`).execute();
}

/**
 * Renders up to `limit` products that have no document yet (rows older than the column); returns
 * how many. Rows another instance is rendering are skipped, and a row changed meanwhile is left to
 * its change (`document is null` is checked again on the row as locked, and every change writes one).
 */
export async function renderMissingDocuments(db: Executor, limit: number): Promise<number> {
  const rows = await rendering(db)
    .where('p.id', 'in', (eb) =>
      eb
        .selectFrom('catalog.products')
        .select('id')
        .where('document', 'is', null)
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .where('p.document', 'is', null)
    .returning('p.id')
    .execute();
  return rows.length;
}

/** The stored document of `p`, or (not rendered yet) the same document assembled now. */
export const documentOf = sql<string>`coalesce(p.document, ${productDocumentJson})`;

/** The document of the product with `handle`, as stored (or assembled when not rendered yet). */
export async function documentByHandle(db: Executor, handle: string): Promise<ProductDocument | undefined> {
  const row = await db
    .selectFrom('catalog.products as p')
    .select(documentOf.as('doc'))
    .where('p.handle', '=', handle)
    .executeTakeFirst();
  return row ? (JSON.parse(row.doc) as ProductDocument) : undefined;
}
