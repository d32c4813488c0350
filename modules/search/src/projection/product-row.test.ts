import type { ProductDocument } from '@emporium/catalog/contract';
import { describe, expect, it } from 'vitest';
import { toProductRow } from './product-row.ts';

const product: ProductDocument = {
  id: 'prod_1',
  handle: 'harbor-jacket',
  title: 'Harbor Jacket',
  description: 'Waxed cotton.',
  status: 'published',
  version: 3,
  attributes: {
    brand: 'Northwind',
    tags: ['waterproof', 'warm'],
    weight: 900,
    nested: { a: { b: { c: 'deep' } } },
  },
  images: [
    { url: '/media/a.jpg', alt: '', width: 1, height: 1 },
    { url: '/media/b.jpg', alt: '', width: 1, height: 1 },
  ],
  options: [{ title: 'Size', values: ['S', 'M', 'L'] }],
  category_ids: ['cat_jackets'],
  collection_ids: [],
  variants: [
    {
      id: 'var_1',
      sku: 'a',
      title: 'M',
      options: { Size: 'M' },
      prices: [
        { amount: 1500, currency_code: 'usd' },
        { amount: 1400, currency_code: 'EUR' },
      ],
      weight_grams: null,
      barcode: null,
    },
    {
      id: 'var_2',
      sku: 'b',
      title: 'L',
      options: { Size: 'L' },
      prices: [{ amount: 1200, currency_code: 'usd' }],
      weight_grams: null,
      barcode: null,
    },
  ],
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-02T00:00:00.000Z',
  published_at: null,
};

describe('toProductRow', () => {
  it('derives the listing fields, keywords and lowest prices per currency', () => {
    const row = toProductRow(product, [
      { id: 'cat_jackets', handle: 'jackets', name: 'Jackets' },
      { id: 'cat_other', handle: 'other', name: 'Not mine' },
    ]);
    expect(row).toMatchObject({
      thumbnail: '/media/a.jpg',
      categoryIds: ['cat_jackets'],
      optionValues: ['Size:L', 'Size:M'],
      version: 3,
      publishedAt: '2026-01-02T00:00:00.000Z',
      prices: [
        { currency: 'eur', minAmount: 1400 },
        { currency: 'usd', minAmount: 1200 },
      ],
    });
    expect(row.keywords.split(' ')).toEqual(['Jackets', 'Northwind', 'waterproof', 'warm', '900', 'M', 'L']);
  });

  it('falls back to the declared option values when there are no variants', () => {
    const row = toProductRow({ ...product, variants: [] }, []);
    expect(row.optionValues).toEqual(['Size:L', 'Size:M', 'Size:S']);
    expect(row.prices).toEqual([]);
  });
});
