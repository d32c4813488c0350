import type { CatalogContext } from '../catalog-context.ts';

/**
 * Invalidates cache tags right after a commit. A failure is logged, not thrown: the change is
 * committed, and the catalog's own subscriber invalidates the same tags again from the event
 * (retrying until the cache answers), so the response need not fail for it.
 */
export async function invalidateAfterCommit(ctx: CatalogContext, tags: readonly string[]): Promise<void> {
  try {
    await ctx.cache.invalidateTags(tags);
  } catch (err) {
    ctx.logger.warn({ err, tags }, 'catalog cache invalidation failed; the event subscriber will retry it');
  }
}
