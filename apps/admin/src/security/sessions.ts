import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Cache } from '@emporium/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The signed-in staff member, with the provider's tokens (kept on the server, never in the browser). */
export interface StaffSignIn {
  subject: string;
  email: string;
  roles: string[];
  accessToken: string;
  /** Milliseconds since the epoch. */
  accessExpiresAt: number;
  refreshToken: string | null;
}

/** What the dashboard keeps about one browser, server-side (the cookie holds only a random id). */
export interface AdminSession {
  /** Synchroniser token every form carries (`_csrf`). */
  csrf: string;
  staff?: StaffSignIn;
  /** A sign-in in progress: PKCE verifier, state, and where to go afterwards. */
  signIn?: { verifier: string; state: string; returnTo: string };
  /** A message for the next page shown (after a redirect), then dropped. */
  flash?: { kind: 'error' | 'notice'; text: string };
}

export interface AdminSessions {
  /** The session, or null when the browser has none (or it ended: idle timeout, sign-out). */
  read(request: FastifyRequest): Promise<AdminSession | null>;
  /** The session, created (and its cookie set) when there is none. */
  ensure(request: FastifyRequest, reply: FastifyReply): Promise<AdminSession>;
  /** Stores the session again (and restarts its idle timer). */
  save(request: FastifyRequest, reply: FastifyReply, session: AdminSession): Promise<void>;
  /** A new id for the same data (after signing in: no fixation of an id set before). */
  rotate(request: FastifyRequest, reply: FastifyReply, session: AdminSession): Promise<void>;
  destroy(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/**
 * True when cookies may carry `Secure` and the `__Host-` prefix: over TLS, and on loopback, which
 * browsers treat as a secure context (so local development and tests use the same cookie).
 */
export function isSecureContext(request: FastifyRequest): boolean {
  if (request.protocol === 'https') return true;
  return ['localhost', '127.0.0.1', '[::1]', '::1'].includes(request.hostname);
}

export function sessionCookieName(request: FastifyRequest): string {
  return isSecureContext(request) ? '__Host-emporium_admin' : 'emporium_admin';
}

const ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Staff sessions in the platform's cache port (the in-process LRU, or Redis when several
 * instances run), expiring after `idleMs` without a request. The cookie carries a random id only;
 * the entry is stored under a hash of the id and sealed (AES-256-GCM) with a key derived from the
 * id, so the tokens in a cache dump are useless without the browser's cookie.
 */
export function createAdminSessions(cache: Cache, idleMs: number): AdminSessions {
  const keyOf = (id: string) => `admin-session:${createHash('sha256').update(id).digest('base64url')}`;
  const aesKey = (id: string) => createHash('sha256').update(`emporium admin session\0${id}`).digest();
  const state = new WeakMap<FastifyRequest, string>();

  const seal = (id: string, data: AdminSession): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', aesKey(id), iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  };
  const unseal = (id: string, sealed: string): AdminSession | null => {
    try {
      const bytes = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', aesKey(id), bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      const json = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
      const data = JSON.parse(json) as AdminSession;
      return typeof data.csrf === 'string' ? data : null;
    } catch {
      return null;
    }
  };
  const setCookie = (request: FastifyRequest, reply: FastifyReply, id: string) => {
    // A browser-session cookie; the server's idle timeout ends the session itself.
    reply.setCookie(sessionCookieName(request), id, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: isSecureContext(request),
    });
  };
  const write = async (id: string, data: AdminSession) => {
    await cache.set(keyOf(id), seal(id, data), idleMs);
  };
  const read = async (request: FastifyRequest): Promise<AdminSession | null> => {
    const id = state.get(request) ?? request.cookies[sessionCookieName(request)];
    if (!id || !ID.test(id)) return null;
    const sealed = await cache.get<string>(keyOf(id));
    const data = sealed ? unseal(id, sealed) : null;
    if (data) state.set(request, id);
    return data;
  };

  return {
    read,
    async ensure(request, reply) {
      const existing = await read(request);
      if (existing) return existing;
      const id = randomBytes(32).toString('base64url');
      const fresh: AdminSession = { csrf: randomBytes(24).toString('base64url') };
      await write(id, fresh);
      state.set(request, id);
      setCookie(request, reply, id);
      return fresh;
    },
    async save(request, reply, session) {
      const id = state.get(request);
      if (!id) {
        const created = randomBytes(32).toString('base64url');
        state.set(request, created);
        setCookie(request, reply, created);
        return write(created, session);
      }
      return write(id, session);
    },
    async rotate(request, reply, session) {
      const old = state.get(request);
      if (old) await cache.delete(keyOf(old));
      const id = randomBytes(32).toString('base64url');
      session.csrf = randomBytes(24).toString('base64url');
      state.set(request, id);
      setCookie(request, reply, id);
      await write(id, session);
    },
    async destroy(request, reply) {
      const id = state.get(request) ?? request.cookies[sessionCookieName(request)];
      if (id && ID.test(id)) await cache.delete(keyOf(id));
      state.delete(request);
      reply.clearCookie(sessionCookieName(request), {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: isSecureContext(request),
      });
    },
  };
}

/** Constant-time check of a submitted `_csrf` against the session's token. */
export function isValidCsrf(session: AdminSession | null, submitted: unknown): boolean {
  if (!session || typeof submitted !== 'string' || submitted.length === 0) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
