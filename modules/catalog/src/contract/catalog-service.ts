import type { Money } from '@emporium/platform';
import type { CategoryDocument, ProductDocument } from './product.ts';

/** What the cart and checkout need to price a line: the catalog's current view of a variant. */
export interface VariantForSale {
  variant_id: string;
  product_id: string;
  product_title: string;
  product_handle: string;
  sku: string;
  title: string;
  prices: Money[];
  weight_grams: number | null;
  /** False when the product is not published (a cart must refuse it). */
  purchasable: boolean;
}

/**
 * The catalog's service interface, used by other modules (in-process in the monolith, over HTTP
 * when split). Reads only; writes go through the admin API.
 */
export interface CatalogService {
  /** A published product by handle, or undefined. */
  getPublishedProduct(handle: string): Promise<ProductDocument | undefined>;
  /** Variants by id, for pricing; unknown ids are absent from the map. */
  getVariantsForSale(variantIds: readonly string[]): Promise<Map<string, VariantForSale>>;
  /** The whole category tree, flat, ordered by parent then rank. */
  listCategories(): Promise<CategoryDocument[]>;
}
