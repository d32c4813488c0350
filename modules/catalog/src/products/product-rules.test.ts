import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combinationKey, optionErrors, optionsChangeErrors, productShapeErrors } from './product-rules.ts';

const usd = [{ amount: 100, currency_code: 'usd' }];
const options = [
  { title: 'Size', values: ['S', 'M'] },
  { title: 'Colour', values: ['Red', 'Blue'] },
];

describe('product rules', () => {
  it('accepts every variant set that picks distinct listed combinations', () => {
    const combos = options[0]!.values.flatMap((Size) =>
      options[1]!.values.map((Colour) => ({ Size, Colour })),
    );
    fc.assert(
      fc.property(fc.subarray(combos, { minLength: 1 }), (chosen) => {
        const variants = chosen.map((o, i) => ({ sku: `SKU-${i}`, options: o, prices: usd }));
        expect(productShapeErrors(options, variants)).toEqual([]);
      }),
    );
  });

  it('finds any repeated combination, whatever the key order', () => {
    fc.assert(
      fc.property(fc.constantFrom('S', 'M'), fc.constantFrom('Red', 'Blue'), (Size, Colour) => {
        const variants = [
          { sku: 'A', options: { Size, Colour }, prices: usd },
          { sku: 'B', options: { Colour, Size }, prices: usd },
        ];
        expect(productShapeErrors(options, variants)).toEqual([
          { path: '/variants/1/options', message: expect.stringContaining('/variants/0') },
        ]);
      }),
    );
  });

  it('reports unknown, missing and unlisted option values, repeated SKUs and currencies at their paths', () => {
    const errors = productShapeErrors(options, [
      { sku: 'A', options: { Size: 'XL', Colour: 'Red', 'Fit/Cut': 'Slim' }, prices: usd },
      {
        sku: 'A',
        options: { Size: 'S' },
        prices: [...usd, { amount: 5, currency_code: 'usd' }, { amount: 1, currency_code: 'abc' }],
      },
    ]);
    expect(errors.map((e) => e.path)).toEqual([
      '/variants/0/options/Fit~1Cut',
      '/variants/0/options/Size',
      '/variants/1/options/Colour',
      '/variants/1/prices/1/currency_code',
      '/variants/1/prices/2/currency_code',
      '/variants/1/sku',
    ]);
  });

  it('refuses repeated option titles (ignoring case) and values', () => {
    expect(
      optionErrors([
        { title: 'Size', values: ['S', 'S'] },
        { title: 'size ', values: ['M'] },
      ]),
    ).toEqual([
      { path: '/options/0/values/1', message: expect.stringContaining('repeats "S"') },
      { path: '/options/1/title', message: expect.stringContaining('/options/0') },
    ]);
  });

  it('checks an options change against the existing variants', () => {
    const variants = [{ sku: 'A', options: { Size: 'M', Colour: 'Red' }, prices: usd }];
    expect(optionsChangeErrors(options, variants)).toEqual([]);
    expect(optionsChangeErrors([{ title: 'Size', values: ['S'] }], variants).map((e) => e.message)).toEqual([
      expect.stringContaining('no longer fit variant "A": options/Colour is not an option'),
      expect.stringContaining('"M" is not a value'),
    ]);
  });

  it('gives equal combinations one key', () => {
    expect(combinationKey({ a: '1', b: '2' })).toBe(combinationKey({ b: '2', a: '1' }));
    expect(combinationKey(undefined)).toBe(combinationKey({}));
    expect(combinationKey({ a: '1' })).not.toBe(combinationKey({ a: '2' }));
  });
});
