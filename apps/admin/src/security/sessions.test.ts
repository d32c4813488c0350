import type { Cache } from '@emporium/platform';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createAdminSessions } from './sessions.ts';

/** A cache that honours TTLs on a clock the test moves (the real ones use the wall clock). */
function clockedCache() {
  let now = 0;
  const entries = new Map<string, { value: unknown; until: number }>();
  const cache = {
    async get<T>(key: string) {
      const e = entries.get(key);
      return e && e.until > now ? (e.value as T) : undefined;
    },
    async set(key: string, value: unknown, ttlMs: number) {
      entries.set(key, { value, until: now + ttlMs });
    },
    async delete(...keys: string[]) {
      for (const k of keys) entries.delete(k);
    },
  } as unknown as Cache;
  return { cache, entries, advance: (ms: number) => (now += ms) };
}

async function appWith(cache: Cache) {
  const sessions = createAdminSessions(cache, 15 * 60_000);
  const app = Fastify();
  await app.register(cookie);
  app.get('/start', async (request, reply) => {
    const s = await sessions.ensure(request, reply);
    s.staff = {
      subject: 'usr_1',
      email: 'a@example.com',
      roles: ['owner'],
      accessToken: 'secret-access-token',
      accessExpiresAt: 0,
      refreshToken: 'secret-refresh-token',
    };
    await sessions.save(request, reply, s);
    return { ok: true };
  });
  app.get('/me', async (request, reply) => {
    const s = await sessions.read(request);
    if (s) await sessions.save(request, reply, s);
    return { signedIn: Boolean(s?.staff) };
  });
  return app;
}

describe('staff sessions', () => {
  it('keep the tokens on the server: the cookie is a random id, __Host-, HttpOnly, SameSite=Lax, Secure', async () => {
    const { cache, entries } = clockedCache();
    const app = await appWith(cache);
    const res = await app.inject({ url: '/start', headers: { host: '127.0.0.1:3000' } });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(
      /^__Host-emporium_admin=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    expect(setCookie).not.toContain('secret');
    const stored = JSON.stringify([...entries.entries()]);
    expect(stored).not.toContain('secret-access-token');
    expect(stored).not.toContain(setCookie.split(';')[0]?.split('=')[1]);
  });

  it('end after 15 minutes without a request, and each request restarts the 15 minutes', async () => {
    const { cache, advance } = clockedCache();
    const app = await appWith(cache);
    const start = await app.inject({ url: '/start', headers: { host: '127.0.0.1:3000' } });
    const jar = String(start.headers['set-cookie']).split(';')[0] ?? '';
    const me = async () =>
      (await app.inject({ url: '/me', headers: { host: '127.0.0.1:3000', cookie: jar } })).json<{
        signedIn: boolean;
      }>().signedIn;
    advance(14 * 60_000);
    expect(await me()).toBe(true);
    advance(14 * 60_000);
    expect(await me()).toBe(true);
    advance(15 * 60_000 + 1);
    expect(await me()).toBe(false);
  });

  it('read nothing for a forged or unknown id', async () => {
    const { cache } = clockedCache();
    const app = await appWith(cache);
    const res = await app.inject({
      url: '/me',
      headers: { host: '127.0.0.1:3000', cookie: `__Host-emporium_admin=${'A'.repeat(43)}` },
    });
    expect(res.json()).toEqual({ signedIn: false });
  });
});
