/**
 * The cache port: a key-value store for JSON documents with a time to live, tag-based
 * invalidation and single-flight loading. Embedded mode uses an in-process LRU
 * (`createMemoryCache`), distributed mode Redis (`createRedisCache`); both pass one contract suite.
 *
 * Values are stored as JSON text on both implementations, so they behave the same: a `Date` comes
 * back as its ISO string, `undefined` members and functions disappear, and every read returns a
 * fresh copy (mutating it never changes the cache). `null` is a value like any other and can be
 * cached (for example "this product does not exist"); `undefined` cannot, since `get` uses it for a
 * miss.
 *
 * A cache is an optimisation: reads and writes never fail because the cache is unreachable (a read
 * is a miss, a write is skipped). Invalidations (`delete`, `invalidateTags`) and `ping` do fail, so
 * that a caller who must remove stale data knows it was not removed.
 */
export interface Cache {
  /** The value stored at `key`, or undefined on a miss (absent, expired or cache unreachable). */
  get<T>(key: string): Promise<T | undefined>;
  /**
   * Stores `value` (as JSON) for `ttlMs` milliseconds (a positive integer), replacing any value
   * at `key` and its tags. Throws a TypeError for a value JSON cannot represent (`undefined`, a
   * function, a bigint).
   * @example cache.set('product:prod_1', doc, 60_000, { tags: ['product:prod_1', 'category:cat_2'] })
   */
  set<T>(key: string, value: T, ttlMs: number, options?: CacheSetOptions): Promise<void>;
  /** Removes the given keys (absent keys are ignored). */
  delete(...keys: string[]): Promise<void>;
  /**
   * Removes every entry that was stored with at least one of `tags`. An entry stored again
   * later with other tags may still be removed by an old tag (never fewer entries than tagged).
   */
  invalidateTags(tags: readonly string[]): Promise<void>;
  /**
   * The cached value at `key`, or else the result of `load()`, stored for `ttlMs` and returned as
   * it will be read back (through JSON). Concurrent calls for one key in this process share one
   * `load()`; a rejected load is shared by those callers and stores nothing. A load that was under
   * way while this process deleted or invalidated entries does not store its (possibly stale)
   * result.
   */
  getOrSet<T>(key: string, ttlMs: number, load: () => Promise<T>, options?: CacheSetOptions): Promise<T>;
  /**
   * `getOrSet` for a value that is already text (a serialised page): stored and returned as is,
   * with no JSON round trip, so a hot path's warm request costs one read. Same single-flight and
   * invalidation rules. Keys must not be shared with `get`/`getOrSet` (those read JSON).
   * @example const page = await cache.getOrSetText(`page:${handle}`, 5_000, async () => packPage(...))
   */
  getOrSetText(
    key: string,
    ttlMs: number,
    load: () => Promise<string>,
    options?: CacheSetOptions,
  ): Promise<string>;
  /**
   * The text `getOrSetText` stored at `key`, read without waiting, or undefined on a miss. Only a
   * store in this process can (the embedded LRU); on the others (Redis) this is absent, and a hot
   * path that uses it goes the asynchronous way instead. Counts as a use of the entry (LRU order).
   */
  readonly readTextNow?: (key: string) => string | undefined;
  /** Resolves when the cache answers; rejects (an AppError `service_unavailable`) when it does not. */
  ping(): Promise<void>;
  /** Releases connections and memory. The cache is not used afterwards. */
  close(): Promise<void>;
}

export interface CacheSetOptions {
  /** Labels for invalidating many entries at once, for example `product:prod_1`. */
  readonly tags?: readonly string[];
}

/** What an implementation provides; `cacheOver` adds validation, JSON and single-flight. */
export interface CacheStore {
  read(key: string): Promise<string | undefined>;
  /** `read` without waiting, for a store in this process; absent otherwise. */
  readNow?(key: string): string | undefined;
  write(key: string, json: string, ttlMs: number, tags: readonly string[]): Promise<void>;
  remove(keys: readonly string[]): Promise<void>;
  invalidateTags(tags: readonly string[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key === '') throw new TypeError('cache key must be a non-empty string');
}

function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new RangeError(`cache ttlMs must be a positive integer of milliseconds, got ${ttlMs}`);
  }
}

