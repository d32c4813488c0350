import { createServer, type Server } from 'node:net';
import { hasService, requireService, uniquePrefix } from '@emporium/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import type { Cache } from './cache.ts';
import { createMemoryCache } from './memory-cache.ts';
import { createRedisCache } from './redis-cache.ts';

type Kind = 'memory' | 'redis';

// With CI=true hasService is true even when Redis is missing, so its tests run and fail.
const kinds: Kind[] = hasService('redis') ? ['memory', 'redis'] : ['memory'];

let admin: Redis | undefined;
const adminClient = (): Redis => {
  admin ??= new Redis(requireService('redis'), { lazyConnect: true });
  return admin;
};
afterAll(async () => {
  await admin?.quit();
});

/** Deletes every Redis key under `prefix` (SCAN + DEL). */
async function deleteKeysUnder(prefix: string): Promise<void> {
  const redis = adminClient();
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A deferred promise, to hold a load open while other calls happen. */
function gate<T>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

// Contract suite of the cache port: the real lru-cache, and a real Redis with keys under a prefix
// unique to each cache. No fakes.
describe.each(kinds)('cache port on %s', (kind) => {
  let opened: Cache[] = [];
  let prefixes: string[] = [];
  let cache: Cache;

  const openCache = async (): Promise<Cache> => {
    let c: Cache;
    if (kind === 'memory') {
      c = createMemoryCache({ maxEntries: 1000 });
    } else {
      const url = requireService('redis');
      const keyPrefix = `${uniquePrefix('cache')}:`;
      prefixes.push(keyPrefix);
      c = createRedisCache({ url, keyPrefix });
    }
    opened.push(c);
    await c.ping();
    return c;
  };

  beforeEach(async () => {
    cache = await openCache();
  });
  afterEach(async () => {
    await Promise.all(opened.map((c) => c.close()));
    for (const prefix of prefixes) await deleteKeysUnder(prefix);
    opened = [];
    prefixes = [];
  });

  it('misses a key never set, returns what was set, and forgets deleted keys', async () => {
    expect(await cache.get('nothing')).toBeUndefined();
    await cache.set('a', { n: 1 }, 60_000);
    await cache.set('b', 'two', 60_000);
    await cache.set('c', 3, 60_000);
    expect(await cache.get('a')).toEqual({ n: 1 });
    await cache.set('a', { n: 2 }, 60_000);
    expect(await cache.get('a')).toEqual({ n: 2 });

    await cache.delete('a', 'b', 'never-set');
    await cache.delete();
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get<number>('c')).toBe(3);
  });

  it('forgets a value once its ttl has passed and keeps one whose ttl has not', async () => {
    await cache.set('short', 'soon gone', 300);
    await cache.set('long', 'stays', 60_000);
    expect(await cache.get('short')).toBe('soon gone');
    await vi.waitFor(async () => expect(await cache.get('short')).toBeUndefined(), {
      timeout: 5_000,
      interval: 25,
    });
    expect(await cache.get('long')).toBe('stays');
  });

  it('invalidates every entry carrying any of the given tags and nothing else', async () => {
    await cache.set('doc:1', 1, 60_000, { tags: ['product:prod_1', 'category:cat_2'] });
    await cache.set('doc:2', 2, 60_000, { tags: ['product:prod_1'] });
    await cache.set('doc:3', 3, 60_000, { tags: ['category:cat_2'] });
    await cache.set('doc:4', 4, 60_000, { tags: ['product:prod_9'] });
    await cache.set('doc:5', 5, 60_000);

    await cache.invalidateTags(['product:prod_1']);
    expect(await cache.get('doc:1')).toBeUndefined();
    expect(await cache.get('doc:2')).toBeUndefined();
    expect(await cache.get('doc:3')).toBe(3);

    await cache.invalidateTags(['category:cat_2', 'no-such-tag']);
    await cache.invalidateTags([]);
    expect(await cache.get('doc:3')).toBeUndefined();
    expect(await cache.get('doc:4')).toBe(4);
    expect(await cache.get('doc:5')).toBe(5);
  });

  it('tags an entry stored again after an invalidation, so the tag invalidates it again', async () => {
    await cache.set('doc', 'v1', 60_000, { tags: ['product:prod_1'] });
    await cache.invalidateTags(['product:prod_1']);
    await cache.set('doc', 'v2', 60_000, { tags: ['product:prod_1'] });
    expect(await cache.get('doc')).toBe('v2');
    await cache.invalidateTags(['product:prod_1']);
    expect(await cache.get('doc')).toBeUndefined();
  });

  it('getOrSet calls load once for 10 concurrent misses of one key, then serves hits', async () => {
    const held = gate<{ name: string }>();
    const load = vi.fn(() => held.promise);
    const calls = Array.from({ length: 10 }, () => cache.getOrSet('product:prod_1', 60_000, load));
    held.open({ name: 'Mug' });
    const results = await Promise.all(calls);
    expect(load).toHaveBeenCalledTimes(1);
    expect(results).toEqual(Array.from({ length: 10 }, () => ({ name: 'Mug' })));
    // Each caller has its own copy.
    expect(new Set(results).size).toBe(10);

    const again = vi.fn(async () => ({ name: 'other' }));
    expect(await cache.getOrSet('product:prod_1', 60_000, again)).toEqual({ name: 'Mug' });
    expect(again).not.toHaveBeenCalled();
    expect(await cache.get('product:prod_1')).toEqual({ name: 'Mug' });
  });

  it('getOrSet shares a failed load with its concurrent callers and stores nothing', async () => {
    const held = gate<void>();
    const load = vi.fn(async () => {
      await held.promise;
      throw new Error('database down');
    });
    const calls = Array.from({ length: 3 }, () => cache.getOrSet('k', 60_000, load));
    held.open();
    for (const call of calls) await expect(call).rejects.toThrow('database down');
    expect(load).toHaveBeenCalledTimes(1);
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.getOrSet('k', 60_000, async () => 'loaded')).toBe('loaded');
  });

  it('getOrSet tags what it stores, and does not store a load that overlapped an invalidation', async () => {
    await cache.getOrSet('doc', 60_000, async () => 'v1', { tags: ['product:prod_1'] });
    await cache.invalidateTags(['product:prod_1']);
    expect(await cache.get('doc')).toBeUndefined();

    // A load that read the old product before it changed must not write it back afterwards.
    const held = gate<string>();
    const slowLoad = vi.fn(() => held.promise);
    const stale = cache.getOrSet('doc', 60_000, slowLoad, { tags: ['product:prod_1'] });
    await vi.waitFor(() => expect(slowLoad).toHaveBeenCalled());
    await cache.invalidateTags(['product:prod_1']);
    // Callers after the invalidation do not join the stale load.
    const fresh = cache.getOrSet('doc', 60_000, async () => 'fresh', { tags: ['product:prod_1'] });
    held.open('stale');
    expect(await stale).toBe('stale');
    expect(await fresh).toBe('fresh');
    expect(await cache.get('doc')).toBe('fresh');
  });

  it('getOrSetText stores text as it is, loads once for concurrent misses, and goes with its tag', async () => {
    const page = '"etag"\nprod_1 cat_1\n{"product":{"title":"Mug \\"Ø\\""}}';
    const held = gate<string>();
    const load = vi.fn(() => held.promise);
    const calls = Array.from({ length: 5 }, () =>
      cache.getOrSetText('page:mug', 60_000, load, { tags: ['product:prod_1'] }),
    );
    held.open(page);
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 5 }, () => page));
    expect(load).toHaveBeenCalledTimes(1);
    expect(await cache.getOrSetText('page:mug', 60_000, async () => 'other')).toBe(page);
    await cache.invalidateTags(['product:prod_1']);
    expect(await cache.getOrSetText('page:mug', 60_000, async () => 'rebuilt')).toBe('rebuilt');
    // An empty string is a value (a page that does not exist), not a miss.
    expect(await cache.getOrSetText('page:none', 60_000, async () => '')).toBe('');
    expect(await cache.getOrSetText('page:none', 60_000, async () => 'x')).toBe('');
  });

  it('round-trips values through JSON: dates come back as strings, null is a value, reads are copies', async () => {
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const doc = { id: 'prod_1', at, tags: ['ä', '☕'], nested: { price: { amount: 1999 } }, gone: undefined };
    await cache.set('doc', doc, 60_000);
    const read = await cache.get<Record<string, unknown>>('doc');
    expect(read).toEqual({
      id: 'prod_1',
      at: '2026-01-02T03:04:05.000Z',
      tags: ['ä', '☕'],
      nested: { price: { amount: 1999 } },
    });
    expect(read).not.toHaveProperty('gone');
    if (read) read.id = 'changed';
    expect(await cache.get('doc')).toMatchObject({ id: 'prod_1' });

    // getOrSet returns the value as it will read back, not the loaded object itself.
    expect(await cache.getOrSet('loaded', 60_000, async () => ({ at }))).toEqual({
      at: '2026-01-02T03:04:05.000Z',
    });

    await cache.set('missing-product', null, 60_000);
    expect(await cache.get('missing-product')).toBeNull();
    const load = vi.fn(async () => 'never');
    expect(await cache.getOrSet('missing-product', 60_000, load)).toBeNull();
    expect(load).not.toHaveBeenCalled();
  });

  it('refuses values JSON cannot hold, ttls that are not positive integers, and empty keys', async () => {
    await expect(cache.set('k', undefined, 60_000)).rejects.toThrow(TypeError);
    await expect(cache.set('k', () => 1, 60_000)).rejects.toThrow(/values must be JSON/);
    await expect(cache.getOrSet('k', 60_000, async () => undefined)).rejects.toThrow(TypeError);
    await expect(cache.set('k', 1, 0)).rejects.toThrow(RangeError);
    await expect(cache.set('k', 1, 1.5)).rejects.toThrow(/ttlMs/);
    await expect(cache.set('', 1, 1000)).rejects.toThrow(/key/);
    await expect(cache.set('k', 1, 1000, { tags: [''] })).rejects.toThrow(/tags/);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('keeps two caches with different key prefixes apart', async () => {
    const other = await openCache();
    await cache.set('shared-name', 'mine', 60_000, { tags: ['t'] });
    expect(await other.get('shared-name')).toBeUndefined();
    await other.set('shared-name', 'theirs', 60_000, { tags: ['t'] });
    await other.invalidateTags(['t']);
    await other.delete('shared-name');
    expect(await cache.get('shared-name')).toBe('mine');
  });

  it('answers ping', async () => {
    await expect(cache.ping()).resolves.toBeUndefined();
  });
});

