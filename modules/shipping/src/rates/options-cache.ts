import type { Cache } from '@emporium/platform';
import type { ShippingOption } from '../contract/index.ts';

/**
 * How long a country's options stay cached. Every write through this module invalidates them at
 * once (in every instance when the cache is Redis); the time to live bounds what only a write that
 * bypasses the module, or another instance with its own in-process cache, could leave stale.
 */
const TTL_MS = 30_000;
const TAG = 'shipping:options';

/**
 * The enabled options shipping to each country, cached: every cart read and every checkout prices
 * its shipping from them, while staff change them a few times a year.
 */
export interface OptionsCache {
  forCountry(countryCode: string, load: () => Promise<ShippingOption[]>): Promise<ShippingOption[]>;
  /** Forgets every country's options; call it after a write of zones, countries or options commits. */
  invalidate(): Promise<void>;
}

export function createOptionsCache(cache: Cache): OptionsCache {
  return {
    forCountry: (countryCode, load) =>
      cache.getOrSet(`shipping:options:${countryCode}`, TTL_MS, load, { tags: [TAG] }),
    invalidate: () => cache.invalidateTags([TAG]),
  };
}

/** No cache (a seed running before the shop serves anything). */
export const uncachedOptions: OptionsCache = {
  forCountry: (_countryCode, load) => load(),
  invalidate: async () => {},
};
