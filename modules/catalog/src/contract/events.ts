import type { CategoryDocument, CollectionDocument, ProductDocument } from './product.ts';

/**
 * Events the catalog writes to the outbox in the same transaction as the change. Consumers
 * (search, cache invalidation, edge purge) must be idempotent: use `handleOnce`.
 */
export const catalogEvents = {
  /** A product was created, changed, published, unpublished or archived. Payload: ProductChanged. */
  productChanged: 'catalog.product.changed.v1',
  /** A category was created, renamed, moved or removed. Payload: CategoryChanged. */
  categoryChanged: 'catalog.category.changed.v1',
  /** A collection was created, renamed or removed. Payload: CollectionChanged. */
  collectionChanged: 'catalog.collection.changed.v1',
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
  /**
   * The handle before this change when it changed (for redirects and for purging what was cached
   * under the old handle), else null. The catalog always sets it; it is optional so that payloads
   * written before it existed still read.
   */
  previous_handle?: string | null;
  /**
   * Variants this change removed (for purging what was cached of them); empty when none. Optional
   * for payloads written before it existed.
   */
  previous_variant_ids?: string[];
}

/**
 * A category changed. Products in it are not re-sent: consumers that show category names or
 * descendants (search facets) update them from this event.
 */
export interface CategoryChanged {
  /** The category after the change (as it was, for `deleted`). */
  category: CategoryDocument;
  change: 'created' | 'updated' | 'deleted';
}

export interface CollectionChanged {
  /** The collection after the change (as it was, for `deleted`). */
  collection: CollectionDocument;
  change: 'created' | 'updated' | 'deleted';
}

/**
 * Written with every product or category change. Product pages carry `Surrogate-Key: <product id>
 * <category ids>`; `GET /store/categories` carries `categories`. A product change purges its id and
 * its category ids before and after; a category change purges its id and `categories`.
 */
export interface SurrogateKeysPurged {
  /** e.g. `['prod_01…', 'cat_01…']`: every cached page tagged with one of them must go. */
  keys: string[];
}
