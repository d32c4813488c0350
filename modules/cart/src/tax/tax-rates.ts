import type { Cache } from '@emporium/platform';
import type { Reader } from '../db/tables.ts';
import type { TaxRate } from '../totals/compute-totals.ts';

/**
 * The tax rate of each destination, cached: every cart read and every checkout prices its tax from
 * it, while staff change rates a few times a year. Every write of the admin API invalidates the
 * rates at once (in every instance when the cache is Redis); the time to live bounds what only a
 * write that bypasses the module (a seed run beside a serving shop), or another instance with its
 * own in-process cache, could leave stale.
 */
export interface TaxRates {
  /** The region's rate when it has a row, else the country's, else null (no tax there). */
  forDestination(countryCode: string, region: string | null | undefined): Promise<TaxRate | null>;
  /** Forgets every cached rate; call it after a write of tax regions commits. */
  invalidate(): Promise<void>;
}

const TTL_MS = 30_000;
const TAG = 'cart:tax-rates';

export function createTaxRates(db: Reader, cache: Cache): TaxRates {
  return {
    forDestination(countryCode, region) {
      const r = (region ?? '').trim().toLowerCase();
      return cache.getOrSet(
        `cart:tax-rate:${countryCode}:${r}`,
        TTL_MS,
        async (): Promise<TaxRate | null> => {
          const row = await db
            .selectFrom('cart.tax_regions')
            .select(['rate_bp', 'inclusive'])
            .where('country_code', '=', countryCode)
            .where('region', 'in', r ? ['', r] : [''])
            .orderBy('region', 'desc')
            .limit(1)
            .executeTakeFirst();
          return row ? { rateBp: row.rate_bp, inclusive: row.inclusive } : null;
        },
        { tags: [TAG] },
      );
    },
    invalidate: () => cache.invalidateTags([TAG]),
  };
}
