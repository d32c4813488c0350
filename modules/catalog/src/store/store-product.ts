import type { ProductDocument, StoreProductDocument } from '../contract/index.ts';

/**
 * The store's view of a published product: each variant gets its price in `currency` (null when
 * it has none in it) and `available` from the inventory's count (true when at least one unit).
 */
export function toStoreProduct(
  product: ProductDocument,
  currency: string,
  availability: ReadonlyMap<string, number>,
): StoreProductDocument {
  return {
    ...product,
    currency_code: currency,
    variants: product.variants.map((variant) => ({
      ...variant,
      price: variant.prices.find((p) => p.currency_code === currency) ?? null,
      available: (availability.get(variant.id) ?? 0) > 0,
    })),
  };
}
