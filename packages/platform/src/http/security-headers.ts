import helmet from '@fastify/helmet';
import type { HttpApp } from './http-app.ts';

/**
 * Security headers for a JSON API on every response: a CSP that allows nothing to load or frame it,
 * HSTS, `nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY` and the cross-origin
 * isolation headers. Routes that serve HTML (docs, the vault's card field) set their own CSP.
 */
export async function registerSecurityHeaders(app: HttpApp): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    // Storefronts on a sibling origin (shop.example.com → api.example.com) may embed our images.
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
}
