import { describe, expect, it } from 'vitest';
import { handleCandidates, slugify } from './slug.ts';

describe('slugify', () => {
  it('makes URL handles from titles', () => {
    expect(slugify('Crème Brûlée & Co.')).toBe('creme-brulee-and-co');
    expect(slugify('  T-Shirt -- XL  ')).toBe('t-shirt-xl');
    expect(slugify('Ærø Straße 100%')).toBe('aero-strasse-100');
    expect(slugify('日本')).toBe('product');
    expect(slugify('x'.repeat(200))).toHaveLength(80);
    expect(slugify(`${'a'.repeat(79)} b`)).toBe('a'.repeat(79));
  });

  it('lists suffixed candidates', () => {
    expect(handleCandidates('shirt', 3)).toEqual(['shirt', 'shirt-2', 'shirt-3']);
  });
});
