import type { IncomingMessage, ServerResponse } from 'node:http';

// The warm path's types and Fastify's `warmResponses` decoration, apart from its implementation so
// that `sendCacheable` can name them without importing what imports it.

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by `createHttpApp` when its cache can be read without waiting; see {@link WarmResponses}. */
    warmResponses: WarmResponses | null;
  }
}

/** What a route tells the warm path about a URL it has answered with a cached page. */
export interface WarmPage {
  /** The cache key under which `getOrSetText` keeps this URL's page, packed by `packPage`. */
  readonly pageKey: string;
  /** The route's pattern, for the metrics (`/store/products/:handle`). */
  readonly route: string;
  /** The `Cache-Control` value the route sends with the page. */
  readonly cacheControl: string;
}

/**
 * Answers a repeated GET of a cacheable page straight from the page cache, before Fastify routes
 * it. A warm store page is the same text for everyone, and the work Fastify does around it
 * (routing, the request and reply objects, hooks, schema checks, an async handler) cost more than
 * the answer itself: about half of a warm product page's server time (decision 0002). No library
 * does this inside the process (an edge cache such as Varnish does it in front of it), so it is
 * written here, and kept to what the full path would answer byte for byte:
 * - a route opts a URL in (`sendCacheable` with `warmPageKey`) after answering it the full way, so the
 *   URL has passed the route's schema and maps to exactly one cache key;
 * - the page is read from the page cache itself, never copied: when it expires or an invalidation
 *   removes it, the next request takes the full path and rebuilds it (nothing here can go stale);
 * - only a GET with no body, while the app is not shutting down, and only from a cache that can be
 *   read without waiting (the in-process one): with Redis every request takes the full path;
 * - the same headers as the full path (security headers, request id, ETag, caching, surrogate
 *   keys), 304 for a matching `If-None-Match`, the same RED metrics under the route's pattern and,
 *   when the log level includes `info`, the same two request log lines.
 */
export interface WarmResponses {
  /** Records that GET `url` answers the page cached at `page.pageKey`. */
  remember(url: string, page: WarmPage): void;
  /** Answers `req` and returns true when it is a warm page; otherwise returns false and does nothing. */
  answer(req: IncomingMessage, res: ServerResponse): boolean;
}
