import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmporiumModule, HttpApp, ModulePorts } from '@emporium/platform';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { createHttpApi } from './api/http-api.ts';
import { createInProcessApi } from './api/in-process-api.ts';
import type { StoreApi } from './api/store-api.ts';
import { loadAssets, registerAssetRoutes } from './assets/assets.ts';
import { loadStorefrontConfig, type StorefrontConfig } from './config.ts';
import { html } from './html/html.ts';
import { layout } from './html/layout.ts';
import { createImages } from './images/images.ts';
import { registerAccountPages } from './pages/account-pages.ts';
import { registerCartPages } from './pages/cart-pages.ts';
import { registerCatalogPages } from './pages/catalog-pages.ts';
import { registerCheckoutPages } from './pages/checkout-pages.ts';
import { registerOrderPages } from './pages/order-pages.ts';
import type { Storefront } from './pages/page.ts';
import { contentSecurityPolicy, newNonce } from './security/csp.ts';
import { createSessions } from './security/session.ts';

/** Registers the storefront as a first-party customer client of the identity provider (IdentityService fits). */
export interface CustomerClientRegistry {
  registerClient(client: { clientId: string; kind: 'customer'; redirectUris: string[] }): Promise<void>;
}

export interface StorefrontOptions {
  /** The identity module's service; when given, the storefront registers its OAuth client at start. */
  identity?: CustomerClientRegistry;
  /** Default: read from the environment (STOREFRONT_*). */
  config?: StorefrontConfig;
  /** Default: `fetch` to `config.apiUrl` when set, else in-process on the app it is mounted on. */
  api?: StoreApi;
  /**
   * Where the session key (when not configured) and resized images are kept. Default
   * `<EMPORIUM_DATA_DIR>/storefront`; null keeps images in memory and uses a key for this process only.
   */
  dataDir?: string | null;
}

/**
 * The server-rendered storefront, mounted at `/` of the app it is given. It talks to the platform
 * only through the public HTTP API (API.md) via a {@link StoreApi} adapter, so the same code runs
 * in the monolith (in-process) and as its own deployment (`STOREFRONT_API_URL`).
 */
export function createStorefront(
  ports: Pick<ModulePorts, 'config'>,
  options: StorefrontOptions = {},
): EmporiumModule {
  const config = options.config ?? loadStorefrontConfig();
  const { host, port } = ports.config;
  // Where shoppers may come back to after signing in: the public URL, else the listener's origins.
  const listener =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const origins = config.publicUrl
    ? [config.publicUrl]
    : [...new Set([`http://${listener}:${port}`, `http://localhost:${port}`, `http://127.0.0.1:${port}`])];
  const dataDir = options.dataDir === undefined ? join(ports.config.dataDir, 'storefront') : options.dataDir;
  const secret = config.sessionSecret ?? sessionKey(dataDir);
  return {
    name: 'storefront',
    async start() {
      await options.identity?.registerClient({
        clientId: config.oidcClientId,
        kind: 'customer',
        redirectUris: origins.map((o) => `${o}/account/callback`),
      });
    },
    async registerRoutes(app: HttpApp) {
      const api =
        options.api ?? (config.apiUrl ? createHttpApi({ baseUrl: config.apiUrl }) : createInProcessApi(app));
      const sf: Storefront = {
        api,
        config,
        assets: loadAssets(),
        sessions: createSessions(secret),
        images: createImages({
          key: createHmac('sha256', secret).update('storefront images').digest('base64url'),
          cacheDir: dataDir === null ? null : join(dataDir, 'images'),
          api,
        }),
      };
      await app.register(async (scope) => {
        await scope.register(cookie);
        await scope.register(formbody, { bodyLimit: 65_536 });
        scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
          const status =
            error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
          if (status >= 500) request.log.error({ err: error }, 'storefront page failed');
          const nonce = newNonce();
          const frame = { nonce, assets: sf.assets, csrf: '', cartCount: null };
          return reply
            .code(status)
            .header('cache-control', 'no-store')
            .header(
              'content-security-policy',
              contentSecurityPolicy(nonce, { vaultOrigin: config.vaultOrigin }),
            )
            .type('text/html; charset=utf-8')
            .send(
              layout(
                frame,
                'Something went wrong',
                html`<h1>Something went wrong</h1><p>${status >= 500 ? 'The shop could not finish this request. Please try again in a moment.' : 'The shop could not read this request.'}</p><p><a href="/">Back to the shop</a></p>`,
              ).value,
            );
        });
        registerAssetRoutes(scope, sf.assets);
        sf.images.register(scope);
        registerCatalogPages(scope, sf);
        registerCartPages(scope, sf);
        registerCheckoutPages(scope, sf);
        registerOrderPages(scope, sf);
        registerAccountPages(scope, sf);
      });
    },
  };
}

// Kept so that sessions survive a restart of the one embedded process; several instances share
// STOREFRONT_SESSION_SECRET instead.
function sessionKey(dataDir: string | null): string {
  if (dataDir === null) return randomBytes(32).toString('base64url');
  const file = join(dataDir, 'session.key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const key = randomBytes(32).toString('base64url');
    writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
    return readFileSync(file, 'utf8').trim();
  }
}
