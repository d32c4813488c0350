import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { compressHtml, pickEncoding } from './compress-html.ts';

describe('pickEncoding', () => {
  it('prefers brotli, then gzip, and honours q=0', () => {
    expect(pickEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(pickEncoding('gzip, deflate')).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip;q=0.8')).toBe('gzip');
    expect(pickEncoding('identity')).toBeNull();
    expect(pickEncoding(undefined)).toBeNull();
  });
});

describe('compressHtml', () => {
  const page = `<!doctype html><html><body>${'<p>Harbor Lantern</p>'.repeat(200)}</body></html>`;
  async function app() {
    const a = Fastify();
    a.addHook('onSend', compressHtml);
    a.get('/page', async (_r, reply) => reply.type('text/html; charset=utf-8').send(page));
    a.get('/small', async (_r, reply) => reply.type('text/html; charset=utf-8').send('<p>hi</p>'));
    a.get('/json', async () => ({ text: page }));
    return a;
  }

  it('sends a page brotli- or gzip-compressed as the browser accepts, varying on Accept-Encoding', async () => {
    const a = await app();
    const br = await a.inject({ url: '/page', headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/Accept-Encoding/);
    expect(br.rawPayload.length).toBeLessThan(page.length / 10);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(page);
    const gz = await a.inject({ url: '/page', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(page);
  });

  it('leaves small pages, other types and browsers that accept no coding alone', async () => {
    const a = await app();
    const plain = await a.inject({ url: '/page' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(page);
    const small = await a.inject({ url: '/small', headers: { 'accept-encoding': 'br' } });
    expect(small.headers['content-encoding']).toBeUndefined();
    const json = await a.inject({ url: '/json', headers: { 'accept-encoding': 'br' } });
    expect(json.headers['content-encoding']).toBeUndefined();
  });
});
