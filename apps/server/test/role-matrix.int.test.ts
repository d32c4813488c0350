import { randomBytes } from 'node:crypto';
import { type EmporiumModule, EnvSecretStore, migrate, type Principal } from '@emporium/platform';
import { databaseKinds, startTestPlatform, type TestPlatform } from '@emporium/testkit';
import { importJWK, type JWK, SignJWT } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationSources } from '../src/migration-sources.ts';
import { composeModules } from '../src/modules.ts';

const ROLES = ['owner', 'admin', 'catalog_manager', 'order_manager', 'support'] as const;

/**
 * The expected matrix: which permission each /admin area needs, per method (reads vs writes).
 * Every registered /admin route must fall in one of these areas, so a new route without a row
 * here fails the test until someone decides who may call it.
 */
const AREAS: Array<{ prefix: string; read: string; write: string }> = [
  { prefix: '/admin/users', read: 'staff:manage', write: 'staff:manage' },
  { prefix: '/admin/api-keys', read: 'staff:manage', write: 'staff:manage' },
  { prefix: '/admin/audit-log', read: 'audit:read', write: 'audit:read' },
  { prefix: '/admin/products', read: 'catalog:read', write: 'catalog:write' },
  { prefix: '/admin/media', read: 'catalog:read', write: 'catalog:write' },
  { prefix: '/admin/categories', read: 'catalog:read', write: 'catalog:write' },
  { prefix: '/admin/collections', read: 'catalog:read', write: 'catalog:write' },
  { prefix: '/admin/inventory', read: 'inventory:read', write: 'inventory:write' },
  { prefix: '/admin/orders', read: 'orders:read', write: 'orders:write' },
  { prefix: '/admin/customers', read: 'customers:read', write: 'customers:write' },
  { prefix: '/admin/payments', read: 'orders:read', write: 'orders:write' },
  { prefix: '/admin/notifications', read: 'orders:read', write: 'orders:write' },
  { prefix: '/admin/events', read: 'audit:read', write: 'audit:read' },
  { prefix: '/admin/shipments', read: 'orders:read', write: 'orders:write' },
  { prefix: '/admin/shipping', read: 'settings:manage', write: 'settings:manage' },
  { prefix: '/admin/tax-regions', read: 'settings:manage', write: 'settings:manage' },
  { prefix: '/admin/vault', read: 'settings:manage', write: 'settings:manage' },
];

/**
 * A staff member's own account (identity's /admin/me, /admin/me/passkeys): every staff role, with a
 * second factor. Changes also need a recent sign-in (`auth_time`), which the matrix's tokens lack,
 * so those answer 403 `reauthentication_required` — never 403 for a role.
 */
const SELF_PREFIX = '/admin/me';
/** `/admin/me` and below, not `/admin/media` (which only shares the letters). */
const isSelf = (url: string) => url === SELF_PREFIX || url.startsWith(`${SELF_PREFIX}/`);

/** What each role may do, written out here independently of the platform's table. */
const GRANTS: Record<(typeof ROLES)[number], string[]> = {
  owner: ['*'],
  admin: ['*', '-settings:manage'],
  catalog_manager: ['catalog:read', 'catalog:write', 'inventory:read', 'inventory:write'],
  order_manager: ['orders:read', 'orders:write', 'customers:read', 'inventory:read', 'catalog:read'],
  support: ['orders:read', 'customers:read', 'catalog:read', 'inventory:read'],
};
const allows = (role: (typeof ROLES)[number], permission: string) =>
  !GRANTS[role].includes(`-${permission}`) &&
  (GRANTS[role].includes('*') || GRANTS[role].includes(permission));

