import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  matchesEtag,
  packPage,
  prepareBody,
  preparePage,
  sendCacheable,
  unpackPage,
} from './send-cacheable.ts';

describe('cacheable responses', () => {
  const app = Fastify();
  let body: unknown = { product: { id: 'prod_1', title: 'Jacket' } };
  app.get('/p', (request, reply) =>
    sendCacheable(request, reply, body, {
      surrogateKeys: ['prod_1', 'cat_1', 'prod_1'],
      sMaxAge: 60,
      staleWhileRevalidate: 300,
    }),
  );

  it('sends ETag, shared-cache Cache-Control and de-duplicated Surrogate-Key', async () => {
    const r = await app.inject({ url: '/p' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual(body);
    expect(r.headers.etag).toBe(prepareBody(body).etag);
    expect(r.headers['cache-control']).toBe('public, max-age=0, s-maxage=60, stale-while-revalidate=300');
    expect(r.headers['surrogate-key']).toBe('prod_1 cat_1');
    // The same JSON for every Accept-Encoding: an edge cache must not split it into copies.
    const gzip = await app.inject({ url: '/p', headers: { 'accept-encoding': 'gzip, br' } });
    expect(gzip.body).toBe(r.body);
    expect(gzip.headers.vary).toBeUndefined();
  });

  it('answers 304 with no body to a matching If-None-Match, and 200 once the body changed', async () => {
    const first = await app.inject({ url: '/p' });
    const etag = String(first.headers.etag);
    const again = await app.inject({ url: '/p', headers: { 'if-none-match': `W/${etag}, "other"` } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    body = { product: { id: 'prod_1', title: 'Jacket (new)' } };
    const changed = await app.inject({ url: '/p', headers: { 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('compares entity tags weakly and honours *', () => {
    expect(matchesEtag('*', '"a"')).toBe(true);
    expect(matchesEtag('W/"a"', '"a"')).toBe(true);
    expect(matchesEtag('"b", "c"', '"a"')).toBe(false);
    expect(matchesEtag(undefined, '"a"')).toBe(false);
  });
});

describe('packed pages', () => {
  it('round-trip a prepared body with its surrogate keys, JSON with newlines included, and null', () => {
    const page = preparePage({ text: 'two\nlines', n: 1 }, ['products', 'prod_1', 'products']);
    expect(page.surrogateKey).toBe('products prod_1');
    expect(unpackPage(packPage(page))).toEqual(page);
    const keyless = preparePage([], []);
    expect(unpackPage(packPage(keyless))).toEqual(keyless);
    expect(unpackPage(packPage(null))).toBeNull();
    expect(() => unpackPage('garbage')).toThrow(/not a packed page/);
  });
});
