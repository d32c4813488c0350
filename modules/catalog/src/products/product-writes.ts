import { type FieldError, newId } from '@emporium/platform';
import type { Transaction } from 'kysely';
import { jsonb } from '../db/jsonb.ts';
import type { CatalogTables } from '../db/tables.ts';
import { skuTaken } from '../errors.ts';

type Trx = Transaction<CatalogTables>;

/** A variant as a request gives it (create, add). */
export interface VariantInput {
  sku: string;
  title: string;
  options?: Record<string, string> | undefined;
  prices: Array<{ amount: number; currency_code: string }>;
  weight_grams?: number | null | undefined;
  barcode?: string | null | undefined;
}

export async function insertVariants(
  trx: Trx,
  productId: string,
  variants: readonly VariantInput[],
  now: Date,
  firstRank = 0,
): Promise<void> {
  if (variants.length === 0) return;
  await trx
    .insertInto('catalog.variants')
    .values(
      variants.map((v, i) => ({
        id: newId('var', now.getTime()),
        product_id: productId,
        sku: v.sku,
        title: v.title,
        options: jsonb(v.options ?? {}),
        prices: jsonb(v.prices.map((p) => ({ amount: p.amount, currency_code: p.currency_code }))),
        weight_grams: v.weight_grams ?? null,
        barcode: v.barcode ?? null,
        rank: firstRank + i,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
}

/** Refuses SKUs another variant (not one of `exceptVariantIds`) already has: 409 `sku_taken`. */
export async function assertSkusFree(
  trx: Trx,
  skus: readonly string[],
  exceptVariantIds: readonly string[] = [],
): Promise<void> {
  if (skus.length === 0) return;
  let query = trx.selectFrom('catalog.variants').select('sku').where('sku', 'in', skus);
  if (exceptVariantIds.length > 0) query = query.where('id', 'not in', exceptVariantIds);
  const taken = await query.limit(1).executeTakeFirst();
  if (taken) throw skuTaken(taken.sku);
}

type LinkTable = 'catalog.categories' | 'catalog.collections';

/** Duplicates and unknown ids in a list of category or collection ids, at `at/<index>`. */
export async function linkErrors(
  trx: Trx,
  table: LinkTable,
  ids: readonly string[],
  at: string,
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i);
    else errors.push({ path: `${at}/${i}`, message: `repeats ${at}/${first}` });
  });
  if (ids.length === 0) return errors;
  const found = await trx
    .selectFrom(table)
    .select('id')
    .where('id', 'in', [...seen.keys()])
    .execute();
  const known = new Set(found.map((r) => r.id));
  const kind = table === 'catalog.categories' ? 'category' : 'collection';
  ids.forEach((id, i) => {
    if (!known.has(id)) errors.push({ path: `${at}/${i}`, message: `no ${kind} has the id "${id}"` });
  });
  return errors;
}

/** Replaces a product's category or collection links, keeping the order given. */
export async function replaceLinks(
  trx: Trx,
  kind: 'categories' | 'collections',
  productId: string,
  ids: readonly string[],
): Promise<void> {
  if (kind === 'categories') {
    await trx.deleteFrom('catalog.product_categories').where('product_id', '=', productId).execute();
    if (ids.length > 0) {
      await trx
        .insertInto('catalog.product_categories')
        .values(ids.map((category_id, rank) => ({ category_id, product_id: productId, rank })))
        .execute();
    }
    return;
  }
  await trx.deleteFrom('catalog.product_collections').where('product_id', '=', productId).execute();
  if (ids.length > 0) {
    await trx
      .insertInto('catalog.product_collections')
      .values(ids.map((collection_id, rank) => ({ collection_id, product_id: productId, rank })))
      .execute();
  }
}
