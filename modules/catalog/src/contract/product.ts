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

/** One purchasable variant of a product. Prices are integer minor units, one per currency. */
export interface VariantDocument {
  /** `var_…` */
  id: string;
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
  category_ids: string[];
  collection_ids: string[];
  variants: VariantDocument[];
  /** ISO 8601 times. */
  created_at: string;
  updated_at: string;
  published_at: string | null;
}

/** A node of the category tree. `parent_id` null for a root. */
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

/** A merchant-curated group of products ("Summer sale"), independent of the tree. */
export interface CollectionDocument {
  /** `col_…` */
  id: string;
  handle: string;
  title: string;
}
