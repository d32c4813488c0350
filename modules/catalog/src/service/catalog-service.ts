import { categoriesKey, categoriesTag } from '../cache/cache-tags.ts';
import type { CatalogContext } from '../catalog-context.ts';
import { loadAllCategories } from '../categories/category-rows.ts';
import type { CatalogService, VariantForSale } from '../contract/index.ts';
import { publishedProduct } from '../store/published-product.ts';

const CATEGORIES_TTL_MS = 5 * 60_000;

/** The in-process implementation of the catalog's service interface. */
export function createCatalogService(ctx: CatalogContext): CatalogService {
  return {
    async getPublishedProduct(handle) {
      return (await publishedProduct(ctx, handle)) ?? undefined;
    },

    async getVariantsForSale(variantIds) {
      const result = new Map<string, VariantForSale>();
      const ids = [...new Set(variantIds)];
      if (ids.length === 0) return result;
      // One query for any number of ids, from the primary: carts price from what is current.
      const rows = await ctx.db.primary
        .selectFrom('catalog.variants as v')
        .innerJoin('catalog.products as p', 'p.id', 'v.product_id')
        .select([
          'v.id as variant_id',
          'v.product_id',
          'p.title as product_title',
          'p.handle as product_handle',
          'p.status',
          'v.sku',
          'v.title',
          'v.prices',
          'v.weight_grams',
        ])
        .where('v.id', 'in', ids)
        .execute();
      for (const { status, ...row } of rows) {
        result.set(row.variant_id, { ...row, purchasable: status === 'published' });
      }
      return result;
    },

    listCategories() {
      return ctx.cache.getOrSet(categoriesKey, CATEGORIES_TTL_MS, () => loadAllCategories(ctx.db.primary), {
        tags: [categoriesTag],
      });
    },
  };
}
