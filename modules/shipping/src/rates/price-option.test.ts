import { describe, expect, it } from 'vitest';
import type { RateQuery } from '../contract/index.ts';
import { priceOption } from './price-option.ts';

const usd = (amount: number) => ({ amount, currency_code: 'usd' });
const eur = (amount: number) => ({ amount, currency_code: 'eur' });
const query = (over: Partial<RateQuery> = {}): RateQuery => ({
  countryCode: 'us',
  subtotal: 1000,
  currencyCode: 'usd',
  weightGrams: 500,
  ...over,
});

describe('priceOption', () => {
  it('a flat option costs its price in the cart currency, and is not offered in another', () => {
    const flat = { rule: { kind: 'flat' as const }, prices: [usd(599)] };
    expect(priceOption(flat, query())).toBe(599);
    expect(priceOption(flat, query({ currencyCode: 'eur' }))).toBeUndefined();
  });

  it('a free-above option is free from the threshold on, and priced below it', () => {
    const opt = {
      rule: { kind: 'free_above' as const, free_above: [usd(5000)] },
      prices: [usd(599), eur(499)],
    };
    expect(priceOption(opt, query({ subtotal: 4999 }))).toBe(599);
    expect(priceOption(opt, query({ subtotal: 5000 }))).toBe(0);
    // No threshold in euros: never free in euros.
    expect(priceOption(opt, query({ subtotal: 999_999, currencyCode: 'eur' }))).toBe(499);
  });

  it('a weight option takes the first bracket that holds the weight; none fits → not offered', () => {
    const opt = {
      rule: {
        kind: 'weight' as const,
        brackets: [
          { up_to_grams: 2000, prices: [usd(1200)] },
          { up_to_grams: 500, prices: [usd(800)] },
        ],
      },
      prices: [],
    };
    expect(priceOption(opt, query({ weightGrams: 0 }))).toBe(800);
    expect(priceOption(opt, query({ weightGrams: 500 }))).toBe(800);
    expect(priceOption(opt, query({ weightGrams: 501 }))).toBe(1200);
    expect(priceOption(opt, query({ weightGrams: 2001 }))).toBeUndefined();
    const open = {
      ...opt,
      rule: { kind: 'weight' as const, brackets: [{ up_to_grams: null, prices: [usd(3000)] }] },
    };
    expect(priceOption(open, query({ weightGrams: 1_000_000 }))).toBe(3000);
  });
});
