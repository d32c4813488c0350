import { type AddressInfo, connect } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cache } from '../cache/cache.ts';
import { createMemoryCache } from '../cache/memory-cache.ts';
import { createLogger } from '../logging/create-logger.ts';
import { createMetrics, type Metrics } from '../metrics/create-metrics.ts';
import { createHttpApp } from './create-http-app.ts';
import { closeGracefully } from './graceful-shutdown.ts';
import type { HttpApp } from './http-app.ts';
import { packPage, preparePage, sendCacheable, unpackPage } from './send-cacheable.ts';

// A real listener on 127.0.0.1 (port 0): the warm path sits on the server, which inject() bypasses.

let app: HttpApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

interface Shop {
  base: string;
  cache: Cache;
  metrics: Metrics;
  /** How many times the route's handler ran (the full path). */
  handled: () => number;
  /** The version the next page built shows. */
  setVersion: (v: number) => void;
  logLines: () => Array<Record<string, unknown>>;
}

async function start(
  options: { cache?: Cache; level?: 'warn' | 'info'; warm?: boolean } = {},
): Promise<Shop> {
  const cache = options.cache ?? createMemoryCache({ maxEntries: 100 });
  const metrics = createMetrics();
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  app = await createHttpApp({
    logger: createLogger({ level: options.level ?? 'warn', destination }),
    metrics,
    readiness: [],
    openapi: { title: 'test', version: '0' },
    cache,
  });
  let handled = 0;
  let version = 1;
  app.get<{ Params: { name: string } }>('/pages/:name', async (request, reply) => {
    handled += 1;
    const key = `test-page:${request.params.name}`;
    const page = unpackPage(
      await cache.getOrSetText(
        key,
        60_000,
        async () =>
          packPage(preparePage({ name: request.params.name, version }, [`page:${request.params.name}`])),
        { tags: [`page:${request.params.name}`] },
      ),
    );
    if (!page) throw new Error('no page');
    return sendCacheable(request, reply, page.body, {
      surrogateKeys: page.surrogateKey,
      sMaxAge: 30,
      staleWhileRevalidate: 60,
      ...(options.warm === false ? {} : { warmPageKey: key }),
    });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    cache,
    metrics,
    handled: () => handled,
    setVersion: (v) => {
      version = v;
    },
    logLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** A response's headers without the ones that differ between any two responses. */
const stableHeaders = (res: Response) =>
  Object.fromEntries([...res.headers].filter(([name]) => name !== 'date' && name !== 'x-request-id'));

describe('warm responses', () => {
  it('answers the next GETs of a page from the page cache, with the headers and body of the full path', async () => {
    const shop = await start();
    const full = await fetch(`${shop.base}/pages/boots`);
    const warm = await fetch(`${shop.base}/pages/boots`);
    expect(shop.handled()).toBe(1);
    expect(warm.status).toBe(200);
    expect(await warm.text()).toBe(await full.text());
    expect(stableHeaders(warm)).toEqual(stableHeaders(full));
    expect(stableHeaders(warm)).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'surrogate-key': 'page:boots',
      'cache-control': 'public, max-age=0, s-maxage=30, stale-while-revalidate=60',
      'x-content-type-options': 'nosniff',
    });
    expect(warm.headers.get('x-request-id')).toMatch(/^req_/);
    expect(warm.headers.get('x-request-id')).not.toBe(full.headers.get('x-request-id'));
  });

  it('answers 304 to a matching If-None-Match and echoes a well-formed request id', async () => {
    const shop = await start();
    const full = await fetch(`${shop.base}/pages/boots`);
    const etag = full.headers.get('etag') ?? '';
    const notModified = await fetch(`${shop.base}/pages/boots`, {
      headers: { 'if-none-match': etag, 'x-request-id': 'edge-42' },
    });
    expect(shop.handled()).toBe(1);
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(notModified.headers.get('x-request-id')).toBe('edge-42');
    const malformed = await fetch(`${shop.base}/pages/boots`, { headers: { 'x-request-id': 'bad id!' } });
    expect(malformed.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('takes the full path again once the page leaves the cache, so a change shows at once', async () => {
    const shop = await start();
    await fetch(`${shop.base}/pages/boots`);
    shop.setVersion(2);
    expect(await (await fetch(`${shop.base}/pages/boots`)).json()).toEqual({ name: 'boots', version: 1 });
    await shop.cache.invalidateTags(['page:boots']);
    expect(await (await fetch(`${shop.base}/pages/boots`)).json()).toEqual({ name: 'boots', version: 2 });
    expect(shop.handled()).toBe(2);
  });

  it('leaves to the full path a URL the route has not answered, a HEAD and a GET with a body', async () => {
    const shop = await start();
    await fetch(`${shop.base}/pages/boots`);
    await fetch(`${shop.base}/pages/boots?utm_source=mail`);
    expect(shop.handled()).toBe(2);
    const head = await fetch(`${shop.base}/pages/boots`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(shop.handled()).toBe(3);
    // fetch() refuses a GET with a body, so it is written by hand.
    const answer = await new Promise<string>((resolve, reject) => {
      const { port } = new URL(shop.base);
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.end(
          'GET /pages/boots HTTP/1.1\r\nHost: shop\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\na body',
        );
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += String(chunk);
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(shop.handled()).toBe(4);
  });

  it('records the RED metrics under the route pattern', async () => {
    const shop = await start();
    await fetch(`${shop.base}/pages/boots`);
    await fetch(`${shop.base}/pages/boots`);
    await fetch(`${shop.base}/pages/boots`);
    const text = await shop.metrics.registry.metrics();
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/pages/:name",status_code="200"} 3',
    );
  });

  it('logs the two request lines of the full path when the level includes info', async () => {
    const shop = await start({ level: 'info' });
    await fetch(`${shop.base}/pages/boots`);
    const warm = await fetch(`${shop.base}/pages/boots`);
    expect(shop.handled()).toBe(1);
    const id = warm.headers.get('x-request-id');
    const mine = shop.logLines().filter((line) => line.request_id === id);
    expect(mine.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    expect(mine[0]?.req).toMatchObject({ method: 'GET', url: '/pages/boots', remote_address: '127.0.0.1' });
    expect(mine[1]?.res).toEqual({ status_code: 200 });
  });

  it('is off with a cache that cannot be read without waiting (Redis) and for routes that do not opt in', async () => {
    const memory = createMemoryCache({ maxEntries: 100 });
    const { readTextNow: _, ...remote } = memory;
    const shop = await start({ cache: remote });
    await fetch(`${shop.base}/pages/boots`);
    await fetch(`${shop.base}/pages/boots`);
    expect(shop.handled()).toBe(2);
    await app?.close();
    const optedOut = await start({ warm: false });
    await fetch(`${optedOut.base}/pages/boots`);
    await fetch(`${optedOut.base}/pages/boots`);
    expect(optedOut.handled()).toBe(2);
  });

  it('leaves requests to the full path once shutdown has begun', async () => {
    const shop = await start();
    await fetch(`${shop.base}/pages/boots`);
    let during: Response | undefined;
    const current = app;
    if (!current) throw new Error('no app');
    await closeGracefully(current, {
      timeoutMs: 2000,
      beforeClose: async () => {
        during = await fetch(`${shop.base}/pages/boots`);
      },
    });
    app = undefined;
    expect(during?.status).toBe(200);
    expect(shop.handled()).toBe(2);
  });
});