// Every /admin route the monolith registers × every role, on the real composition (all modules),
// with tokens signed by the identity provider's own key and verified by its authenticator.
describe.each(databaseKinds())('admin role matrix on %s', (kind) => {
  let platform: TestPlatform;
  const routes: Array<{ method: string; url: string }> = [];
  let identity:
    | (EmporiumModule & { authenticator: { authenticate(t: string): Promise<Principal | null> } })
    | undefined;
  let key: JWK;

  beforeAll(async () => {
    platform = await startTestPlatform({
      database: kind,
      env: { EMPORIUM_RATE_LIMITS: 'off' },
      authenticator: {
        authenticate: async (token) => (identity ? identity.authenticator.authenticate(token) : null),
      },
      compose: async (ports) => {
        await migrate(ports.db, migrationSources);
        // The vault needs its key-encryption key from the secret store when on PostgreSQL.
        const secrets = new EnvSecretStore({ VAULT_KEK: randomBytes(32).toString('base64') });
        const modules = composeModules({ ...ports, secrets });
        identity = modules.find((m) => m.name === 'identity') as typeof identity;
        const collector: EmporiumModule = {
          name: 'route-collector',
          async registerRoutes(app) {
            app.addHook('onRoute', (route) => {
              const methods = Array.isArray(route.method) ? route.method : [route.method];
              for (const method of methods) {
                // /admin and /admin/ui are the dashboard's HTML (its own cookie session and tests), not the bearer API.
                const dashboard = route.url === '/admin' || route.url.startsWith('/admin/ui');
                if (route.url.startsWith('/admin') && !dashboard && method !== 'HEAD') {
                  routes.push({ method, url: route.url });
                }
              }
            });
          },
        };
        return [collector, ...modules];
      },
    });
    const r = await sql<{
      material: string;
    }>`select material from identity.key_material where kind = 'signing'`.execute(platform.ports.db.primary);
    key = JSON.parse(r.rows[0]?.material ?? '{}');
  });
  afterAll(() => platform?.close());

  const token = async (roles: string[], amr = ['pwd', 'otp']) =>
    new SignJWT({ principal_type: 'staff', roles, amr })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid ?? '' })
      .setIssuer(String((identity as unknown as { issuer: string }).issuer))
      .setAudience('emporium-api')
      .setSubject('usr_matrix')
      .setExpirationTime('5m')
      .sign(await importJWK(key, 'ES256'));

  const call = (method: string, url: string, bearer?: string) =>
    platform.app.inject({
      method: method as 'GET',
      url: url.replace(/:[A-Za-z_]+/g, 'x_matrix').replace(/\*$/, 'x'),
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    });

  it('covers every admin route with an expected permission', () => {
    expect(routes.length).toBeGreaterThan(5);
    const unknown = routes.filter((r) => !AREAS.some((a) => r.url.startsWith(a.prefix)) && !isSelf(r.url));
    expect(unknown, 'admin routes missing from the matrix').toEqual([]);
  });

  it('answers 403 exactly where the role lacks the permission, 401 without a token and 403 without a second factor', async () => {
    const tokens = Object.fromEntries(
      await Promise.all(ROLES.map(async (r) => [r, await token([r])] as const)),
    );
    const noMfa = await token(['owner'], ['pwd']);
    const mismatches: string[] = [];
    for (const route of routes) {
      if (isSelf(route.url)) {
        for (const role of ROLES) {
          const res = await call(route.method, route.url, tokens[role]);
          const code = res.statusCode === 403 ? res.json<{ code?: string }>().code : undefined;
          if (res.statusCode === 401 || (res.statusCode === 403 && code !== 'reauthentication_required')) {
            mismatches.push(
              `${route.method} ${route.url} as ${role}: ${res.statusCode} ${code ?? ''}, expected allowed`,
            );
          }
        }
        if ((await call(route.method, route.url)).statusCode !== 401)
          mismatches.push(`${route.method} ${route.url} without a token`);
        if ((await call(route.method, route.url, noMfa)).statusCode !== 403)
          mismatches.push(`${route.method} ${route.url} without a second factor`);
        continue;
      }
      const area = AREAS.find((a) => route.url.startsWith(a.prefix));
      if (!area) continue;
      const permission = route.method === 'GET' ? area.read : area.write;
      for (const role of ROLES) {
        const status = (await call(route.method, route.url, tokens[role])).statusCode;
        const expected = allows(role, permission);
        if (expected ? status === 401 || status === 403 : status !== 403) {
          mismatches.push(
            `${route.method} ${route.url} as ${role}: ${status}, expected ${expected ? 'allowed' : '403'}`,
          );
        }
      }
      const anonymous = (await call(route.method, route.url)).statusCode;
      if (anonymous !== 401) mismatches.push(`${route.method} ${route.url} without a token: ${anonymous}`);
      const single = (await call(route.method, route.url, noMfa)).statusCode;
      if (single !== 403) mismatches.push(`${route.method} ${route.url} without a second factor: ${single}`);
    }
    expect(mismatches).toEqual([]);
  }, 300_000);
});
