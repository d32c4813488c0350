import { createHash } from 'node:crypto';
import type { Cache } from '@emporium/platform';
import type { SearchPort, SearchQuery } from './contract/search-port.ts';

/** Every cached result carries this tag; the indexer invalidates it whenever the projection changes. */
export const SEARCH_CACHE_TAG = 'search:results';

/**
 * Remembers results for `ttlMs` in the platform cache (in-process LRU, or Redis shared by every
 * instance), so identical searches arriving together or in a burst query the database once
 * (`getOrSet` is single-flight). Results may be served until the indexer invalidates them, which
 * it does after every applied event; the TTL only bounds what an invalidation might miss.
 */
export function cachedSearch(inner: SearchPort, cache: Cache, ttlMs: number): SearchPort {
  return {
    search(query) {
      return cache.getOrSet(cacheKey(query), ttlMs, () => inner.search(query), { tags: [SEARCH_CACHE_TAG] });
    },
  };
}

/** One key per distinct query (options and their values in any order are the same query). */
export function cacheKey(query: SearchQuery): string {
  const options = Object.entries(query.options ?? {})
    .map(([title, values]) => [title, [...values].sort()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = JSON.stringify([
    query.q?.trim() ?? '',
    query.category ?? null,
    options,
    query.priceMin ?? null,
    query.priceMax ?? null,
    query.currency,
    query.sort ?? null,
    query.limit,
    query.cursor ?? null,
    query.facets === true,
  ]);
  return `search:${createHash('sha256').update(canonical).digest('base64url')}`;
}
