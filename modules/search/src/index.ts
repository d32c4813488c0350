import type { EmporiumModule, ModulePorts } from '@emporium/platform';
import { cachedSearch, SEARCH_CACHE_TAG } from './cached-search.ts';
import type { SearchPort } from './contract/search-port.ts';
import { type ListingCacheOptions, registerProductsRoute } from './http/products-route.ts';
import { createPostgresSearch } from './pg-search.ts';
import { subscribeIndexer } from './projection/subscribe-indexer.ts';

export type {
  SearchFacets,
  SearchHit,
  SearchPort,
  SearchQuery,
  SearchResult,
  SearchSort,
} from './contract/index.ts';
export { type SearchErrorCode, searchErrorCodes } from './errors.ts';
export type { ListingCacheOptions } from './http/products-route.ts';
export { createPostgresSearch } from './pg-search.ts';
export { type ProductRow, toProductRow } from './projection/product-row.ts';
export { bulkIndexProducts, INDEXER_CONSUMER, indexCatalogEvent } from './projection/subscribe-indexer.ts';
export { searchMigrations } from './search-migrations.ts';

export interface SearchModuleOptions {
  /** Another engine behind the same port (default: PostgreSQL full-text search on the projection). */
  search?: SearchPort;
  /** Edge caching of `GET /store/products`. */
  listingCache?: Partial<ListingCacheOptions>;
  /** Keep the projection current from catalog events (default true; false for a read-only replica service). */
  index?: boolean;
  /**
   * How long the default search keeps a result in the platform cache (ms; default 30 000, 0 for
   * never). Every projection change invalidates all cached results.
   */
  resultCacheTtlMs?: number;
}

/**
 * The search module: `GET /store/products` over the search port, and the projection kept current
 * from catalog events. Its migrations (`searchMigrations`) are registered separately.
 */
export function createSearchModule(
  ports: ModulePorts,
  options: SearchModuleOptions = {},
): EmporiumModule & { search: SearchPort } {
  const ttl = options.resultCacheTtlMs ?? 30_000;
  const postgres = createPostgresSearch(ports.db);
  const search = options.search ?? (ttl > 0 ? cachedSearch(postgres, ports.cache, ttl) : postgres);
  const cache: ListingCacheOptions = { sMaxAge: 60, staleWhileRevalidate: 300, ...options.listingCache };
  return {
    name: 'search',
    search,
    async registerRoutes(app) {
      // The route caches whole serialised pages (same TTL and tag), so it asks the port beneath the
      // result cache: a miss would otherwise be stored twice, once as results and once as a page.
      const pages = ttl > 0 ? { cache: ports.cache, ttlMs: ttl } : undefined;
      registerProductsRoute(app, pages ? (options.search ?? postgres) : search, cache, pages);
    },
    subscribe(bus) {
      if (options.index !== false) {
        subscribeIndexer(bus, ports.db, () => ports.cache.invalidateTags([SEARCH_CACHE_TAG]));
      }
    },
  };
}
