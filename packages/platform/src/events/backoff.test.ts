import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay } from './backoff.ts';

const policies = fc
  .record({ baseMs: fc.integer({ min: 1, max: 60_000 }), extra: fc.integer({ min: 0, max: 3_600_000 }) })
  .map(({ baseMs, extra }) => ({ baseMs, capMs: baseMs + extra }));
const retries = fc.integer({ min: 0, max: 2000 });
const randoms = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoff with full jitter', () => {
  it('waits between 0 and min(cap, base · 2^retry), in whole milliseconds', () => {
    fc.assert(
      fc.property(policies, retries, randoms, (policy, retry, r) => {
        const delay = backoffDelay(retry, policy, () => r);
        const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** retry);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }),
    );
  });

  it('never lowers the longest wait as retries go on, and never passes the cap', () => {
    fc.assert(
      fc.property(policies, retries, (policy, retry) => {
        expect(backoffCeiling(retry + 1, policy)).toBeGreaterThanOrEqual(backoffCeiling(retry, policy));
        expect(backoffCeiling(retry, policy)).toBeLessThanOrEqual(policy.capMs);
      }),
    );
  });

  it('doubles the longest wait per retry until the cap', () => {
    const policy = { baseMs: 100, capMs: 1000 };
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffCeiling(n, policy))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });
});
