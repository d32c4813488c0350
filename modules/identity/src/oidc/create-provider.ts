import type { JWK } from 'jose';
import { sql } from 'kysely';
import Provider, { type AdapterPayload, type ClientLike, type ProviderContext } from 'oidc-provider';
import { API_AUDIENCE, API_RESOURCE } from '../contract/index.ts';
import { sha256 } from '../crypto/field-crypto.ts';
import type { IdentityContext } from '../identity-context.ts';
import type { StaffUsers } from '../staff/staff-users.ts';
import { createAdapterClass } from './adapter.ts';
import { renderErrorPage } from './pages.ts';

/** Token lifetimes (seconds): short access tokens; staff sessions end after 15 idle minutes. */
export const TTL = {
  customerAccessToken: 15 * 60,
  staffAccessToken: 5 * 60,
  serviceAccessToken: 10 * 60,
  customerRefreshToken: 14 * 24 * 3600,
  staffIdle: 15 * 60,
  authorizationCode: 60,
  interaction: 10 * 60,
} as const;

export const CLIENT_KIND = 'emporium_kind';
export const CLIENT_ROLES = 'emporium_roles';

export interface ProviderOptions {
  issuer: string;
  signingKeys: readonly JWK[];
  cookieKeys: string[];
  staff: StaffUsers;
}

/**
 * The OpenID provider: authorization code + PKCE (S256, required) for browser clients, refresh
 * tokens rotated on every use (a reused one revokes its whole grant), client credentials for
 * integrations; no implicit or password grant. Access tokens are ES256 JWTs for API_AUDIENCE with
 * `principal_type`, `roles` and `amr`, which the platform authenticator reads.
 */
export function createProvider(ctx: IdentityContext, options: ProviderOptions): Provider {
  const externalClient = async (clientId: string): Promise<AdapterPayload | undefined> => {
    const r = await sql<{ client_id: string; secret_hash: string; roles: string[]; revoked_at: Date | null }>`
      select client_id, secret_hash, roles, revoked_at from identity.api_clients where client_id = ${clientId}`.execute(
      ctx.db.primary,
    );
    const row = r.rows[0];
    if (!row || row.revoked_at) return undefined;
    return {
      client_id: row.client_id,
      client_secret: `sha256:${row.secret_hash}`,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'api',
      [CLIENT_KIND]: 'service',
      [CLIENT_ROLES]: row.roles,
    };
  };

  const kindOf = (client: ClientLike | undefined): string => String(client?.[CLIENT_KIND] ?? 'customer');

  const provider = new Provider(options.issuer, {
    adapter: createAdapterClass(ctx.db, ctx.clock, externalClient),
    jwks: { keys: options.signingKeys },
    clients: [],
    cookies: {
      keys: options.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'email', 'profile', 'api'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name'] },
    extraClientMetadata: { properties: [CLIENT_KIND, CLIENT_ROLES] },
    clientDefaults: {
      id_token_signed_response_alg: 'ES256',
      grant_types: ['authorization_code', 'refresh_token'],
    },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: logoutPage },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string, client: ClientLike) => {
          if (resource !== API_RESOURCE) throw new Error('unknown resource');
          const kind = kindOf(client);
          return {
            scope: 'api',
            audience: API_AUDIENCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL:
              kind === 'staff'
                ? TTL.staffAccessToken
                : kind === 'service'
                  ? TTL.serviceAccessToken
                  : TTL.customerAccessToken,
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `/auth/interaction/${interaction.uid}`,
    },
    // First-party clients get refresh tokens without `offline_access`+`prompt=consent`.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: TTL.customerAccessToken,
      AuthorizationCode: TTL.authorizationCode,
      ClientCredentials: TTL.serviceAccessToken,
      IdToken: 5 * 60,
      Interaction: TTL.interaction,
      Grant: 14 * 24 * 3600,
      Session: (_ctx: unknown, session: { accountId?: string }) =>
        session.accountId?.startsWith('usr_') ? TTL.staffIdle : 14 * 24 * 3600,
      RefreshToken: (_ctx: unknown, _token: unknown, client: ClientLike) =>
        kindOf(client) === 'staff' ? TTL.staffIdle : TTL.customerRefreshToken,
    },
    findAccount: async (_ctx: unknown, sub: string) => {
      if (sub.startsWith('usr_')) {
        const user = await options.staff.get(sub);
        return user
          ? { accountId: sub, claims: async () => ({ sub, email: user.email, email_verified: true }) }
          : undefined;
      }
      const r = await sql<{ id: string }>`select id from identity.customers where id = ${sub}`.execute(
        ctx.db.primary,
      );
      if (!r.rows[0]) return undefined;
      return { accountId: sub, claims: async () => ({ sub }) };
    },
    extraTokenClaims: async (tokenCtx: ProviderContext, token: { kind: string; accountId?: string }) => {
      const client = tokenCtx.oidc.client;
      if (token.kind === 'ClientCredentials') {
        return { principal_type: 'service', roles: (client?.[CLIENT_ROLES] as string[] | undefined) ?? [] };
      }
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const source = tokenCtx.oidc.entities.AuthorizationCode ?? tokenCtx.oidc.entities.RefreshToken;
      const amr = Array.isArray(source?.amr) ? source.amr : ['pwd'];
      if (token.accountId.startsWith('usr_')) {
        // auth_time: when the staff member last signed in (password and second factor); a refresh
        // keeps it, so routes that need a recent sign-in (adding a passkey) can tell.
        const authTime = typeof source?.authTime === 'number' ? source.authTime : undefined;
        return {
          principal_type: 'staff',
          roles: await options.staff.roles(token.accountId),
          amr,
          ...(authTime === undefined ? {} : { auth_time: authTime }),
        };
      }
      return { principal_type: 'customer', roles: [], amr };
    },
    renderError: async (
      errCtx: { type: string; body: string },
      out: { error: string; error_description?: string },
    ) => {
      errCtx.type = 'html';
      errCtx.body = renderErrorPage(out.error, out.error_description);
    },
  });

  // Integration secrets are stored hashed: compare the hash of what the client sent.
  const compare = provider.Client.prototype.compareClientSecret as (
    this: { clientSecret?: string },
    actual: string,
  ) => Promise<boolean>;
  provider.Client.prototype.compareClientSecret = function (this: { clientSecret?: string }, actual: string) {
    if (this.clientSecret?.startsWith('sha256:')) {
      return compare.call({ ...this, clientSecret: this.clientSecret.slice(7) }, sha256(actual));
    }
    return compare.call(this, actual);
  };
  return provider;
}

async function logoutPage(logoutCtx: { body: string }, form: string): Promise<void> {
  logoutCtx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title></head>
<body><main><h1>Sign out</h1>${form}<button form="op.logoutForm" type="submit" value="yes" name="logout">Sign out</button></main></body></html>`;
}
