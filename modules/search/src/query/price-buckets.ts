import { minorUnitExponent } from '@emporium/platform';

// In major units (dollars, euros); scaled to each currency's minor unit.
const MAJOR_BOUNDS = [10, 25, 50, 100, 250, 500, 1000];

/** Lower bounds of the price facet's buckets in minor units, starting at 0 (for `width_bucket`). */
export function priceBounds(currency: string): number[] {
  const unit = 10 ** minorUnitExponent(currency);
  return [0, ...MAJOR_BOUNDS.map((b) => b * unit)];
}

/** Bucket `n` of `width_bucket(amount, bounds)` as an inclusive range, like `price_min`/`price_max`. */
export function bucketRange(bounds: readonly number[], n: number): { min: number; max: number | null } {
  const min = bounds[n - 1] ?? 0;
  const next = bounds[n];
  return { min, max: next === undefined ? null : next - 1 };
}