describe('memory cache', () => {
  it('evicts the least recently used entry beyond maxEntries and drops it from its tags', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    await cache.set('a', 'A', 60_000, { tags: ['t'] });
    await cache.set('b', 'B', 60_000, { tags: ['t'] });
    expect(await cache.get('a')).toBe('A'); // now b is the least recently used
    await cache.set('c', 'C', 60_000);
    expect(await cache.get('b')).toBeUndefined();
    await cache.invalidateTags(['t']);
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('c')).toBe('C');
    await cache.close();
  });

  it('bounds the total size by maxBytes and never stores a value larger than it', async () => {
    const cache = createMemoryCache({ maxEntries: 100, maxBytes: 100 });
    const text = 'x'.repeat(38); // 40 characters of JSON, 41 with its one-letter key
    await cache.set('a', text, 60_000);
    await cache.set('b', text, 60_000);
    await cache.set('c', text, 60_000, { tags: ['t'] });
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('c')).toBe(text);

    await cache.set('c', 'y'.repeat(200), 60_000, { tags: ['t'] });
    expect(await cache.get('c')).toBeUndefined();
    expect(await cache.get('b')).toBe(text);
    await cache.invalidateTags(['t']);
    expect(await cache.get('b')).toBe(text);
    await cache.close();
  });

  it('reads a stored text without waiting, and misses once it expires or its tag is invalidated', async () => {
    const cache = createMemoryCache({ maxEntries: 10 });
    expect(cache.readTextNow?.('page:mug')).toBeUndefined();
    await cache.getOrSetText('page:mug', 300, async () => 'mug page', { tags: ['product:prod_1'] });
    await cache.getOrSetText('page:cup', 60_000, async () => 'cup page', { tags: ['product:prod_2'] });
    expect(cache.readTextNow?.('page:mug')).toBe('mug page');
    await vi.waitFor(() => expect(cache.readTextNow?.('page:mug')).toBeUndefined(), {
      timeout: 5_000,
      interval: 25,
    });
    expect(cache.readTextNow?.('page:cup')).toBe('cup page');
    await cache.invalidateTags(['product:prod_2']);
    expect(cache.readTextNow?.('page:cup')).toBeUndefined();
    await cache.close();
  });

  it('refuses sizes that are not positive integers', () => {
    expect(() => createMemoryCache({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => createMemoryCache({ maxEntries: 10, maxBytes: 0.5 })).toThrow(/maxBytes/);
  });
});

