import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeTotals, taxOn } from './compute-totals.ts';

const line = fc.record({
  unitPrice: fc.integer({ min: 0, max: 10_000_000 }),
  quantity: fc.integer({ min: 1, max: 999 }),
});
const lines = fc.array(line, { maxLength: 100 });
const shipping = fc.integer({ min: 0, max: 1_000_000 });
const rate = fc.record({ rateBp: fc.integer({ min: 0, max: 10_000 }), inclusive: fc.boolean() });

describe('computeTotals', () => {
  it('examples: 20 % inclusive VAT and 8.875 % exclusive sales tax', () => {
    const vat = computeTotals({
      lines: [{ unitPrice: 1200, quantity: 2 }],
      shipping: 600,
      tax: { rateBp: 2000, inclusive: true },
    });
    expect(vat).toMatchObject({
      subtotal: 2400,
      shippingTotal: 600,
      taxTotal: 500,
      total: 3000,
      taxInclusive: true,
    });
    const nyc = computeTotals({
      lines: [{ unitPrice: 1999, quantity: 3 }],
      shipping: 0,
      tax: { rateBp: 888, inclusive: false },
    });
    // 5997 × 8.88 % = 532.5336 → 533
    expect(nyc).toMatchObject({ subtotal: 5997, taxTotal: 533, total: 6530, taxInclusive: false });
  });

  it('every amount is an integer and the parts add up exactly (no float drift)', () => {
    fc.assert(
      fc.property(lines, shipping, fc.option(rate, { nil: null }), (ls, ship, tax) => {
        const t = computeTotals({ lines: ls, shipping: ship, tax });
        for (const n of [
          t.subtotal,
          t.shippingTotal,
          t.shippingTax,
          t.taxTotal,
          t.total,
          ...t.lines.flatMap((l) => [l.subtotal, l.tax]),
        ]) {
          expect(Number.isSafeInteger(n)).toBe(true);
          expect(n).toBeGreaterThanOrEqual(0);
        }
        expect(t.subtotal).toBe(ls.reduce((s, l) => s + l.unitPrice * l.quantity, 0));
        expect(t.taxTotal).toBe(t.lines.reduce((s, l) => s + l.tax, 0) + t.shippingTax);
        if (tax?.inclusive) {
          expect(t.total).toBe(t.subtotal + t.shippingTotal);
          expect(t.taxTotal).toBeLessThanOrEqual(t.total);
        } else {
          expect(t.total).toBe(t.subtotal + t.shippingTotal + t.taxTotal);
        }
      }),
    );
  });

  it('each line’s tax is the exact rational tax rounded to the nearest minor unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), rate, (amount, tax) => {
        const t = taxOn(amount, tax);
        // exact tax as a fraction num/den, compared in BigInt
        const a = BigInt(amount);
        const r = BigInt(tax.rateBp);
        const [num, den] = tax.inclusive ? [a * r, 10_000n + r] : [a * r, 10_000n];
        const diff = BigInt(t) * den - num; // (t − exact) × den
        expect(diff * 2n <= den && diff * 2n >= -den).toBe(true);
      }),
    );
  });

  it('refuses fractional prices and quantities', () => {
    expect(() =>
      computeTotals({ lines: [{ unitPrice: 10.5, quantity: 1 }], shipping: 0, tax: null }),
    ).toThrow(RangeError);
    expect(() =>
      computeTotals({ lines: [{ unitPrice: 10, quantity: 0.5 }], shipping: 0, tax: null }),
    ).toThrow(RangeError);
  });
});
