import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Security headers for a JSON API on every response (OWASP REST Security Cheat Sheet): a CSP that
 * allows nothing to load or frame it, HSTS, `nosniff`, `Referrer-Policy: no-referrer`,
 * `X-Frame-Options: DENY` and `Cross-Origin-Resource-Policy`. The headers that only mean something
 * to an HTML document are left to `documentSecurityHeaders`: sending all of helmet's set on every
 * JSON answer nearly doubled a product page's bytes on the wire (877 B of headers for 1.6 KB of
 * body) and cost a bare Fastify route 40 % of its throughput (bench, 2026-12-03). Routes that serve
 * HTML (docs, the vault's card field, the storefront) set their own CSP over these.
 */
const documentOnly = {
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
} as const satisfies HelmetOptions;

const apiHeaderOptions: Readonly<HelmetOptions> = {
  ...documentOnly,
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

/**
 * What helmet adds for an HTML document beyond the API set (`Cross-Origin-Opener-Policy`,
 * `Origin-Agent-Cluster`, `X-DNS-Prefetch-Control`, `X-Download-Options`,
 * `X-Permitted-Cross-Domain-Policies`, `X-XSS-Protection: 0`): sent with every `text/html` answer.
 */
export const documentSecurityHeaders: Readonly<Record<string, string>> = (() => {
  const full = staticHelmetHeaders({
    ...apiHeaderOptions,
    ...Object.fromEntries(Object.keys(documentOnly).map((k) => [k, true])),
  });
  return Object.freeze(
    Object.fromEntries(Object.entries(full).filter(([name]) => !(name in apiSecurityHeaders))),
  );
})();
