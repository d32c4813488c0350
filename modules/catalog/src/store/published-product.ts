import { handleTag, storeProductKey } from '../cache/cache-tags.ts';
import type { CatalogContext } from '../catalog-context.ts';
import type { ProductDocument } from '../contract/index.ts';
import { documentByHandle } from '../products/product-document.ts';

/** Backstop for a missed invalidation; changes invalidate at once (after commit and by event). */
const TTL_MS = 5 * 60_000;

/**
 * The published product with this handle, or null, through the cache. Unknown, draft and archived
 * handles are cached as null too (a 404 storm costs no queries); the handle tag drops that entry
 * when a product takes or leaves the handle.
 *
 * Loads read the primary: a replica lagging behind an invalidation would put the old document
 * back for a whole TTL. The cache takes the read load, so misses are few.
 */
export function publishedProduct(ctx: CatalogContext, handle: string): Promise<ProductDocument | null> {
  return ctx.cache.getOrSet(
    storeProductKey(handle),
    TTL_MS,
    async () => {
      const product = await documentByHandle(ctx.db.primary, handle);
      return product?.status === 'published' ? product : null;
    },
    { tags: [handleTag(handle)] },
  );
}
