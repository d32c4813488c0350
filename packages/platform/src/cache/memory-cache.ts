import { LRUCache } from 'lru-cache';
import { type Cache, type CacheStore, cacheOver } from './cache.ts';

export interface MemoryCacheOptions {
  /** The most entries kept; the least recently used go first. */
  readonly maxEntries: number;
  /**
   * An upper bound on the total size of the entries, counted as the length of each key plus its
   * JSON text (about its size in bytes for mostly-ASCII documents). A single value larger than
   * this is not stored: reading it back is a miss.
   */
  readonly maxBytes?: number;
}

interface Entry {
  readonly json: string;
  readonly tags: readonly string[];
}

/** The embedded-mode cache: an in-process LRU (lru-cache) with an in-memory tag index. */
export function createMemoryCache(options: MemoryCacheOptions): Cache {
  const { maxEntries, maxBytes } = options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }
  if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || maxBytes < 1)) {
    throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  }

  // tag -> keys stored with it. Kept exact: an entry leaves the index whenever lru-cache lets it
  // go (delete, replacement, eviction, expiry), through `dispose`.
  const byTag = new Map<string, Set<string>>();
  const unindex = (key: string, tags: readonly string[]): void => {
    for (const tag of tags) {
      const keys = byTag.get(tag);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) byTag.delete(tag);
    }
  };

  const lru = new LRUCache<string, Entry>({
    max: maxEntries,
    ...(maxBytes === undefined
      ? {}
      : {
          maxSize: maxBytes,
          sizeCalculation: (entry: Entry, key: string) => key.length + entry.json.length,
        }),
    dispose: (entry, key) => unindex(key, entry.tags),
  });

  const store: CacheStore = {
    readNow: (key) => lru.get(key)?.json,
    async read(key) {
      return lru.get(key)?.json;
    },
    async write(key, json, ttlMs, tags) {
      const entry: Entry = { json, tags: [...new Set(tags)] };
      // `set` disposes of the previous entry (and its tags) first, so index afterwards; an entry
      // too large for maxBytes is refused and must not be indexed.
      lru.set(key, entry, { ttl: ttlMs });
      if (lru.peek(key) !== entry) return;
      for (const tag of entry.tags) {
        let keys = byTag.get(tag);
        if (keys === undefined) {
          keys = new Set();
          byTag.set(tag, keys);
        }
        keys.add(key);
      }
    },
    async remove(keys) {
      for (const key of keys) lru.delete(key);
    },
    async invalidateTags(tags) {
      const keys = new Set<string>();
      for (const tag of tags) for (const key of byTag.get(tag) ?? []) keys.add(key);
      for (const key of keys) lru.delete(key);
    },
    async ping() {},
    async close() {
      lru.clear();
      byTag.clear();
    },
  };
  return cacheOver(store);
}
