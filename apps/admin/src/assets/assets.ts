import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { HttpApp } from '@emporium/platform';
import { Type } from 'typebox';

export interface Assets {
  css: { url: string; body: Buffer };
}

/** The stylesheet, fingerprinted so that it can be cached for a year (there is no script). */
export function loadAssets(): Assets {
  const body = readFileSync(new URL('../../assets/admin.css', import.meta.url));
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
  return { css: { url: `/admin/ui/assets/admin.${hash}.css`, body } };
}

export function registerAssetRoutes(app: HttpApp, assets: Assets): void {
  app.get(
    '/admin/ui/assets/:name',
    { schema: { hide: true, params: Type.Object({ name: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      if (`/admin/ui/assets/${request.params.name}` !== assets.css.url) {
        return reply.code(404).header('cache-control', 'no-store').type('text/plain').send('Not found');
      }
      return reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .type('text/css; charset=utf-8')
        .send(assets.css.body);
    },
  );
}
