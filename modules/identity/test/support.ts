import { createServer } from 'node:net';
import { type Clock, migrate } from '@emporium/platform';
import { type DatabaseKind, startTestPlatform, type TestPlatform } from '@emporium/testkit';
import { importJWK, type JWK, SignJWT } from 'jose';
import { sql } from 'kysely';
import { API_AUDIENCE } from '../src/contract/index.ts';
import { createIdentityModule, type IdentityModule, identityMigrations } from '../src/index.ts';

export interface IdentityPlatform {
  platform: TestPlatform;
  identity: IdentityModule;
  /** Messages the module asked notify to send (verification and reset tokens). */
  sent: Array<{ to: string; subject: string; text: string; kind: string }>;
  /** http://127.0.0.1:PORT, when started with `listen`. */
  origin: string;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the issuer URL must be known before the provider is built). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The platform with the identity module on a real database of `kind` (migrated in compose, before
 * the module loads its keys), the module's own authenticator verifying tokens, and a recording
 * notifier. With `listen`, it serves on a real socket on 127.0.0.1 and the issuer names that port.
 */
export async function startIdentity(
  kind: DatabaseKind,
  options: { listen?: boolean; clock?: Clock; env?: Record<string, string> } = {},
): Promise<IdentityPlatform> {
  const port = options.listen ? await freePort() : 3999;
  const origin = `http://127.0.0.1:${port}`;
  const sent: IdentityPlatform['sent'] = [];
  let identity: IdentityModule | undefined;
  const platform = await startTestPlatform({
    database: kind,
    ...(options.clock ? { clock: options.clock } : {}),
    env: { EMPORIUM_RATE_LIMITS: 'off', ...options.env },
    authenticator: {
      authenticate: (token) => {
        if (!identity) throw new Error('identity module not built');
        return identity.authenticator.authenticate(token);
      },
    },
    compose: async (ports) => {
      await migrate(ports.db, [identityMigrations]);
      identity = createIdentityModule(ports, {
        issuer: `${origin}/auth`,
        notifier: { send: async (m) => void sent.push(m) },
      });
      return [identity];
    },
  });
  if (options.listen) await platform.app.listen({ port, host: '127.0.0.1' });
  if (!identity) throw new Error('identity module not built');
  return { platform, identity, sent, origin, close: () => platform.close() };
}

/** A minimal browser for the provider's pages: a cookie jar, same-origin form posts, manual redirects. */
export function browser(origin: string) {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  return async (url: string, init: { method?: string; form?: Record<string, string> } = {}) => {
    const res = await fetch(new URL(url, origin), {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        cookie: cookieHeader(),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded', origin } : {}),
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  };
}

export type Browser = ReturnType<typeof browser>;

/** Follows redirects until one leaves for `stopAt` (the client's redirect URI) or a page answers. */
export async function follow(
  go: Browser,
  start: string,
  stopAt: string,
): Promise<{ res: Response; url: string }> {
  let url = start;
  for (let i = 0; i < 10; i++) {
    const res = await go(url);
    const location = res.headers.get('location');
    if (!location) return { res, url };
    url = new URL(location, url).href;
    if (url.startsWith(stopAt)) return { res, url };
  }
  throw new Error('too many redirects');
}

/** The form on an HTML page: its action and CSRF field. */
export function formOf(html: string): { action: string; csrf: string } {
  return {
    action: /action="([^"]+)"/.exec(html)?.[1] ?? '',
    csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '',
  };
}

/**
 * A token signed with the provider's own (stored) key, as the provider would issue it: for tests
 * of what routes do with a principal, without a sign-in each time.
 */
export async function providerToken(
  env: IdentityPlatform,
  claims: {
    sub: string;
    principal_type: 'staff' | 'customer' | 'service';
    roles?: string[];
    amr?: string[];
    /** Seconds since the epoch: when the sign-in behind the token happened. */
    auth_time?: number;
  },
): Promise<string> {
  const r = await sql<{ material: string }>`select material from identity.key_material where kind = 'signing'
    order by created_at desc limit 1`.execute(env.platform.ports.db.primary);
  const key = JSON.parse(r.rows[0]?.material ?? '{}') as JWK;
  return new SignJWT({
    roles: [],
    amr: claims.principal_type === 'staff' ? ['pwd', 'otp'] : ['pwd'],
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid ?? '' })
    .setIssuer(env.identity.issuer)
    .setAudience(API_AUDIENCE)
    .setExpirationTime('5m')
    .sign(await importJWK(key, 'ES256'));
}