describe.skipIf(!hasService('redis'))('redis cache', () => {
  it('stores entries under its prefix, with tag sets that live as long as their longest entry', async () => {
    const keyPrefix = `${uniquePrefix('cache')}:`;
    const cache = createRedisCache({ url: requireService('redis'), keyPrefix });
    try {
      await cache.ping();
      // Every read waits on the network, so the warm path (which needs readTextNow) stays off.
      expect(cache.readTextNow).toBeUndefined();
      await cache.set('doc:1', { n: 1 }, 60_000, { tags: ['product:prod_1'] });
      await cache.set('doc:2', { n: 2 }, 5_000, { tags: ['product:prod_1'] });
      const redis = adminClient();
      expect(await redis.get(`${keyPrefix}cache:doc:1`)).toBe('{"n":1}');
      expect((await redis.smembers(`${keyPrefix}cache-tag:product:prod_1`)).sort()).toEqual([
        `${keyPrefix}cache:doc:1`,
        `${keyPrefix}cache:doc:2`,
      ]);
      const tagTtl = await redis.pttl(`${keyPrefix}cache-tag:product:prod_1`);
      expect(tagTtl).toBeGreaterThan(5_000);
      expect(tagTtl).toBeLessThanOrEqual(60_000);
      await cache.invalidateTags(['product:prod_1']);
      expect(await redis.exists(`${keyPrefix}cache-tag:product:prod_1`, `${keyPrefix}cache:doc:1`)).toBe(0);
    } finally {
      await cache.close();
      await deleteKeysUnder(keyPrefix);
    }
  });
});

