import { describe, expect, it } from 'vitest';
import { demoCategories, demoProduct } from './demo-catalog.ts';

describe('demo catalog', () => {
  it('is deterministic: product N is the same every time it is generated', () => {
    expect(demoProduct(12_345)).toEqual(demoProduct(12_345));
    expect(demoProduct(1).handle).not.toBe(demoProduct(2).handle);
  });

  it('makes products a shop could show: 1–12 variants with consistent options, prices in three currencies', () => {
    const handles = new Set<string>();
    const skus = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const p = demoProduct(i);
      expect(p.handle).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(p.variants.length).toBeGreaterThanOrEqual(1);
      expect(p.variants.length).toBeLessThanOrEqual(12);
      handles.add(p.handle);
      const combos = new Set(p.variants.map((v) => JSON.stringify(v.options)));
      expect(combos.size).toBe(p.variants.length);
      for (const v of p.variants) {
        skus.add(v.sku);
        expect(v.prices.map((x) => x.currency_code)).toEqual(['usd', 'eur', 'gbp']);
        for (const price of v.prices) expect(Number.isInteger(price.amount) && price.amount > 0).toBe(true);
        for (const [title, value] of Object.entries(v.options)) {
          expect(p.options.find((o) => o.title === title)?.values).toContain(value);
        }
      }
    }
    expect(handles.size).toBe(2000);
    expect(skus.size).toBe([...Array(2000).keys()].reduce((n, i) => n + demoProduct(i).variants.length, 0));
  });

  it('spreads products over every category', () => {
    const seen = new Set(
      Array.from({ length: demoCategories.length }, (_, i) => demoProduct(i).categoryHandle),
    );
    expect(seen.size).toBe(demoCategories.length);
  });
});
