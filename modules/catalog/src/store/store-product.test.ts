import { describe, expect, it } from 'vitest';
import type { ProductDocument } from '../contract/index.ts';
import { toStoreProduct } from './store-product.ts';

const variant = (id: string, prices: Array<{ amount: number; currency_code: string }>) => ({
  id,
  sku: id,
  title: id,
  options: {},
  prices,
  weight_grams: null,
  barcode: null,
});

const product = {
  id: 'prod_1',
  variants: [
    variant('var_a', [
      { amount: 100, currency_code: 'usd' },
      { amount: 90, currency_code: 'eur' },
    ]),
    variant('var_b', [{ amount: 80, currency_code: 'eur' }]),
  ],
} as ProductDocument;

describe('toStoreProduct', () => {
  it('prices each variant in the currency (null without one) and marks it available above zero', () => {
    const shown = toStoreProduct(
      product,
      'usd',
      new Map([
        ['var_a', 0],
        ['var_b', 2],
      ]),
    );
    expect(shown.currency_code).toBe('usd');
    expect(shown.variants.map((v) => [v.price, v.available])).toEqual([
      [{ amount: 100, currency_code: 'usd' }, false],
      [null, true],
    ]);
    expect(shown.variants[0]?.prices).toHaveLength(2);
    expect(toStoreProduct(product, 'eur', new Map()).variants.map((v) => v.price?.amount)).toEqual([90, 80]);
  });
});
