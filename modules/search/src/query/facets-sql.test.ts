import { describe, expect, it } from 'vitest';
import { toFacets } from './facets-sql.ts';
import { priceBounds } from './price-buckets.ts';

describe('toFacets', () => {
  it('groups option values by title and turns buckets into inclusive ranges', () => {
    const bounds = priceBounds('usd');
    const facets = toFacets(
      [
        { kind: 'c', key: 'cat_a', name: 'Apparel', parent_id: null, n: 3 },
        { kind: 'o', key: 'Size:M', name: null, parent_id: null, n: 2 },
        { kind: 'o', key: 'Colour:Navy', name: null, parent_id: null, n: 1 },
        { kind: 'o', key: 'Size:L', name: null, parent_id: null, n: 1 },
        { kind: 'p', key: '8', name: null, parent_id: null, n: 1 },
        { kind: 'p', key: '2', name: null, parent_id: null, n: 2 },
      ],
      bounds,
      1,
    );
    expect(facets).toEqual({
      categories: [{ id: 'cat_a', name: 'Apparel', parent_id: null, count: 3 }],
      options: [
        { title: 'Colour', values: [{ value: 'Navy', count: 1 }] },
        {
          title: 'Size',
          values: [
            { value: 'M', count: 2 },
            { value: 'L', count: 1 },
          ],
        },
      ],
      price_ranges: [
        { min: 1000, max: 2499, count: 2 },
        { min: 100000, max: null, count: 1 },
      ],
    });
  });

  it('scales sampled counts', () => {
    const rows = [{ kind: 'o' as const, key: 'Size:M', name: null, parent_id: null, n: 3 }];
    expect(toFacets(rows, priceBounds('usd'), 33.4).options).toEqual([
      { title: 'Size', values: [{ value: 'M', count: 100 }] },
    ]);
  });

  it('scales the price buckets to the currency minor unit', () => {
    expect(priceBounds('jpy').slice(0, 3)).toEqual([0, 10, 25]);
    expect(priceBounds('kwd').slice(0, 2)).toEqual([0, 10000]);
  });
});
