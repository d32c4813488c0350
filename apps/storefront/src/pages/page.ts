import { createHash } from 'node:crypto';
import { matchesEtag, surrogateKeyHeader } from '@emporium/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoreApi } from '../api/store-api.ts';
import type { Assets } from '../assets/assets.ts';
import type { StorefrontConfig } from '../config.ts';
import type { Html } from '../html/html.ts';
import type { PageFrame } from '../html/layout.ts';
import type { Images } from '../images/images.ts';
import { contentSecurityPolicy, newNonce } from '../security/csp.ts';
import type { SessionData, Sessions } from '../security/session.ts';

/** Everything a page handler needs, built once when the storefront is mounted. */
export interface Storefront {
  api: StoreApi;
  sessions: Sessions;
  images: Images;
  assets: Assets;
  config: StorefrontConfig;
}

/** Bump when templates change in a way the asset fingerprints do not show. */
const TEMPLATE_VERSION = '1';

export interface SharedPage {
  /** ETags of the API responses the page was built from (the catalog's), in order. */
  etags: Array<string | undefined>;
  surrogateKeys: string[];
  sMaxAge: number;
  staleWhileRevalidate: number;
  q?: string;
  status?: number;
  render(frame: PageFrame): Html;
}

/**
 * Sends a page that is the same for every shopper (home, listings, product): no cookie is read or
 * set, the catalog's ETags make the page's weak ETag, and the edge may keep it (`s-maxage`,
 * `Surrogate-Key`). A 304 carries no CSP, so the browser keeps the one that matches its copy's nonce.
 */
export function sendShared(
  sf: Storefront,
  request: FastifyRequest,
  reply: FastifyReply,
  page: SharedPage,
): FastifyReply {
  const hash = createHash('sha256')
    .update([TEMPLATE_VERSION, sf.assets.version, request.url, ...page.etags.map((e) => e ?? '-')].join('\n'))
    .digest('base64url')
    .slice(0, 27);
  const etag = `W/"${hash}"`;
  const status = page.status ?? 200;
  if (status === 200) {
    reply
      .header('etag', etag)
      .header(
        'cache-control',
        `public, max-age=0, s-maxage=${page.sMaxAge}, stale-while-revalidate=${page.staleWhileRevalidate}`,
      )
      .header('surrogate-key', surrogateKeyHeader(page.surrogateKeys));
  } else {
    reply.header('cache-control', 'public, max-age=0, s-maxage=30');
  }
  reply.header('vary', 'Accept-Encoding');
  if (status === 200 && matchesEtag(request.headers['if-none-match'], etag)) {
    reply.removeHeader('content-security-policy');
    return reply.code(304).send();
  }
  const nonce = newNonce();
  const frame: PageFrame = {
    nonce,
    assets: sf.assets,
    csrf: '',
    cartCount: null,
    ...(page.q === undefined ? {} : { q: page.q }),
  };
  return reply
    .code(status)
    .header('content-security-policy', contentSecurityPolicy(nonce, { vaultOrigin: sf.config.vaultOrigin }))
    .type('text/html; charset=utf-8')
    .send(page.render(frame).value);
}

/**
 * Sends a page for one shopper (cart, checkout, account, confirmation): `no-store`, the session's
 * form token in every form, the CSP with a fresh nonce.
 */
export function sendPersonal(
  sf: Storefront,
  _request: FastifyRequest,
  reply: FastifyReply,
  session: SessionData,
  render: (frame: PageFrame) => Html,
  options: { status?: number; cartCount?: number } = {},
): FastifyReply {
  const nonce = newNonce();
  const frame: PageFrame = {
    nonce,
    assets: sf.assets,
    csrf: session.csrf,
    cartCount: options.cartCount ?? null,
    signedIn: Boolean(session.customer),
  };
  return reply
    .code(options.status ?? 200)
    .header('cache-control', 'no-store')
    .header('content-security-policy', contentSecurityPolicy(nonce, { vaultOrigin: sf.config.vaultOrigin }))
    .type('text/html; charset=utf-8')
    .send(render(frame).value);
}

/** `Authorization` for the shopper's cart: the cart's secret, or the signed-in customer's token. */
export function cartAuth(session: SessionData): Record<string, string> {
  const token = session.cart?.secret ?? session.customer?.token;
  return token ? { authorization: `Bearer ${token}` } : {};
}
