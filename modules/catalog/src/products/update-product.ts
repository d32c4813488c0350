import type { FieldError } from '@emporium/platform';
import type { CatalogContext } from '../catalog-context.ts';
import type { ProductDocument, ProductStatus } from '../contract/index.ts';
import { jsonb } from '../db/jsonb.ts';
import { handleTaken, invalidBody } from '../errors.ts';
import { isHandleFree } from '../handles/free-handle.ts';
import { type ChangeOutcome, changeProduct } from './change-product.ts';
import { optionsChangeErrors } from './product-rules.ts';
import type { UpdateProductBody } from './product-schemas.ts';
import { linkErrors, replaceLinks } from './product-writes.ts';

/** How a status change reads in the event; any other accepted patch is `updated`. */
const statusChange: Record<ProductStatus, ChangeOutcome> = {
  published: 'published',
  draft: 'unpublished',
  archived: 'archived',
};

/**
 * Applies a partial update. Every accepted patch is a new version (even one that repeats current
 * values), so the version a client holds always names exactly one state it has seen.
 */
export function updateProduct(
  ctx: CatalogContext,
  productId: string,
  expectedVersion: number | undefined,
  patch: Omit<UpdateProductBody, 'version'>,
): Promise<ProductDocument> {
  return changeProduct(ctx, productId, expectedVersion, async (trx, before, now) => {
    const problems: FieldError[] = [];
    if (patch.options !== undefined) problems.push(...optionsChangeErrors(patch.options, before.variants));
    if (patch.category_ids !== undefined) {
      problems.push(...(await linkErrors(trx, 'catalog.categories', patch.category_ids, '/category_ids')));
    }
    if (patch.collection_ids !== undefined) {
      problems.push(
        ...(await linkErrors(trx, 'catalog.collections', patch.collection_ids, '/collection_ids')),
      );
    }
    if (problems.length > 0) throw invalidBody(problems);
    if (patch.handle !== undefined && patch.handle !== before.handle) {
      if (!(await isHandleFree(trx, 'catalog.products', patch.handle, productId))) {
        throw handleTaken('product', patch.handle);
      }
    }
    const status = patch.status ?? before.status;
    const statusChanged = status !== before.status;
    const columns = {
      ...(patch.title === undefined ? {} : { title: patch.title }),
      ...(patch.handle === undefined ? {} : { handle: patch.handle }),
      ...(patch.description === undefined ? {} : { description: patch.description }),
      ...(patch.attributes === undefined ? {} : { attributes: jsonb(patch.attributes) }),
      ...(patch.images === undefined ? {} : { images: jsonb(patch.images) }),
      ...(patch.options === undefined ? {} : { options: jsonb(patch.options) }),
      ...(statusChanged ? { status, published_at: status === 'published' ? now : null } : {}),
    };
    if (Object.keys(columns).length > 0) {
      await trx.updateTable('catalog.products').set(columns).where('id', '=', productId).execute();
    }
    if (patch.category_ids !== undefined)
      await replaceLinks(trx, 'categories', productId, patch.category_ids);
    if (patch.collection_ids !== undefined) {
      await replaceLinks(trx, 'collections', productId, patch.collection_ids);
    }
    return statusChanged ? statusChange[status] : 'updated';
  });
}
