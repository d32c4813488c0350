import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { Cache } from '../cache/cache.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { Metrics } from '../metrics/create-metrics.ts';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.ts';
import { apiSecurityHeaders } from './security-headers.ts';
import { matchesEtag, unpackPage } from './send-cacheable.ts';
import type { WarmPage, WarmResponses } from './warm-page.ts';

export interface WarmResponsesOptions {
  cache: Cache;
  metrics: Metrics;
  logger: Logger;
  /** True once the app is shutting down: requests then take the full path (which refuses them). */
  isShuttingDown: () => boolean;
  /** Whether the app trusts `X-Forwarded-*`: the request log's client address then needs the full path. */
  trustProxy: boolean;
  /** The most URLs remembered (least recently used forgotten first). Default 20 000. */
  maxUrls?: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The warm path over `options.cache`, or null when that cache cannot be read without waiting. */
export function createWarmResponses(options: WarmResponsesOptions): WarmResponses | null {
  const read = options.cache.readTextNow;
  if (read === undefined) return null;
  const { metrics, logger, isShuttingDown, trustProxy } = options;
  const urls = new LRUCache<string, WarmPage>({ max: options.maxUrls ?? 20_000 });

  return {
    remember(url, page) {
      urls.set(url, page);
    },

    answer(req, res) {
      const url = req.url;
      if (req.method !== 'GET' || url === undefined) return false;
      const page = urls.get(url);
      if (page === undefined || hasBody(req) || isShuttingDown()) return false;
      const logRequests = logger.isLevelEnabled('info');
      if (logRequests && trustProxy) return false;
      const started = performance.now();
      // A miss (expired, evicted, invalidated) or a cached "no such page" is the route's to answer.
      const packed = read(page.pageKey);
      const cached = packed === undefined ? null : unpackPage(packed);
      if (cached === null) return false;
      const { body, surrogateKey } = cached;

      const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      const log = logRequests ? logger.child({ request_id: id }) : null;
      log?.info(
        { req: { method: req.method, url, ip: req.socket.remoteAddress, socket: req.socket } },
        'incoming request',
      );
      const headers: OutgoingHttpHeaders = {
        ...apiSecurityHeaders,
        [REQUEST_ID_HEADER]: id,
        etag: body.etag,
        'cache-control': page.cacheControl,
        'surrogate-key': surrogateKey,
      };
      let status = 200;
      if (matchesEtag(req.headers['if-none-match'], body.etag)) {
        status = 304;
        res.writeHead(status, headers).end();
      } else {
        headers['content-type'] = JSON_TYPE;
        headers['content-length'] = Buffer.byteLength(body.json);
        res.writeHead(status, headers).end(body.json);
      }
      const elapsedMs = performance.now() - started;
      metrics.httpRequestDuration.observe(
        { method: 'GET', route: page.route, status_code: String(status) },
        elapsedMs / 1000,
      );
      log?.info({ res: { statusCode: status }, responseTime: elapsedMs }, 'request completed');
      return true;
    },
  };
}

/** A GET that carries a body is unusual enough to leave to the full path. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Puts `warm` in front of Fastify's request handler on the server Fastify made (keeping Fastify's
 * own server settings: timeouts, extra addresses when a host name resolves to several).
 */
export function putInFront(server: Server, warm: WarmResponses): void {
  const handlers = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  const [handler] = handlers;
  if (handlers.length !== 1 || handler === undefined) {
    throw new Error(`expected Fastify's one request handler on its server, found ${handlers.length}`);
  }
  server.removeListener('request', handler);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!warm.answer(req, res)) handler(req, res);
  });
}
