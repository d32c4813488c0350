import { type FieldError, notFound } from '@emporium/platform';
import type { CatalogContext } from '../catalog-context.ts';
import type { ProductDocument, VariantDocument } from '../contract/index.ts';
import { jsonb } from '../db/jsonb.ts';
import { invalidBody, lastVariant } from '../errors.ts';
import { changeProduct } from './change-product.ts';
import { combinationKey, variantErrors } from './product-rules.ts';
import { MAX_VARIANTS, type VariantBody, type VariantPatchBody } from './product-schemas.ts';
import { assertSkusFree, insertVariants } from './product-writes.ts';

/** A variant change's result: the variant as it is now, and its product at the new version. */
export interface VariantResult {
  variant: VariantDocument;
  product: ProductDocument;
}

/** Problems with `variant` among the product's other variants (`/`-rooted paths of its body). */
function fitErrors(product: ProductDocument, variant: VariantBody, exceptId?: string): FieldError[] {
  const errors = variantErrors(product.options, variant, '');
  const key = combinationKey(variant.options);
  const twin = product.variants.find((v) => v.id !== exceptId && combinationKey(v.options) === key);
  if (twin)
    errors.push({
      path: '/options',
      message: `are those of variant "${twin.sku}": each variant needs its own combination`,
    });
  return errors;
}

function variantIn(product: ProductDocument, variantId: string): VariantDocument {
  const variant = product.variants.find((v) => v.id === variantId);
  if (!variant) throw notFound('This variant');
  return variant;
}

export async function addVariant(
  ctx: CatalogContext,
  productId: string,
  expectedVersion: number | undefined,
  input: VariantBody,
): Promise<VariantResult> {
  const product = await changeProduct(ctx, productId, expectedVersion, async (trx, before, now) => {
    const errors = fitErrors(before, input);
    if (before.variants.length >= MAX_VARIANTS) {
      errors.push({
        path: '',
        message: `would be variant ${MAX_VARIANTS + 1}: a product has at most ${MAX_VARIANTS}`,
      });
    }
    if (errors.length > 0) throw invalidBody(errors);
    await assertSkusFree(trx, [input.sku]);
    await insertVariants(trx, productId, [input], now, before.variants.length);
    return 'updated';
  });
  const variant = product.variants.find((v) => v.sku === input.sku);
  if (!variant) throw new Error(`variant ${input.sku} missing after insert`);
  return { variant, product };
}

export async function updateVariant(
  ctx: CatalogContext,
  productId: string,
  variantId: string,
  expectedVersion: number | undefined,
  patch: VariantPatchBody,
): Promise<VariantResult> {
  const product = await changeProduct(ctx, productId, expectedVersion, async (trx, before, now) => {
    const current = variantIn(before, variantId);
    const merged: VariantBody = {
      sku: patch.sku ?? current.sku,
      title: patch.title ?? current.title,
      options: patch.options ?? current.options,
      prices: patch.prices ?? current.prices,
    };
    const errors = fitErrors(before, merged, variantId);
    if (errors.length > 0) throw invalidBody(errors);
    if (patch.sku !== undefined) await assertSkusFree(trx, [patch.sku], [variantId]);
    await trx
      .updateTable('catalog.variants')
      .set({
        sku: merged.sku,
        title: merged.title,
        options: jsonb(merged.options ?? {}),
        prices: jsonb(merged.prices),
        ...(patch.weight_grams === undefined ? {} : { weight_grams: patch.weight_grams }),
        ...(patch.barcode === undefined ? {} : { barcode: patch.barcode }),
        updated_at: now,
      })
      .where('id', '=', variantId)
      .execute();
    return 'updated';
  });
  return { variant: variantIn(product, variantId), product };
}

export function removeVariant(
  ctx: CatalogContext,
  productId: string,
  variantId: string,
  expectedVersion: number | undefined,
): Promise<ProductDocument> {
  return changeProduct(ctx, productId, expectedVersion, async (trx, before) => {
    variantIn(before, variantId);
    if (before.variants.length === 1) throw lastVariant();
    await trx.deleteFrom('catalog.variants').where('id', '=', variantId).execute();
    return 'updated';
  });
}
