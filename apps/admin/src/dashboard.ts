import type { EmporiumModule, HttpApp, ModulePorts } from '@emporium/platform';
import { html } from '@emporium/storefront';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyRequest } from 'fastify';
import { type AdminApi, createHttpAdminApi, createInProcessAdminApi } from './api/admin-api.ts';
import { loadAssets, registerAssetRoutes } from './assets/assets.ts';
import { type AdminConfig, loadAdminConfig } from './config.ts';
import { registerAccountPages } from './pages/account-pages.ts';
import { registerAuditPages } from './pages/audit-pages.ts';
import { type Dashboard, NotAllowed, SessionEnded, sendPage } from './pages/context.ts';
import { registerHomePage } from './pages/home-page.ts';
import { registerInventoryPages } from './pages/inventory-pages.ts';
import { registerOrderPages } from './pages/order-pages.ts';
import { registerProductPages } from './pages/product-pages.ts';
import { registerSignInPages } from './pages/sign-in-pages.ts';
import { registerStaffPages } from './pages/staff-pages.ts';
import { contentSecurityPolicy, newNonce } from './security/csp.ts';
import { createAdminSessions, isValidCsrf } from './security/sessions.ts';

/** Registers the dashboard as a first-party staff client of the identity provider (IdentityService fits). */
export interface StaffClientRegistry {
  registerClient(client: { clientId: string; kind: 'staff'; redirectUris: string[] }): Promise<void>;
}

export interface AdminDashboardOptions {
  /** Default: read from the environment (ADMIN_*). */
  config?: AdminConfig;
  /** Default: `fetch` to `config.apiUrl` when set, else in-process on the app it is mounted on. */
  api?: AdminApi;
  /** The identity module's service; when given, the dashboard registers its OAuth client at start. */
  identity?: StaffClientRegistry;
  /** The origin staff use; default `config.publicUrl`, else `http://HOST:PORT` of the listener. */
  publicUrl?: () => string;
}

/**
 * The server-rendered staff dashboard: `GET /admin` and pages under `/admin/ui/…` (never a path of
 * the `/admin/*` JSON API). It signs staff in through the identity provider and acts only through
 * the public admin API with their token, so the same code runs in the monolith (in-process) and
 * as its own deployment (`ADMIN_API_URL`).
 */
export function createAdminDashboard(
  ports: Pick<ModulePorts, 'config' | 'cache'>,
  options: AdminDashboardOptions = {},
): EmporiumModule {
  const config = options.config ?? loadAdminConfig();
  const publicUrl =
    options.publicUrl ??
    (() => config.publicUrl ?? `http://${loopback(ports.config.host)}:${ports.config.port}`);
  const register = async () => {
    await options.identity?.registerClient({
      clientId: config.oidcClientId,
      kind: 'staff',
      redirectUris: [`${publicUrl()}/admin/ui/callback`],
    });
  };
  return {
    name: 'admin-dashboard',
    async registerRoutes(app: HttpApp) {
      const nonces = new WeakMap<FastifyRequest, string>();
      const d: Dashboard = {
        api:
          options.api ?? (config.apiUrl ? createHttpAdminApi(config.apiUrl) : createInProcessAdminApi(app)),
        sessions: createAdminSessions(ports.cache, config.idleMinutes * 60_000),
        assets: loadAssets(),
        config,
        publicUrl,
        nonce(request) {
          let n = nonces.get(request);
          if (!n) {
            n = newNonce();
            nonces.set(request, n);
          }
          return n;
        },
      };
      await app.register(async (plugin) => {
        // The plugin scope keeps the app's TypeBox type provider at run time; the types lose it.
        const scope = plugin as unknown as HttpApp;
        await scope.register(cookie);
        await scope.register(formbody, { bodyLimit: 131_072 });
        // Every dashboard page: never stored by a browser or proxy, and the nonce-based CSP.
        scope.addHook('onSend', async (request, reply, payload) => {
          if (!request.url.startsWith('/admin/ui/assets/')) reply.header('cache-control', 'no-store');
          if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
            reply.header('content-security-policy', contentSecurityPolicy(d.nonce(request)));
          }
          return payload;
        });
        // Every form posts its session's token, from this origin.
        scope.addHook('preHandler', async (request, reply) => {
          if (request.method !== 'POST') return;
          const origin = request.headers.origin;
          // Chrome sends `Origin: null` for a form post from a page with `Referrer-Policy: no-referrer`
          // (the platform's default); the session-bound token is what decides then.
          const sameOrigin =
            !origin ||
            origin === 'null' ||
            origin === new URL(publicUrl()).origin ||
            hostOf(origin) === request.headers.host;
          const session = await d.sessions.read(request);
          if (
            !sameOrigin ||
            !isValidCsrf(session, (request.body as Record<string, unknown> | undefined)?._csrf)
          ) {
            return sendPage(
              d,
              request,
              reply,
              null,
              'Form expired',
              html`<h1>This form has expired</h1><p>For your security, forms stop working when your session changes. Go back, reload the page and try again.</p><p><a href="/admin">Back to the dashboard</a></p>`,
              { status: 403 },
            );
          }
        });
        scope.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
          if (error instanceof SessionEnded) {
            await d.sessions.destroy(request, reply);
            return reply.redirect('/admin/ui/sign-in?ended=1', 303);
          }
          if (error instanceof NotAllowed) {
            return sendPage(
              d,
              request,
              reply,
              null,
              'Not allowed',
              html`<h1>Not allowed</h1><p>Your role does not allow this (it needs ${error.permission}).</p><p><a href="/admin">Back to the dashboard</a></p>`,
              { status: 403 },
            );
          }
          const status =
            error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
          if (status >= 500) request.log.error({ err: error }, 'admin page failed');
          if (status === 413) {
            // A form over its limit (the image upload takes files up to 10 MB).
            return sendPage(
              d,
              request,
              reply,
              null,
              'Too large',
              html`<h1>That was too large</h1><p>An image file can be at most 10 MB, and a form at most 128 KB. Go back and choose a smaller file.</p><p><a href="/admin">Back to the dashboard</a></p>`,
              { status },
            );
          }
          return sendPage(
            d,
            request,
            reply,
            null,
            status === 404 ? 'Not found' : 'Something went wrong',
            html`<h1>${status === 404 ? 'Not found' : 'Something went wrong'}</h1><p>${status >= 500 ? 'The dashboard could not finish this request. Please try again.' : 'The dashboard could not read this request.'}</p><p><a href="/admin">Back to the dashboard</a></p>`,
            { status },
          );
        });
        registerAssetRoutes(scope, d.assets);
        registerSignInPages(scope, d);
        scope.post('/admin/ui/sign-out', { schema: { hide: true } }, async (request, reply) => {
          const session = await d.sessions.read(request);
          const refreshToken = session?.staff?.refreshToken;
          if (refreshToken) {
            await d.api
              .request({
                method: 'POST',
                path: '/auth/token/revocation',
                form: {
                  token: refreshToken,
                  token_type_hint: 'refresh_token',
                  client_id: config.oidcClientId,
                },
              })
              .catch(() => undefined);
          }
          await d.sessions.destroy(request, reply);
          return reply.redirect('/admin/ui/sign-in', 303);
        });
        registerHomePage(scope, d);
        registerProductPages(scope, d);
        registerInventoryPages(scope, d);
        registerOrderPages(scope, d);
        registerStaffPages(scope, d);
        registerAuditPages(scope, d);
        registerAccountPages(scope, d);
      });
    },
    async start() {
      await register();
    },
  };
}

function loopback(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}
