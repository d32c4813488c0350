import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** What the storefront remembers about a browser, sealed in one cookie (no server-side state). */
export interface SessionData {
  /** Synchroniser token every form carries (`_csrf`). */
  csrf: string;
  /** The shopper's cart and its bearer secret (API.md: `POST /store/carts` → `secret`). */
  cart?: { id: string; secret: string; count: number };
  /** A signed-in customer's access token from the identity provider. */
  customer?: { token: string; email: string };
  /** Orders placed from this browser, with the secret that reads them (newest first, at most 5). */
  orders?: Array<{ id: string; secret: string }>;
  /** A message for the next page shown (after a redirect), then dropped. */
  flash?: { kind: 'error' | 'notice'; text: string };
  /** An OpenID Connect sign-in in progress: PKCE verifier, state, and where to go after. */
  signIn?: { verifier: string; state: string; returnTo: string };
  /** Seconds since the epoch when the session was created. */
  iat: number;
}

const MAX_AGE_S = 30 * 24 * 3600;

export interface Sessions {
  /** The session, or null when the browser has none (or a tampered or expired one). */
  read(request: FastifyRequest): SessionData | null;
  /** The session, created (and its cookie set) when there is none. */
  ensure(request: FastifyRequest, reply: FastifyReply): SessionData;
  write(request: FastifyRequest, reply: FastifyReply, data: SessionData): void;
  clear(request: FastifyRequest, reply: FastifyReply): void;
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
  return isSecureContext(request) ? '__Host-emporium_session' : 'emporium_session';
}

/** Sessions sealed with AES-256-GCM under a key derived from `secret`; tampering reads as none. */
export function createSessions(secret: string, now: () => number = Date.now): Sessions {
  const key = createHash('sha256').update(`emporium storefront session\0${secret}`).digest();

  const seal = (data: SessionData): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  };

  const unseal = (value: string): SessionData | null => {
    try {
      const bytes = Buffer.from(value, 'base64url');
      if (bytes.length < 29) return null;
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      const json = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
      const data = JSON.parse(json) as SessionData;
      if (typeof data.csrf !== 'string' || typeof data.iat !== 'number') return null;
      if (now() / 1000 - data.iat > MAX_AGE_S) return null;
      return data;
    } catch {
      return null;
    }
  };

  const write = (request: FastifyRequest, reply: FastifyReply, data: SessionData): void => {
    const secure = isSecureContext(request);
    reply.setCookie(sessionCookieName(request), seal(data), {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure,
      maxAge: MAX_AGE_S,
    });
  };

  const read = (request: FastifyRequest): SessionData | null => {
    const value = request.cookies[sessionCookieName(request)];
    return value ? unseal(value) : null;
  };

  return {
    read,
    write,
    ensure(request, reply) {
      const existing = read(request);
      if (existing) return existing;
      const fresh: SessionData = {
        csrf: randomBytes(24).toString('base64url'),
        iat: Math.floor(now() / 1000),
      };
      write(request, reply, fresh);
      return fresh;
    },
    clear(request, reply) {
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
export function isValidCsrf(session: SessionData | null, submitted: unknown): boolean {
  if (!session || typeof submitted !== 'string' || submitted.length === 0) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