function checkTags(tags: readonly string[]): readonly string[] {
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag === '') throw new TypeError('cache tags must be non-empty strings');
  }
  return tags;
}

function toJson(value: unknown, key: string): string {
  const json: string | undefined = JSON.stringify(value);
  if (json === undefined) {
    throw new TypeError(
      `cannot cache ${typeof value} at "${key}": values must be JSON (use null for nothing)`,
    );
  }
  return json;
}

const parse = <T>(json: string): T => JSON.parse(json) as T;

export function cacheOver(store: CacheStore): Cache {
  const inflight = new Map<string, Promise<string>>();
  // Bumped by every delete and invalidation, so that a load that began before one does not write
  // back what it read before the change.
  let epoch = 0;
  const invalidated = (): void => {
    epoch += 1;
    inflight.clear();
  };

  /** The stored text at `key`, or else `load()`'s, stored; one load per key at a time in this process. */
  const loadOnce = (
    key: string,
    ttlMs: number,
    load: () => Promise<string>,
    options: CacheSetOptions | undefined,
  ): Promise<string> => {
    // Everything up to the first await runs synchronously, so concurrent callers find the
    // promise of the first one in `inflight`.
    checkKey(key);
    checkTtl(ttlMs);
    const tags = checkTags(options?.tags ?? []);
    let pending = inflight.get(key);
    if (pending === undefined) {
      const startedAt = epoch;
      const p = (async () => {
        const hit = await store.read(key);
        if (hit !== undefined) return hit;
        const text = await load();
        if (epoch === startedAt) await store.write(key, text, ttlMs, tags);
        return text;
      })();
      const settle = (): void => {
        if (inflight.get(key) === p) inflight.delete(key);
      };
      p.then(settle, settle);
      inflight.set(key, p);
      pending = p;
    }
    return pending;
  };

  return {
    async get<T>(key: string): Promise<T | undefined> {
      checkKey(key);
      const json = await store.read(key);
      return json === undefined ? undefined : parse<T>(json);
    },

    async set<T>(key: string, value: T, ttlMs: number, options?: CacheSetOptions): Promise<void> {
      checkKey(key);
      checkTtl(ttlMs);
      const tags = checkTags(options?.tags ?? []);
      await store.write(key, toJson(value, key), ttlMs, tags);
    },

    async delete(...keys: string[]): Promise<void> {
      for (const key of keys) checkKey(key);
      invalidated();
      if (keys.length > 0) await store.remove(keys);
    },

    async invalidateTags(tags: readonly string[]): Promise<void> {
      checkTags(tags);
      invalidated();
      if (tags.length > 0) await store.invalidateTags(tags);
    },

    async getOrSet<T>(
      key: string,
      ttlMs: number,
      load: () => Promise<T>,
      options?: CacheSetOptions,
    ): Promise<T> {
      // Each caller parses its own copy, so one caller's mutation never reaches another.
      return parse<T>(await loadOnce(key, ttlMs, async () => toJson(await load(), key), options));
    },

    async getOrSetText(key, ttlMs, load, options) {
      // A hit (the hot path: every warm page) is one read, with no single-flight bookkeeping.
      checkKey(key);
      const hit = await store.read(key);
      if (hit !== undefined) return hit;
      return loadOnce(
        key,
        ttlMs,
        async () => {
          const text = await load();
          if (typeof text !== 'string') throw new TypeError(`getOrSetText at "${key}" must load a string`);
          return text;
        },
        options,
      );
    },

    ...(store.readNow === undefined
      ? {}
      : {
          readTextNow: (key: string) => {
            checkKey(key);
            return store.readNow?.(key);
          },
        }),

    ping: () => store.ping(),

    async close(): Promise<void> {
      inflight.clear();
      await store.close();
    },
  };
}
