import type { FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { type Clock, systemClock } from '../clock/clock.ts';
import { AppError } from '../errors/app-error.ts';
import type { HttpApp } from '../http/http-app.ts';

/** Counts hits per key in fixed windows. In-process when embedded; Redis when REDIS_URL is set. */
export interface RateLimitStore {
  /** Counts one hit on `key`; returns the count in the current window and ms until it ends. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  close(): Promise<void>;
}

/** The app's limiter settings (`EMPORIUM_RATE_LIMITS=off` turns every limit off). */
export interface RateLimits {
  readonly enabled: boolean;
  readonly store: RateLimitStore;
}

declare module 'fastify' {
  interface FastifyInstance {
    rateLimits: RateLimits;
  }
}

/** A limit: at most `max` hits per `windowMs` for one key (an IP address, an account). */
export interface RateLimitRule {
  /** Names the counter, e.g. `login`, `vault_tokens`, `checkout`. */
  readonly name: string;
  readonly max: number;
  readonly windowMs: number;
}

export function createMemoryRateLimitStore(clock: Clock = systemClock, maxKeys = 100_000): RateLimitStore {
  const windows = new Map<string, { count: number; endsAt: number }>();
  return {
    async hit(key, windowMs) {
      const now = clock.now().getTime();
      let w = windows.get(key);
      if (!w || w.endsAt <= now) {
        if (windows.size >= maxKeys) {
          for (const [k, v] of windows) if (v.endsAt <= now) windows.delete(k);
          // Still full: forget the oldest windows rather than grow without bound.
          for (const k of windows.keys()) {
            if (windows.size < maxKeys) break;
            windows.delete(k);
          }
        }
        w = { count: 0, endsAt: now + windowMs };
        windows.set(key, w);
      }
      w.count += 1;
      return { count: w.count, resetMs: w.endsAt - now };
    },
    async close() {
      windows.clear();
    },
  };
}

/** Fixed windows in Redis: INCR, and PEXPIRE on the window's first hit. Shared by every instance. */
export function createRedisRateLimitStore(options: { url: string; keyPrefix: string }): RateLimitStore {
  const redis = new Redis(options.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
  });
  return {
    async hit(key, windowMs) {
      const k = `${options.keyPrefix}ratelimit:${key}`;
      const r = await redis.multi().incr(k).pexpire(k, windowMs, 'NX').pttl(k).exec();
      const count = Number(r?.[0]?.[1] ?? 1);
      const ttl = Number(r?.[2]?.[1] ?? windowMs);
      return { count, resetMs: ttl > 0 ? ttl : windowMs };
    },
    async close() {
      redis.disconnect();
    },
  };
}

/**
 * Sets the app's limiter. `createHttpApp` installs an in-process one honouring
 * `EMPORIUM_RATE_LIMITS`; the identity module replaces its store with a shared one (Redis when
 * `REDIS_URL` is set). The settings object is shared by every scope, so a route registered before
 * the replacement uses the new store too.
 */
export function installRateLimits(app: HttpApp, limits: RateLimits): void {
  if (app.hasDecorator('rateLimits'))
    Object.assign(app.rateLimits as { -readonly [K in keyof RateLimits]: RateLimits[K] }, limits);
  else app.decorate('rateLimits', { ...limits });
}

const fallback: RateLimits = { enabled: true, store: createMemoryRateLimitStore() };

/**
 * Counts one hit for `subject` under `rule`; over the limit it answers 429 `rate_limited` with
 * `Retry-After`. Use it inside a handler for per-account limits (the account is in the body).
 *
 * @example await consumeRateLimit(request, reply, LOGIN_PER_ACCOUNT, `account:${emailHash}`)
 */
export async function consumeRateLimit(
  request: FastifyRequest,
  reply: FastifyReply,
  rule: RateLimitRule,
  subject: string,
): Promise<void> {
  const limits = request.server.hasDecorator('rateLimits') ? request.server.rateLimits : fallback;
  if (!limits.enabled) return;
  const { count, resetMs } = await limits.store.hit(`${rule.name}:${subject}`, rule.windowMs);
  if (count > rule.max) {
    const seconds = Math.max(1, Math.ceil(resetMs / 1000));
    reply.header('retry-after', String(seconds));
    throw new AppError('rate_limited', 429, `Too many attempts. Try again in ${seconds} seconds.`);
  }
}

/**
 * An `onRequest` hook limiting each client IP address to `rule.max` requests per window.
 *
 * @example app.post('/vault/tokens', { onRequest: rateLimit({ name: 'vault_tokens', max: 30, windowMs: 60_000 }) }, handler)
 */
export function rateLimit(rule: RateLimitRule) {
  return (request: FastifyRequest, reply: FastifyReply): Promise<void> =>
    consumeRateLimit(request, reply, rule, `ip:${request.ip}`);
}
