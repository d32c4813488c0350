import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';

/** A static file with a content-hashed, immutable URL and its compressed forms, made once. */
export interface Asset {
  url: string;
  type: string;
  body: Buffer;
  gzip: Buffer;
  br: Buffer;
}

function load(name: string, ext: string, type: string): Asset {
  const body = readFileSync(new URL(`../../assets/${name}.${ext}`, import.meta.url));
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
  return {
    url: `/assets/${name}.${hash}.${ext}`,
    type,
    body,
    gzip: gzipSync(body, { level: 9 }),
    br: brotliCompressSync(body),
  };
}

export interface Assets {
  css: Asset;
  js: Asset;
  /** The shop's icon (SVG); `/favicon.ico` redirects to it for browsers that ask for that first. */
  icon: Asset;
  /** Changes when any asset changes: part of every page's ETag. */
  version: string;
}

export function loadAssets(): Assets {
  const css = load('app', 'css', 'text/css; charset=utf-8');
  const js = load('app', 'js', 'text/javascript; charset=utf-8');
  const icon = load('favicon', 'svg', 'image/svg+xml');
  return { css, js, icon, version: `${css.url}|${js.url}|${icon.url}` };
}

export function registerAssetRoutes(app: FastifyInstance, assets: Assets): void {
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=86400').redirect(assets.icon.url, 301),
  );
  for (const asset of [assets.css, assets.js, assets.icon]) {
    app.get(asset.url, { schema: { hide: true } }, async (request, reply) => {
      const accept = String(request.headers['accept-encoding'] ?? '');
      reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('vary', 'Accept-Encoding')
        .type(asset.type);
      if (/\bbr\b/.test(accept)) return reply.header('content-encoding', 'br').send(asset.br);
      if (/\bgzip\b/.test(accept)) return reply.header('content-encoding', 'gzip').send(asset.gzip);
      return reply.send(asset.body);
    });
  }
}
