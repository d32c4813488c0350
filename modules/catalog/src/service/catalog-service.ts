import { categoriesKey, categoriesTag, variantForSaleKey, variantTag } from '../cache/cache-tags.ts';
import type { CatalogContext } from '../catalog-context.ts';
import { loadAllCategories } from '../categories/category-rows.ts';
import type { CatalogService, VariantForSale } from '../contract/index.ts';
import { publishedProduct } from '../store/published-product.ts';

const CATEGORIES_TTL_MS = 5 * 60_000;
/** A bound on how stale a variant's sale facts can be if an invalidation is lost. */
const VARIANT_TTL_MS = 30_000;

/** The sale facts of `ids` that exist, from the primary in one query: carts price from what is current. */
async function loadVariantsForSale(
  ctx: CatalogContext,
  ids: readonly string[],
): Promise<Map<string, VariantForSale>> {
  const result = new Map<string, VariantForSale>();
  if (ids.length === 0) return result;
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
}

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
      // Each variant through the cache (every cart read and checkout prices from these, staff
      // rarely change them; a product change invalidates its variants' tags after its commit, and
      // the cache subscriber again from the event). The variants missing from the cache are read
      // in one query from the primary, shared by their loads.
      const found = await Promise.all(
        ids.map((id) => ctx.cache.get<VariantForSale | null>(variantForSaleKey(id))),
      );
      const toRead = ids.filter((_, i) => found[i] === undefined);
      let read: Promise<Map<string, VariantForSale>> | undefined;
      const load = (id: string) => async () => {
        read ??= loadVariantsForSale(ctx, toRead);
        return (await read).get(id) ?? null;
      };
      const loaded = await Promise.all(
        ids.map(async (id, i) =>
          found[i] !== undefined
            ? found[i]
            : ctx.cache.getOrSet(variantForSaleKey(id), VARIANT_TTL_MS, load(id), { tags: [variantTag(id)] }),
        ),
      );
      for (const variant of loaded) if (variant) result.set(variant.variant_id, variant);
      return result;
    },

    listCategories() {
      return ctx.cache.getOrSet(categoriesKey, CATEGORIES_TTL_MS, () => loadAllCategories(ctx.db.primary), {
        tags: [categoriesTag],
      });
    },
  };
}
