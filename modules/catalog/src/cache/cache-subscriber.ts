import { type Database, type EventBus, handleOnce } from '@emporium/platform';
import type { CatalogContext } from '../catalog-context.ts';
import { catalogEvents, type ProductChanged } from '../contract/index.ts';
import { categoriesTag, productChangeTags } from './cache-tags.ts';

/** Durable consumer name: keep it stable across releases. */
export const CACHE_CONSUMER = 'catalog-cache-invalidation';

/**
 * Invalidates cached product documents and the category tree from the catalog's own events. The
 * writing process already invalidated right after its commit; this covers a process that died
 * between commit and invalidation, or a cache that was unreachable then (the handler throws, and
 * the delivery is retried with backoff). With Redis, one invalidation serves every process.
 */
export function subscribeCacheInvalidation(
  bus: EventBus,
  ctx: Pick<CatalogContext, 'cache'> & { db: Database },
): void {
  bus.subscribe(
    CACHE_CONSUMER,
    [catalogEvents.productChanged, catalogEvents.categoryChanged],
    async (event) => {
      await handleOnce(ctx.db, CACHE_CONSUMER, event, async () => {
        if (event.type === catalogEvents.categoryChanged) {
          await ctx.cache.invalidateTags([categoriesTag]);
          return;
        }
        const { product, previous_handle, previous_variant_ids } = event.payload as ProductChanged;
        await ctx.cache.invalidateTags(
          productChangeTags(
            product.id,
            [product.handle, previous_handle],
            [...product.variants.map((v) => v.id), ...(previous_variant_ids ?? [])],
          ),
        );
      });
    },
  );
}
