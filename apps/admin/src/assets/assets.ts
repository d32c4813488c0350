import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { HttpApp } from '@emporium/platform';
import { Type } from 'typebox';

export interface Asset {
  url: string;
  body: Buffer;
  type: string;
}

export interface Assets {
  css: Asset;
  /** The one script: "Add a passkey" (navigator.credentials.create), loaded with the page's nonce. */
  passkeys: Asset;
}

/** A file of assets/, fingerprinted so that it can be cached for a year. */
function load(file: string, extension: string, type: string): Asset {
  const body = readFileSync(new URL(`../../assets/${file}`, import.meta.url));
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
  return { url: `/admin/ui/assets/${file.replace(/\.[a-z]+$/, '')}.${hash}.${extension}`, body, type };
}

export function loadAssets(): Assets {
  return {
    css: load('admin.css', 'css', 'text/css; charset=utf-8'),
    passkeys: load('passkeys.js', 'js', 'text/javascript; charset=utf-8'),
  };
}

export function registerAssetRoutes(app: HttpApp, assets: Assets): void {
  app.get(
    '/admin/ui/assets/:name',
    { schema: { hide: true, params: Type.Object({ name: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      const asset = Object.values(assets).find((a) => a.url === `/admin/ui/assets/${request.params.name}`);
      if (!asset) {
        return reply.code(404).header('cache-control', 'no-store').type('text/plain').send('Not found');
      }
      return reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .type(asset.type)
        .send(asset.body);
    },
  );
}
