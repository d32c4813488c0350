import {
  type Authenticator,
  type Clock,
  createJwtAuthenticator,
  createMemoryRateLimitStore,
  createRedisRateLimitStore,
  type Database,
  type EmporiumModule,
  installRateLimits,
  type Logger,
  type ModulePorts,
  type RateLimitStore,
  type SecretStore,
} from '@emporium/platform';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { sql } from 'kysely';
import { type AuditLog, createAuditLog, installAuditHook } from './audit/audit-log.ts';
import { type ApiClients, createApiClients } from './clients/api-clients.ts';
import {
  API_AUDIENCE,
  type CustomerOrdersPort,
  type IdentityNotifier,
  type IdentityService,
} from './contract/index.ts';
import { createFieldCrypto, type FieldCrypto } from './crypto/field-crypto.ts';
import { type Customers, createCustomers } from './customers/customers.ts';
import { registerAdminRoutes } from './http/admin-routes.ts';
import { registerMeRoutes } from './http/me-routes.ts';
import { registerStoreRoutes } from './http/store-routes.ts';
import type { IdentityContext } from './identity-context.ts';
import { type IdentityKeys, loadIdentityKeys, publicJwk } from './keys/key-store.ts';
import { CLIENT_KIND, createProvider } from './oidc/create-provider.ts';
import { AUTH_PREFIX, mountProvider } from './oidc/mount-provider.ts';
import { createStaffPasskeys, type StaffPasskeys } from './staff/staff-passkeys.ts';
import { createStaffUsers, type StaffUsers } from './staff/staff-users.ts';

export type { AuditVerification } from './audit/audit-log.ts';
export { identityErrorCodes } from './errors.ts';
export { identityMigrations } from './identity-migrations.ts';
export { rotateSigningKey } from './keys/key-store.ts';
export { LIMITS as identityRateLimits } from './rate-limits.ts';

export interface IdentityDeps {
  /** Delivers verification and reset emails (the notify module). Default: dropped with a warning. */
  notifier?: IdentityNotifier;
  /** Lists a customer's orders (the orders module's OrdersService). Default: none, so no orders. */
  orders?: CustomerOrdersPort;
  /** The issuer URL, ending in /auth. Default `http://HOST:PORT/auth` from the platform config. */
  issuer?: string;
}

export type IdentityModule = EmporiumModule & {
  service: IdentityService;
  /** Verifies the provider's access tokens; hand it to createHttpApp (see apps/server/src/server.ts). */
  authenticator: Authenticator;
  issuer: string;
  staff: StaffUsers;
  /** Staff passkeys (WebAuthn); the relying party is the issuer's origin. */
  passkeys: StaffPasskeys;
  customers: Customers;
  apiClients: ApiClients;
  audit: AuditLog;
  /** Loads (or on a first start generates) the keys; idempotent. */
  ready(): Promise<void>;
};

/** The identity parts the CLI uses while the server is stopped (admin create, api-key create, audit verify). */
export async function openIdentityAdmin(ports: {
  db: Database;
  secrets: SecretStore;
  clock: Clock;
  logger: Logger;
}) {
  const keys = await loadIdentityKeys(ports.db, ports.secrets, ports.clock);
  const crypto = createFieldCrypto(keys.data);
  const ctx = contextOf(ports, () => crypto, {});
  return {
    staff: createStaffUsers(ctx),
    apiClients: createApiClients(ports.db, ports.clock),
    audit: createAuditLog(ports.db, ports.clock),
  };
}

function contextOf(
  ports: { db: Database; clock: Clock; logger: Logger },
  crypto: () => FieldCrypto,
  deps: IdentityDeps,
  issuer = 'http://127.0.0.1/auth',
): IdentityContext {
  return {
    publicOrigin: new URL(issuer).origin,
    db: ports.db,
    clock: ports.clock,
    logger: ports.logger,
    notifier: deps.notifier ?? {
      async send(message) {
        // Never the token or the address: only that a message was not delivered.
        ports.logger.warn({ kind: message.kind }, 'identity: no notifier wired; message dropped');
      },
    },
    orders: deps.orders,
    crypto,
  };
}

