import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Security headers for a JSON API on every response: a CSP that allows nothing to load or frame it,
 * HSTS, `nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY` and the cross-origin
 * isolation headers. Routes that serve HTML (docs, the vault's card field, the storefront) set their
 * own CSP over these.
 */
const apiHeaderOptions: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' },
  xFrameOptions: { action: 'deny' },
  // Storefronts on a sibling origin (shop.example.com → api.example.com) may embed our images.
  crossOriginResourcePolicy: { policy: 'same-site' },
};

/**
 * The headers helmet sets for `options`, computed once. Helmet is the reference for which headers
 * and values to send; running its middleware on every request re-derives the same strings each
 * time (its CSP directives are re-parsed per request), which measurably cost throughput on hot
 * routes. With static directives the result never changes, so it is captured here and applied
 * with one `reply.headers()` per request.
 */
export function staticHelmetHeaders(options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return res;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    failure = err;
  });
  if (failure) throw failure;
  return Object.freeze(headers);
}

export const apiSecurityHeaders = staticHelmetHeaders(apiHeaderOptions);
