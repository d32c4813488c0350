import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { IdentityModule } from '@emporium/identity';
import { type Authenticator, type Clock, EnvSecretStore, migrate } from '@emporium/platform';
import { composeModules, migrationSources } from '@emporium/server';
import { type DatabaseKind, startTestPlatform, type TestPlatform } from '@emporium/testkit';
import { generate } from 'otplib';

export interface AdminTestPlatform extends TestPlatform {
  identity: IdentityModule;
  /** `http://127.0.0.1:<port>`: where the platform listens (after `listen()`). */
  baseUrl: string;
  listen(): Promise<void>;
  /** A staff user (through identity's service) and a function giving a current TOTP code. */
  createStaff(
    email: string,
    roles: string[],
  ): Promise<{ email: string; password: string; totp(): Promise<string> }>;
  /** A bearer token for the admin API from an integration credential (client credentials grant). */
  serviceToken(roles: string[]): Promise<string>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The whole monolith as `emporium start` composes it (the server's composeModules: identity with
 * its authenticator on the /admin API, catalog, search, cart, checkout, orders, payments, vault,
 * storefront, the dashboard…), in-process on a fresh database. The port is chosen first so that the
 * provider's issuer and the dashboard's redirect URI name the address the browser uses.
 */
export async function startAdminPlatform(
  database: DatabaseKind = 'pglite',
  options: { host?: 'localhost' | '127.0.0.1'; clock?: Clock } = {},
): Promise<AdminTestPlatform> {
  const port = await freePort();
  // WebAuthn needs a domain name as relying party (browsers refuse an IP address): passkey tests
  // name the platform `localhost`, which is still loopback and a secure context.
  const host = options.host ?? '127.0.0.1';
  const baseUrl = `http://${host}:${port}`;
  let identity: IdentityModule | undefined;
  const authenticator: Authenticator = {
    authenticate: async (token) => (identity ? identity.authenticator.authenticate(token) : null),
  };
  const platform = await startTestPlatform({
    database,
    authenticator,
    ...(options.clock ? { clock: options.clock } : {}),
    env: { PORT: String(port), HOST: host, EMPORIUM_RATE_LIMITS: 'off' },
    compose: async (ports) => {
      await migrate(ports.db, migrationSources);
      // The vault's key-encryption key comes from the secret store.
      const secrets = new EnvSecretStore({ VAULT_KEK: randomBytes(32).toString('base64') });
      const modules = composeModules({ ...ports, secrets });
      identity = modules.find((m) => m.name === 'identity') as IdentityModule | undefined;
      return modules;
    },
  });
  if (!identity) throw new Error('identity was not composed');
  const id = identity;
  return {
    ...platform,
    identity: id,
    baseUrl,
    async listen() {
      await platform.app.listen({ port, host: '127.0.0.1' });
    },
    async createStaff(email, roles) {
      const password = 'a long staff passphrase 4 tests';
      const created = await id.staff.create({ email, password, roles });
      const secret = new URL(created.totpUri).searchParams.get('secret') ?? '';
      return { email, password, totp: () => generate({ secret }) };
    },
    async serviceToken(roles) {
      const { client, clientSecret } = await id.apiClients.create({
        name: `admin test ${roles.join(' ')}`,
        roles,
      });
      const res = await platform.app.inject({
        method: 'POST',
        url: '/auth/token',
        headers: {
          authorization: `Basic ${Buffer.from(`${client.clientId}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: 'grant_type=client_credentials&scope=api',
      });
      const token = res.json<{ access_token?: string }>().access_token;
      if (!token) throw new Error(`no service token: ${res.statusCode} ${res.body}`);
      return token;
    },
  };
}