describe('redis cache when Redis is unreachable', () => {
  let servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    servers = [];
  });

  /** A local port that accepts connections and never answers, or (closed) one that refuses them. */
  async function listen(keepOpen: boolean): Promise<string> {
    const server = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    if (keepOpen) servers.push(server);
    else await new Promise((resolve) => server.close(resolve));
    return `redis://127.0.0.1:${address.port}`;
  }

  it('fails ping fast, answers reads as misses, skips writes and fails invalidations', async () => {
    const errors: Error[] = [];
    const cache = createRedisCache({
      url: await listen(false),
      keyPrefix: 'unreachable:',
      onError: (e) => errors.push(e),
    });
    try {
      const started = Date.now();
      const failure = await cache.ping().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(AppError);
      expect(failure).toMatchObject({ code: 'service_unavailable', status: 503 });
      expect(await cache.get('k')).toBeUndefined();
      await expect(cache.set('k', 1, 1000, { tags: ['t'] })).resolves.toBeUndefined();
      expect(await cache.getOrSet('k', 1000, async () => 'from the database')).toBe('from the database');
      await expect(cache.delete('k')).rejects.toMatchObject({ code: 'service_unavailable' });
      await expect(cache.invalidateTags(['t'])).rejects.toMatchObject({ code: 'service_unavailable' });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await cache.close();
    }
  });

  it('fails ping within the connect timeout when Redis accepts but never answers, and reads miss', async () => {
    const cache = createRedisCache({
      url: await listen(true),
      keyPrefix: 'silent:',
      connectTimeoutMs: 300,
      commandTimeoutMs: 200,
    });
    try {
      const started = Date.now();
      await expect(cache.ping()).rejects.toMatchObject({ code: 'service_unavailable' });
      expect(await cache.get('k')).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await cache.close();
    }
  });
});
