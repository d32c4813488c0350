import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from './warm-page.ts';

/** A JSON body serialised once with its entity tag, so hot paths can cache both. */
export interface PreparedBody {
  readonly json: string;
  readonly etag: string;
}

export interface CacheableOptions {
  /**
   * Keys an edge cache tags the response with (`Surrogate-Key`), purged when the data changes; or
   * the header's value already made by `surrogateKeyHeader` (a cached page keeps it so).
   */
  surrogateKeys: readonly string[] | string;
  /** Seconds a shared cache (CDN, Varnish) may serve it fresh. */
  sMaxAge: number;
  /** Seconds a shared cache may serve it stale while it revalidates in the background. */
  staleWhileRevalidate: number;
  /** Seconds a browser may reuse it without asking. Default 0 (always revalidate, cheap with the ETag). */
  maxAge?: number;
  /**
   * The cache key under which `getOrSetText` keeps this page packed by `packPage`, when the page is
   * the same for every request of this URL: the app's warm path (`WarmResponses`) then answers the
   * URL's next GETs from that entry, before routing, for as long as the entry lives.
   */
  warmPageKey?: string;
}

/** Serialises `body` and derives a strong ETag from its bytes. */
export function prepareBody(body: unknown): PreparedBody {
  const json = JSON.stringify(body);
  const hash = createHash('sha256').update(json).digest('base64url').slice(0, 27);
  return { json, etag: `"${hash}"` };
}

/** A prepared body with the surrogate keys of its page: what hot paths keep in a text cache. */
export interface PreparedPage {
  readonly body: PreparedBody;
  /** The `Surrogate-Key` header's value (`surrogateKeyHeader`), made once with the page. */
  readonly surrogateKey: string;
}

/** The `Surrogate-Key` value naming `keys`: each once, space-separated. */
export function surrogateKeyHeader(keys: readonly string[]): string {
  return [...new Set(keys)].join(' ');
}

/** A page of `body` tagged with `keys`, serialised once. */
export function preparePage(body: unknown, keys: readonly string[]): PreparedPage {
  return { body: prepareBody(body), surrogateKey: surrogateKeyHeader(keys) };
}

/**
 * One string for `Cache.getOrSetText`: the ETag, the surrogate-key header and the JSON on three
 * lines (none of the first two can hold a newline; the JSON is last, so it may). `null` (no such
 * page) packs to an empty string. A warm request unpacks it with two searches and three slices.
 */
export function packPage(page: PreparedPage | null): string {
  return page === null ? '' : `${page.body.etag}\n${page.surrogateKey}\n${page.body.json}`;
}

/** The page `packPage` packed, or null. */
export function unpackPage(text: string): PreparedPage | null {
  if (text === '') return null;
  const first = text.indexOf('\n');
  const second = text.indexOf('\n', first + 1);
  if (first < 0 || second < 0) throw new Error('not a packed page');
  return {
    body: { etag: text.slice(0, first), json: text.slice(second + 1) },
    surrogateKey: text.slice(first + 1, second),
  };
}

/** True when an `If-None-Match` header names `etag` (weak comparison, RFC 9110 §13.1.2). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === bare);
}

/**
 * Answers with a cacheable JSON body: `ETag`, `Cache-Control` (public, s-maxage,
 * stale-while-revalidate), `Surrogate-Key`, and 304 without a body when the client's
 * `If-None-Match` already names this version.
 */
export function sendCacheable(
  request: FastifyRequest,
  reply: FastifyReply,
  body: unknown,
  options: CacheableOptions,
): FastifyReply {
  const prepared = isPrepared(body) ? body : prepareBody(body);
  const cacheControl = `public, max-age=${options.maxAge ?? 0}, s-maxage=${options.sMaxAge}, stale-while-revalidate=${options.staleWhileRevalidate}`;
  const route = request.routeOptions.url;
  if (options.warmPageKey !== undefined && request.method === 'GET' && route !== undefined) {
    request.server.warmResponses?.remember(request.url, {
      pageKey: options.warmPageKey,
      route,
      cacheControl,
    });
  }
  reply
    .header('etag', prepared.etag)
    .header('cache-control', cacheControl)
    // No `Vary: Accept-Encoding`: this JSON is the same whatever the client accepts, so an edge cache
    // keeps one copy of it (an edge that compresses adds the header to what it sends on).
    .header(
      'surrogate-key',
      typeof options.surrogateKeys === 'string'
        ? options.surrogateKeys
        : surrogateKeyHeader(options.surrogateKeys),
    );
  if (matchesEtag(request.headers['if-none-match'], prepared.etag)) {
    return reply.code(304).send();
  }
  return reply.type('application/json; charset=utf-8').send(prepared.json);
}

function isPrepared(body: unknown): body is PreparedBody {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as PreparedBody).json === 'string' &&
    typeof (body as PreparedBody).etag === 'string' &&
    Object.keys(body).length === 2
  );
}
