import type { HttpApp } from '@emporium/platform';
import { Type } from 'typebox';

/**
 * Product pictures for the demo catalog, drawn here as SVG so that nothing is downloaded and
 * a fresh install still shows a shop with images. Immutable: the URL names everything drawn.
 */
export function registerDemoImages(app: HttpApp): void {
  app.get(
    '/media/demo/:name',
    {
      schema: {
        hide: true,
        params: Type.Object({ name: Type.String({ pattern: '^[a-z0-9-]{1,120}\\.svg$' }) }),
        querystring: Type.Object({ c: Type.Optional(Type.String({ pattern: '^[0-9a-f]{6}$' })) }),
      },
    },
    async (request, reply) => {
      const words = request.params.name
        .replace(/\.svg$/, '')
        .split('-')
        .filter((w) => !/^[0-9a-z]{1,4}$/.test(w) || /^[a-z]{3,4}$/.test(w))
        .slice(0, 4);
      const colour = `#${request.query.c ?? '33658a'}`;
      const view = request.params.name.match(/-(\d)\.svg$/)?.[1] === '2' ? 'rotate(-8 600 600)' : '';
      const label = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="1200" viewBox="0 0 1200 1200" role="img" aria-label="${label}">
<rect width="1200" height="1200" fill="${colour}"/>
<g transform="${view}"><rect x="300" y="300" width="600" height="600" rx="80" fill="#ffffff" fill-opacity="0.18"/>
<circle cx="600" cy="560" r="150" fill="#ffffff" fill-opacity="0.35"/></g>
<text x="600" y="1040" font-family="system-ui, sans-serif" font-size="64" fill="#ffffff" text-anchor="middle">${label}</text>
</svg>`;
      return reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .type('image/svg+xml')
        .send(svg);
    },
  );
}
