import type { CategoryDocument, ProductDocument } from './product.ts';

/**
 * Events the catalog writes to the outbox in the same transaction as the change. Consumers
 * (search, cache invalidation, edge purge) must be idempotent: use `handleOnce`.
 */
export const catalogEvents = {
  /** A product was created, changed, published, unpublished or archived. Payload: ProductChanged. */
  productChanged: 'catalog.product.changed.v1',
  /** A category was created, renamed, moved or removed. Payload: CategoryChanged. */
  categoryChanged: 'catalog.category.changed.v1',
  /** Surrogate keys an edge cache should purge now. Payload: SurrogateKeysPurged. */
  surrogateKeysPurged: 'catalog.surrogate_keys.purged.v1',
} as const;

export interface ProductChanged {
  /** The product after the change (status tells whether the store may show it). */
  product: ProductDocument;
  /** Names of its categories at the time, so consumers can index them without asking. */
  categories: Array<Pick<CategoryDocument, 'id' | 'handle' | 'name'>>;
  /** What happened, for consumers that care (search does not: it indexes `product`). */
  change: 'created' | 'updated' | 'published' | 'unpublished' | 'archived';
}

export interface CategoryChanged {
  category: CategoryDocument;
  change: 'created' | 'updated' | 'deleted';
}

export interface SurrogateKeysPurged {
  /** e.g. `['prod_01…', 'cat_01…', 'products']`: every cached page tagged with one must go. */
  keys: string[];
}
