import {
  type Cache,
  type HttpApp,
  type PreparedPage,
  ProblemSchema,
  packPage,
  preparePage,
  StrictObject,
  sendCacheable,
  unpackPage,
} from '@emporium/platform';
import { type Static, Type } from 'typebox';
import { cacheKey, SEARCH_CACHE_TAG } from '../cached-search.ts';
import type { SearchPort, SearchQuery, SearchResult } from '../contract/search-port.ts';
import { ProductListSchema } from './product-list-schema.ts';

/** Edge caching of listings: short, because the catalog purges by surrogate key anyway. */
export interface ListingCacheOptions {
  /** Seconds a shared cache may serve a listing fresh. Default 60. */
  sMaxAge: number;
  /** Seconds it may serve it stale while revalidating. Default 300. */
  staleWhileRevalidate: number;
}

const Query = StrictObject({
  q: Type.Optional(
    Type.String({ maxLength: 200, description: 'Free text; treated as words, never as syntax.' }),
  ),
  category: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'Category id or handle (descendants included).',
    }),
  ),
  sort: Type.Optional(Type.Enum(['relevance', 'price_asc', 'price_desc', 'newest'])),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  currency: Type.String({ pattern: '^[A-Za-z]{3}$', default: 'usd' }),
  option: Type.Optional(
    Type.Array(Type.String({ pattern: '^[^:]+:.+$', maxLength: 200 }), {
      maxItems: 50,
      description: 'Repeatable `Title:Value`, e.g. `option=Size:M&option=Size:L&option=Colour:Navy`.',
    }),
  ),
  price_min: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  price_max: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  facets: Type.Optional(Type.Boolean({ description: 'Include facet counts (ask on the first page).' })),
});

/** `GET /store/products`: the store's listing and search, cacheable at the edge. */
/**
 * Where the route keeps serialised pages (body, ETag, surrogate keys) so that a warm request is one
 * cache read of text; invalidated with every search result by the indexer's tag.
 */
export interface PageCache {
  cache: Cache;
  ttlMs: number;
}

export function registerProductsRoute(
  app: HttpApp,
  search: SearchPort,
  cache: ListingCacheOptions,
  pages?: PageCache,
): void {
  app.get(
    '/store/products',
    {
      schema: {
        summary: 'List or search published products',
        tags: ['store'],
        querystring: Query,
        response: { 200: ProductListSchema, 400: ProblemSchema },
      },
    },
    async (request, reply) => {
      // The port checks what the schema cannot (price_min ≤ price_max) with the same 400; a
      // rejected load is never cached.
      const build = async (): Promise<PreparedPage> => {
        const result = await search.search(toSearchQuery(request.query));
        return preparePage(toBody(result), surrogateKeys(result));
      };
      const key = pages ? pageKey(request.url, request.query) : undefined;
      const page =
        pages && key
          ? unpackPage(
              await pages.cache.getOrSetText(key, pages.ttlMs, async () => packPage(await build()), {
                tags: [SEARCH_CACHE_TAG],
              }),
            )
          : await build();
      if (!page) throw new Error('a search page is never empty');
      return sendCacheable(request, reply, page.body, {
        surrogateKeys: page.surrogateKey,
        sMaxAge: cache.sMaxAge,
        staleWhileRevalidate: cache.staleWhileRevalidate,
        // While the page is cached, this URL's next requests are answered from it before routing.
        ...(key === undefined ? {} : { warmPageKey: key }),
      });
    },
  );
}

type ListingQuery = Static<typeof Query>;

function toSearchQuery(query: ListingQuery): SearchQuery {
  return {
    ...(query.q === undefined ? {} : { q: query.q }),
    ...(query.category === undefined ? {} : { category: query.category }),
    ...(query.option === undefined ? {} : { options: groupOptions(query.option) }),
    ...(query.price_min === undefined ? {} : { priceMin: query.price_min }),
    ...(query.price_max === undefined ? {} : { priceMax: query.price_max }),
    currency: query.currency.toLowerCase(),
    ...(query.sort === undefined ? {} : { sort: query.sort }),
    limit: query.limit,
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    facets: query.facets === true,
  };
}

/**
 * The page cache's key: the request's own path and query string when short (the schema has
 * already refused any parameter it does not know, so the text names one listing; spellings of the
 * same query are separate entries over one shared result cache), with no per-request work on a warm
 * listing; otherwise the query's canonical key.
 */
function pageKey(url: string, query: ListingQuery): string {
  return url.length <= 240 ? `search:page:url:${url}` : `search:page:${cacheKey(toSearchQuery(query))}`;
}

/** `['Size:M', 'Size:L', 'Colour:Navy']` → `{ Size: ['M', 'L'], Colour: ['Navy'] }`. */
export function groupOptions(pairs: readonly string[]): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const pair of pairs) {
    const colon = pair.indexOf(':');
    const title = pair.slice(0, colon);
    const values = groups[title] ?? [];
    const value = pair.slice(colon + 1);
    if (!values.includes(value)) values.push(value);
    groups[title] = values;
  }
  return groups;
}

function toBody(result: SearchResult) {
  return {
    data: result.hits,
    next_cursor: result.nextCursor,
    ...(result.facets ? { facets: result.facets } : {}),
    ...(result.didYouMean === undefined ? {} : { did_you_mean: result.didYouMean }),
  };
}

// `products` tags every listing (any product change may alter one); the category and the products
// shown let a purge target narrower pages.
function surrogateKeys(result: SearchResult): string[] {
  return ['products', ...(result.category ? [result.category.id] : []), ...result.hits.map((h) => h.id)];
}
