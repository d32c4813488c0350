import { AppError } from '@emporium/platform';
import { describe, expect, it } from 'vitest';
import { mergeLines } from './merge-lines.ts';

describe('mergeLines', () => {
  it('adds up repeated variants and sorts by variant id (the lock order)', () => {
    const merged = mergeLines([
      { variantId: 'var_b', quantity: 1 },
      { variantId: 'var_a', quantity: 2 },
      { variantId: 'var_b', quantity: 3 },
    ]);
    expect([...merged]).toEqual([
      ['var_a', 2],
      ['var_b', 4],
    ]);
  });

  it.each([0, -1, 1.5, Number.NaN, 2_000_000_000])('refuses a quantity of %s', (quantity) => {
    expect(() => mergeLines([{ variantId: 'var_a', quantity }])).toThrow(AppError);
  });

  it('refuses an empty variant id', () => {
    expect(() => mergeLines([{ variantId: '', quantity: 1 }])).toThrow(/variantId/);
  });
});
