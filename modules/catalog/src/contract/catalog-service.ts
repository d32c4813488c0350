import type { Money } from '@emporium/platform';
import type { CategoryDocument, ProductDocument } from './product.ts';

/**
 * What the cart and checkout need to price a line: the catalog's current view of a variant.
 * Prices are integer minor units, one per currency.
 *
 * @example
 * { variant_id: 'var_01…', product_id: 'prod_01…', product_title: 'Linen Shirt',
 *   product_handle: 'linen-shirt', sku: 'LS-M', title: 'M',
 *   prices: [{ amount: 2999, currency_code: 'usd' }], weight_grams: 200, purchasable: true }
 */
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
 *
 * @example
 * const lines = await catalog.getVariantsForSale(cart.items.map((i) => i.variant_id));
 * const line = lines.get(variantId);
 * if (!line?.purchasable) return { code: 'not_for_sale' };
 */
export interface CatalogService {
  /**
   * A published product by handle, or undefined for an unknown, draft or archived one. Served
   * from the cache (invalidated on every change of the product), so cheap to call per request.
   */
  getPublishedProduct(handle: string): Promise<ProductDocument | undefined>;
  /**
   * Variants by id, for pricing, in one query whatever the number of ids (never cached: carts
   * price from what is current). Unknown ids are absent from the map; duplicates are fine.
   */
  getVariantsForSale(variantIds: readonly string[]): Promise<Map<string, VariantForSale>>;
  /** The whole category tree, flat: roots first, then by parent, rank and id. Cached. */
  listCategories(): Promise<CategoryDocument[]>;
}
