/**
 * Cache keys and tags of the catalog. A store product is cached per handle (the store asks by
 * handle, and the id is not known before the load), tagged with its handle; a product change
 * invalidates the tags of its id and of its handles before and after the change, so a renamed
 * handle, a new product taking a handle that was a 404, and every entry keyed by id all go.
 */
export const storeProductKey = (handle: string): string => `catalog:store-product:${handle}`;
/** A store product page, serialised, per handle and currency (tagged with the handle too). */
export const storePageKey = (handle: string, currency: string): string =>
  `catalog:store-page:v2:${currency}:${handle}`;
export const handleTag = (handle: string): string => `product-handle:${handle}`;
export const productTag = (id: string): string => `product:${id}`;

/** A variant's sale facts (price, weight, purchasable), as carts price from; tagged with its id. */
export const variantForSaleKey = (variantId: string): string => `catalog:variant-for-sale:${variantId}`;
export const variantTag = (variantId: string): string => `variant:${variantId}`;

export const categoriesKey = 'catalog:categories';
export const categoriesTag = 'catalog:categories';

/**
 * Every tag to invalidate when a product changes: its id, its handles before and after, and its
 * variants before and after (a variant's sale facts hang on its product's title, handle and status).
 */
export function productChangeTags(
  id: string,
  handles: ReadonlyArray<string | null | undefined>,
  variantIds: ReadonlyArray<string> = [],
): string[] {
  const tags = new Set([productTag(id)]);
  for (const handle of handles) if (handle) tags.add(handleTag(handle));
  for (const variantId of variantIds) tags.add(variantTag(variantId));
  return [...tags];
}
