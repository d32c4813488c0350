import type { CatalogContext } from '../catalog-context.ts';
import type { ProductDocument } from '../contract/index.ts';
import { changeProduct } from './change-product.ts';
import { nextStatus, type StatusAction } from './status-transition.ts';

const outcomeOf = { publish: 'published', unpublish: 'unpublished', archive: 'archived' } as const;

/** Publishes, unpublishes (back to draft) or archives a product; a repeat changes nothing. */
export function changeStatus(
  ctx: CatalogContext,
  productId: string,
  expectedVersion: number | undefined,
  action: StatusAction,
): Promise<ProductDocument> {
  return changeProduct(ctx, productId, expectedVersion, async (trx, before, now) => {
    const { status, changed } = nextStatus(before.status, action);
    if (!changed) return false;
    await trx
      .updateTable('catalog.products')
      .set({ status, published_at: status === 'published' ? now : null })
      .where('id', '=', productId)
      .execute();
    return outcomeOf[action];
  });
}
