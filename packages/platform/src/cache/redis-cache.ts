import { Redis } from 'ioredis';
import { AppError } from '../errors/app-error.ts';
import { type Cache, type CacheStore, cacheOver } from './cache.ts';

export interface RedisCacheOptions {
  /** `redis://` or `rediss://` URL (REDIS_URL). Never logged: it may carry a password. */
  readonly url: string;
  /**
   * Prefix of every key this cache writes (REDIS_KEY_PREFIX, `emporium:` by default). Entries live
   * at `<prefix>cache:<key>` and tag sets at `<prefix>cache-tag:<tag>`, so the cache never collides
   * with sessions or rate limits under the same prefix.
   */
  readonly keyPrefix: string;
  /**
   * Told about every Redis failure the cache absorbs (a read answered as a miss, a write skipped)
   * and every connection error. Pass the logger here; the default ignores them.
   */
  readonly onError?: (error: Error) => void;
  /** How long a command may wait for its reply before it fails (default 1000 ms). */
  readonly commandTimeoutMs?: number;
  /** How long a connection attempt may take (default 2000 ms). */
  readonly connectTimeoutMs?: number;
}

/** Tag sets are cleared with DEL of at most this many keys per command. */
const DEL_BATCH = 500;

/**
 * The distributed-mode cache on Redis 7+ (it uses `PEXPIRE … NX|GT`).
 *
 * Connection choices, so that a Redis that is down or slow never holds up a request:
 * - it connects at once (`lazyConnect: false`) and reconnects forever with a backoff capped at
 *   2 s plus jitter, so the cache comes back by itself when Redis does;
 * - `enableOfflineQueue: false`: while disconnected a command fails at once instead of waiting in
 *   a queue, so `get` is an immediate miss and `ping` an immediate failure;
 * - `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a command in flight when
 *   the connection drops fails instead of being replayed later;
 * - `commandTimeout`: a Redis that accepts connections but stops answering costs a command at most
 *   that long; `socketTimeout` (three command timeouts without a byte while replies are awaited)
 *   then drops the connection and makes a new one, so a hung handshake does not last forever.
 * Because commands are not queued before the first connection is ready, call `ping()` at start-up
 * (it waits for the connection being made); a read before that is a miss.
 */
export function createRedisCache(options: RedisCacheOptions): Cache {
  const { url, keyPrefix, onError = () => {}, commandTimeoutMs = 1000, connectTimeoutMs = 2000 } = options;
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: commandTimeoutMs,
    socketTimeout: 3 * commandTimeoutMs,
    connectTimeout: connectTimeoutMs,
    retryStrategy: (times) =>
      Math.min(100 * 2 ** Math.min(times - 1, 5), 2000) + Math.floor(Math.random() * 100),
  });
  // Without a listener ioredis prints every connection error to the console.
  redis.on('error', (err: Error) => onError(err));

  const dataKey = (key: string): string => `${keyPrefix}cache:${key}`;
  const tagKey = (tag: string): string => `${keyPrefix}cache-tag:${tag}`;
  const absorb = (err: unknown): void => onError(err instanceof Error ? err : new Error(String(err)));
  const unavailable = (cause: unknown): AppError =>
    new AppError('service_unavailable', 503, 'The cache (Redis) did not answer.', { cause });

  /** Resolves when the connection is ready; waits only while a connection attempt is under way. */
  const whenReady = (): Promise<void> => {
    const status = redis.status;
    if (status === 'ready') return Promise.resolve();
    if (status !== 'connecting' && status !== 'connect') {
      return Promise.reject(new Error(`the Redis connection is ${status}`));
    }
    return new Promise((resolve, reject) => {
      const done = (err?: Error): void => {
        clearTimeout(timer);
        redis.off('ready', onReady);
        redis.off('error', onFail);
        redis.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onReady = (): void => done();
      const onFail = (err: Error): void => done(err);
      const onClose = (): void => done(new Error('the Redis connection closed'));
      const timer = setTimeout(
        () => done(new Error(`no Redis connection within ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      redis.on('ready', onReady);
      redis.on('error', onFail);
      redis.on('close', onClose);
    });
  };

  /** The replies of a MULTI … EXEC, or the first error among them. */
  const replies = (result: [Error | null, unknown][] | null): unknown[] => {
    if (result === null) throw new Error('the Redis transaction was aborted');
    return result.map(([err, reply]) => {
      if (err) throw err;
      return reply;
    });
  };

  const store: CacheStore = {
    async read(key) {
      try {
        return (await redis.get(dataKey(key))) ?? undefined;
      } catch (err) {
        absorb(err);
        return undefined;
      }
    },

    async write(key, json, ttlMs, tags) {
      const k = dataKey(key);
      try {
        if (tags.length === 0) {
          await redis.set(k, json, 'PX', ttlMs);
          return;
        }
        // A tag set lives as long as its longest-lived entry: NX gives a new set the TTL, GT
        // extends an existing one and never shortens it.
        const tx = redis.multi().set(k, json, 'PX', ttlMs);
        for (const tag of new Set(tags)) {
          const t = tagKey(tag);
          tx.sadd(t, k).pexpire(t, ttlMs, 'NX').pexpire(t, ttlMs, 'GT');
        }
        replies(await tx.exec());
      } catch (err) {
        absorb(err);
      }
    },

    async remove(keys) {
      try {
        await redis.del(...keys.map(dataKey));
      } catch (err) {
        throw unavailable(err);
      }
    },

    async invalidateTags(tags) {
      const tagKeys = [...new Set(tags)].map(tagKey);
      try {
        // Read and drop the tag sets in one transaction, so an entry tagged meanwhile lands in a
        // new set (and survives only if it was written after this invalidation).
        const tx = redis.multi();
        for (const t of tagKeys) tx.smembers(t);
        tx.del(...tagKeys);
        const members = new Set<string>();
        for (const reply of replies(await tx.exec()).slice(0, tagKeys.length)) {
          if (Array.isArray(reply)) for (const m of reply) if (typeof m === 'string') members.add(m);
        }
        const keys = [...members];
        for (let i = 0; i < keys.length; i += DEL_BATCH) await redis.del(...keys.slice(i, i + DEL_BATCH));
      } catch (err) {
        throw unavailable(err);
      }
    },

    async ping() {
      try {
        await whenReady();
        await redis.ping();
      } catch (err) {
        throw unavailable(err);
      }
    },

    async close() {
      if (redis.status === 'end') return;
      if (redis.status === 'ready') {
        try {
          await redis.quit();
          return;
        } catch {
          // Fall through: drop the connection without waiting.
        }
      }
      redis.disconnect();
    },
  };
  return cacheOver(store);
}
