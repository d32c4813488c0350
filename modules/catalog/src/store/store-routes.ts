import {
  type HttpApp,
  notFound,
  type PreparedPage,
  packPage,
  preparePage,
  sendCacheable,
  unpackPage,
} from '@emporium/platform';
import { Type } from 'typebox';
import { handleTag, storePageKey } from '../cache/cache-tags.ts';
import type { CatalogContext } from '../catalog-context.ts';
import { CATEGORIES_SURROGATE_KEY } from '../categories/category-events.ts';
import { buildCategoryTree } from '../categories/category-tree.ts';
import type { CatalogService } from '../contract/index.ts';
import { HANDLE } from '../http/common-schemas.ts';
import { availabilityOf } from './availability.ts';
import { publishedProduct } from './published-product.ts';
import { toStoreProduct } from './store-product.ts';

const tags = ['catalog (store)'];

/**
 * Edge caching. Product pages are purged by surrogate key on every catalog change, so what bounds
 * their freshness is availability, which changes without a catalog event: 30 s fresh at the edge,
 * then served stale for up to 60 s while it revalidates. The tree changes rarely and is purged too.
 */
export const productCaching = { sMaxAge: 30, staleWhileRevalidate: 60 } as const;
export const categoryCaching = { sMaxAge: 300, staleWhileRevalidate: 600 } as const;

// Not strict: links from campaigns carry their own parameters (utm_…), which must not turn a
// product page into a 400. Only `currency` is read.
const ProductQuery = Type.Object({
  currency: Type.Optional(
    Type.String({ pattern: '^[a-z]{3}$', description: 'ISO 4217, lower case; default the store currency.' }),
  ),
});

export function registerStoreRoutes(app: HttpApp, ctx: CatalogContext, service: CatalogService): void {
  app.get(
    '/store/products/:handle',
    {
      schema: {
        tags,
        summary: 'A published product with its variants, prices in one currency and availability',
        // Any text: whatever is not a product's handle is a 404, not a 400.
        params: Type.Object({ handle: Type.String({ maxLength: 200 }) }),
        querystring: ProductQuery,
      },
    },
    async (request, reply) => {
      const { handle } = request.params;
      const currency = request.query.currency ?? ctx.defaultCurrency;
      // Pages are cached as long as availability is (not at all when that is 0).
      const key = ctx.availabilityTtlMs > 0 ? storePageKey(handle, currency) : undefined;
      // A string that cannot be a handle never reaches the cache or the database.
      const page = HANDLE.test(handle) ? await productPage(ctx, handle, currency, key) : null;
      if (!page) throw notFound('This product');
      return sendCacheable(request, reply, page.body, {
        surrogateKeys: page.surrogateKey,
        ...productCaching,
        // While the page is cached, this URL's next requests are answered from it before routing.
        ...(key === undefined ? {} : { warmPageKey: key }),
      });
    },
  );

  app.get(
    '/store/categories',
    { schema: { tags, summary: 'The category tree: roots with nested `children`' } },
    async (request, reply) =>
      sendCacheable(
        request,
        reply,
        { data: buildCategoryTree(await service.listCategories()), next_cursor: null },
        { surrogateKeys: [CATEGORIES_SURROGATE_KEY], ...categoryCaching },
      ),
  );
}

/**
 * The serialised page of a published product in one currency, with its ETag, or null for a handle
 * that is not a published product. A warm request then costs one cache read of text: no document
 * to parse, nothing to build, serialise or hash. It lives as long as the availability it shows (a
 * few seconds) and goes at once with the handle's tag, which every change of the product invalidates.
 * Kept at `key` (`storePageKey`); with no key (no availability cache) it is built on every request.
 */
async function productPage(
  ctx: CatalogContext,
  handle: string,
  currency: string,
  key: string | undefined,
): Promise<PreparedPage | null> {
  const build = async (): Promise<PreparedPage | null> => {
    const product = await publishedProduct(ctx, handle);
    if (!product) return null;
    const availability = await availabilityOf(ctx, product);
    return preparePage({ product: toStoreProduct(product, currency, availability) }, [
      product.id,
      ...product.category_ids,
    ]);
  };
  if (key === undefined) return build();
  const packed = await ctx.cache.getOrSetText(
    key,
    ctx.availabilityTtlMs,
    async () => packPage(await build()),
    { tags: [handleTag(handle)] },
  );
  return unpackPage(packed);
}
