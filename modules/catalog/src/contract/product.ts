import type { Money } from '@emporium/platform';

/** Where a product is in its life: only `published` products are visible in the store. */
export type ProductStatus = 'draft' | 'published' | 'archived';

/** A product image. `url` is absolute-path (`/media/...`) or absolute; sizes in pixels. */
export interface ProductImage {
  url: string;
  alt: string;
  width: number;
  height: number;
}

/** An option the shopper picks, e.g. `{ title: 'Size', values: ['S', 'M', 'L'] }`. */
export interface ProductOption {
  title: string;
  values: string[];
}

/**
 * One purchasable variant of a product. Prices are integer minor units, one per currency; the
 * options name one value for each of the product's options, and no two variants of a product
 * share a combination.
 *
 * @example
 * { id: 'var_01…', sku: 'TEE-M-BLUE', title: 'M / Blue', options: { Size: 'M', Colour: 'Blue' },
 *   prices: [{ amount: 1999, currency_code: 'usd' }], weight_grams: 180, barcode: null }
 */
export interface VariantDocument {
  /** `var_…` */
  id: string;
  /** Unique across the catalog. */
  sku: string;
  title: string;
  /** Option title → chosen value, e.g. `{ Size: 'M', Colour: 'Blue' }`. */
  options: Record<string, string>;
  prices: Money[];
  weight_grams: number | null;
  barcode: string | null;
}

/**
 * The whole product as the catalog publishes it: in admin responses, in events, and (for
 * published products) in the store. `version` increases by one with every change and is the
 * optimistic-concurrency token (`If-Match` / `version` in updates).
 */
export interface ProductDocument {
  /** `prod_…` */
  id: string;
  /** URL-safe, unique: `[a-z0-9]+(-[a-z0-9]+)*`. */
  handle: string;
  title: string;
  description: string;
  status: ProductStatus;
  version: number;
  /** Free-form merchant attributes (material, brand, …), searchable. */
  attributes: Record<string, unknown>;
  images: ProductImage[];
  options: ProductOption[];
  /** In the merchant's order; the first is the product's primary category. */
  category_ids: string[];
  collection_ids: string[];
  variants: VariantDocument[];
  /** ISO 8601 times. */
  created_at: string;
  updated_at: string;
  published_at: string | null;
}

/**
 * A node of the category tree. `parent_id` null for a root; the tree never has a cycle.
 *
 * @example { id: 'cat_01…', handle: 'jackets', name: 'Jackets', description: '', parent_id: 'cat_02…', rank: 0 }
 */
export interface CategoryDocument {
  /** `cat_…` */
  id: string;
  handle: string;
  name: string;
  description: string;
  parent_id: string | null;
  /** Position among its siblings (ascending). */
  rank: number;
}

/**
 * A merchant-curated group of products ("Summer sale"), independent of the tree.
 *
 * @example { id: 'col_01…', handle: 'summer-sale', title: 'Summer sale' }
 */
export interface CollectionDocument {
  /** `col_…` */
  id: string;
  handle: string;
  title: string;
}

/**
 * A variant as `GET /store/products/{handle}` shows it: the variant, its price in the requested
 * currency and whether it can be bought right now.
 *
 * @example { ...variant, price: { amount: 1999, currency_code: 'usd' }, available: true }
 */
export interface StoreVariantDocument extends VariantDocument {
  /** The price in the response's `currency_code`, or null when the variant has none in it. */
  price: Money | null;
  /** True when the inventory has at least one unit available to sell now. */
  available: boolean;
}

/**
 * A published product as `GET /store/products/{handle}` shows it. `currency_code` is the one asked
 * for (`?currency=eur`) or the store's default currency (`usd` unless configured otherwise).
 */
export interface StoreProductDocument extends Omit<ProductDocument, 'variants'> {
  currency_code: string;
  variants: StoreVariantDocument[];
}
