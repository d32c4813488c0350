import { newId } from '@emporium/platform';
import type { Transaction } from 'kysely';
import type { CatalogContext } from '../catalog-context.ts';
import type { ProductDocument } from '../contract/index.ts';
import { jsonb } from '../db/jsonb.ts';
import { violatedUnique } from '../db/pg-errors.ts';
import type { CatalogTables } from '../db/tables.ts';
import { fromUniqueViolation } from '../db/unique-violations.ts';
import { handleTaken, invalidBody } from '../errors.ts';
import { freeHandle, isHandleFree } from '../handles/free-handle.ts';
import { slugify } from '../handles/slug.ts';
import { renderProduct } from './product-document.ts';
import { afterProductCommit, writeProductEvents } from './product-events.ts';
import { productShapeErrors } from './product-rules.ts';
import type { CreateProductBody } from './product-schemas.ts';
import { assertSkusFree, insertVariants, linkErrors, replaceLinks } from './product-writes.ts';

/** Attempts when a generated handle is taken by a concurrent create between check and insert. */
const HANDLE_ATTEMPTS = 3;

/**
 * Creates a product with its variants and links, and its events, in one transaction. Refuses
 * broken option/variant combinations and unknown categories (422), a taken handle or SKU (409).
 */
export async function createProduct(ctx: CatalogContext, input: CreateProductBody): Promise<ProductDocument> {
  const shapeErrors = productShapeErrors(input.options ?? [], input.variants);
  if (shapeErrors.length > 0) throw invalidBody(shapeErrors);
  for (let attempt = 1; ; attempt++) {
    try {
      const product = await ctx.db.transaction((trx) => insertProduct(trx, ctx, input));
      await afterProductCommit(ctx, product);
      return product;
    } catch (err) {
      const generatedHandleRace = input.handle === undefined && violatedUnique(err) === 'products_handle_key';
      if (generatedHandleRace && attempt < HANDLE_ATTEMPTS) continue;
      throw fromUniqueViolation(err) ?? err;
    }
  }
}

/** The transactional part of {@link createProduct}: rows, links and events in the caller's `trx`. */
export async function insertProduct(
  trx: Transaction<CatalogTables>,
  ctx: Pick<CatalogContext, 'clock'>,
  input: CreateProductBody,
): Promise<ProductDocument> {
  const categoryIds = input.category_ids ?? [];
  const collectionIds = input.collection_ids ?? [];
  const linkProblems = [
    ...(await linkErrors(trx, 'catalog.categories', categoryIds, '/category_ids')),
    ...(await linkErrors(trx, 'catalog.collections', collectionIds, '/collection_ids')),
  ];
  if (linkProblems.length > 0) throw invalidBody(linkProblems);
  await assertSkusFree(
    trx,
    input.variants.map((v) => v.sku),
  );
  let handle = input.handle;
  if (handle === undefined) handle = await freeHandle(trx, 'catalog.products', slugify(input.title));
  else if (!(await isHandleFree(trx, 'catalog.products', handle))) throw handleTaken('product', handle);

  const now = ctx.clock.now();
  const id = newId('prod', now.getTime());
  const status = input.status ?? 'draft';
  await trx
    .insertInto('catalog.products')
    .values({
      id,
      handle,
      title: input.title,
      description: input.description ?? '',
      status,
      version: 1,
      attributes: jsonb(input.attributes ?? {}),
      images: jsonb(input.images ?? []),
      options: jsonb(input.options ?? []),
      created_at: now,
      updated_at: now,
      published_at: status === 'published' ? now : null,
    })
    .execute();
  await insertVariants(trx, id, input.variants, now);
  await replaceLinks(trx, 'categories', id, categoryIds);
  await replaceLinks(trx, 'collections', id, collectionIds);
  const product = await renderProduct(trx, id);
  await writeProductEvents(trx, ctx.clock, product, 'created');
  return product;
}