/** The issuer for a listener: loopback when the server listens on every address. */
export function defaultIssuer(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}${AUTH_PREFIX}`;
}

/**
 * The identity module: the OpenID Connect provider at /auth, customer accounts (/store/customers),
 * staff with MFA and roles (/admin/users), integration credentials (/admin/api-keys), the audit log
 * (/admin/audit-log, and a hook recording every admin action) and request rate limits.
 *
 * @example
 * const identity = createIdentityModule(ports, { orders: orders.service });
 * const app = await createHttpApp({ ..., authenticator: identity.authenticator });
 */
export function createIdentityModule(ports: ModulePorts, deps: IdentityDeps = {}): IdentityModule {
  const issuer = deps.issuer ?? defaultIssuer(ports.config.host, ports.config.port);
  if (!/^https?:\/\/[^/]+\/auth$/.test(issuer))
    throw new Error(`identity issuer must be an http(s) URL ending in /auth, got ${issuer}`);
  let keys: IdentityKeys | undefined;
  let crypto: FieldCrypto | undefined;
  let jwks: JWTVerifyGetKey | undefined;
  let loading: Promise<void> | undefined;
  const ready = () => {
    loading ??= (async () => {
      keys = await loadIdentityKeys(ports.db, ports.secrets, ports.clock);
      crypto = createFieldCrypto(keys.data);
      jwks = createLocalJWKSet({ keys: keys.signing.map(publicJwk) });
    })();
    return loading;
  };
  const ctx = contextOf(
    ports,
    () => {
      if (!crypto) throw new Error('identity keys are not loaded yet (call ready())');
      return crypto;
    },
    deps,
    issuer,
  );
  const staff = createStaffUsers(ctx);
  const passkeys = createStaffPasskeys(ctx, staff, { origin: issuer });
  const customers = createCustomers(ctx);
  const apiClients = createApiClients(ports.db, ports.clock);
  const audit = createAuditLog(ports.db, ports.clock);
  const authenticator = createJwtAuthenticator({
    issuer,
    audience: API_AUDIENCE,
    keys: async (header, token) => {
      await ready();
      if (!jwks) throw new Error('identity keys are not loaded');
      return jwks(header, token);
    },
  });
  let limiter: RateLimitStore | undefined;

  const service: IdentityService = {
    async getCustomer(id) {
      await ready();
      return customers.get(id);
    },
    async registerClient(client) {
      const metadata = {
        client_id: client.clientId,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: client.redirectUris,
        post_logout_redirect_uris: client.postLogoutRedirectUris ?? [],
        scope: 'openid offline_access email profile api',
        [CLIENT_KIND]: client.kind,
      };
      await sql`insert into identity.oidc_payloads (model, id, payload) values ('Client', ${client.clientId}, ${JSON.stringify(metadata)}::jsonb)
        on conflict (model, id) do update set payload = excluded.payload`.execute(ports.db.primary);
    },
  };

  return {
    name: 'identity',
    service,
    authenticator,
    issuer,
    staff,
    passkeys,
    customers,
    apiClients,
    audit,
    ready,
    async registerRoutes(app) {
      await ready();
      if (!keys || !crypto) throw new Error('identity keys are not loaded');
      limiter = ports.config.redisUrl
        ? createRedisRateLimitStore({ url: ports.config.redisUrl, keyPrefix: ports.config.redisKeyPrefix })
        : createMemoryRateLimitStore(ports.clock);
      installRateLimits(app, { enabled: ports.config.rateLimits, store: limiter });
      installAuditHook(app, audit);
      const provider = createProvider(ctx, {
        issuer,
        signingKeys: keys.signing,
        cookieKeys: [crypto.mac('oidc-cookies', 'v1')],
        staff,
      });
      await mountProvider(app, provider, ctx, { customers, staff, passkeys }, audit);
      const c = crypto;
      registerStoreRoutes(app, customers, () => c, deps.orders);
      registerAdminRoutes(app, staff, apiClients, audit);
      registerMeRoutes(app, staff, passkeys, ports.clock);
    },
    async stop() {
      await limiter?.close();
    },
  };
}
