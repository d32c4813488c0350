import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add,
  allocate,
  formatMoney,
  type Money,
  minorUnitExponent,
  money,
  multiply,
  percentOf,
  subtract,
  zero,
} from './money.ts';

const currency = fc.constantFrom('usd', 'eur', 'jpy', 'kwd', 'gbp');
/** Amounts up to ten billion major units: far beyond any order, well inside exact arithmetic. */
const amount = fc.integer({ min: -1e12, max: 1e12 });
const total = (parts: readonly Money[]): number => parts.reduce((s, p) => s + p.amount, 0);
/** Display strings use no-break spaces; compare them with plain ones. */
const plain = (s: string): string => s.replace(/\s/g, ' ');

describe('money', () => {
  it('holds integer minor units and a lower-case ISO code, frozen', () => {
    const m = money(1999, 'usd');
    expect(m).toEqual({ amount: 1999, currency_code: 'usd' });
    expect(Object.isFrozen(m)).toBe(true);
    expect(zero('eur')).toEqual({ amount: 0, currency_code: 'eur' });
  });

  it.each([1.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses the amount %s', (n) => {
    expect(() => money(n, 'usd')).toThrow(/integer of minor units/);
  });

  it.each(['USD', 'us', 'usdx', '', 'u$d'])('refuses the currency code %j', (code) => {
    expect(() => money(1, code)).toThrow(/three lower-case letters/);
  });

  it('knows the minor units of each currency', () => {
    expect(minorUnitExponent('usd')).toBe(2);
    expect(minorUnitExponent('jpy')).toBe(0);
    expect(minorUnitExponent('kwd')).toBe(3);
  });
});

describe('add and subtract', () => {
  it('add sums and subtract undoes it, in one currency', () => {
    fc.assert(
      fc.property(currency, amount, amount, amount, (c, a, b, d) => {
        const sum = add(money(a, c), money(b, c), money(d, c));
        expect(sum).toEqual(money(a + b + d, c));
        expect(subtract(sum, money(d, c))).toEqual(money(a + b, c));
      }),
    );
  });

  it('refuse to mix currencies', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(currency, { minLength: 2, maxLength: 2 }),
        amount,
        amount,
        ([c1, c2], a, b) => {
          if (c1 === undefined || c2 === undefined) return;
          expect(() => add(money(a, c1), money(b, c2))).toThrow(/cannot combine/);
          expect(() => add(money(a, c1), money(b, c1), money(b, c2))).toThrow(/cannot combine/);
          expect(() => subtract(money(a, c1), money(b, c2))).toThrow(/cannot combine/);
        },
      ),
    );
  });

  it('refuse a result beyond the safe integers', () => {
    expect(() => add(money(Number.MAX_SAFE_INTEGER, 'usd'), money(1, 'usd'))).toThrow(RangeError);
  });
});

describe('multiply', () => {
  it('multiplies by an integer quantity and refuses fractions', () => {
    expect(multiply(money(1999, 'usd'), 3)).toEqual(money(5997, 'usd'));
    expect(() => multiply(money(1999, 'usd'), 1.5)).toThrow(/quantity must be an integer/);
  });
});

describe('percentOf', () => {
  it('takes a share in basis points, rounding half away from zero', () => {
    expect(percentOf(money(1999, 'usd'), 2000).amount).toBe(400); // 399.8
    expect(percentOf(money(5, 'usd'), 1000).amount).toBe(1); // 0.5
    expect(percentOf(money(-5, 'usd'), 1000).amount).toBe(-1); // -0.5
    expect(percentOf(money(25, 'usd'), 1000).amount).toBe(3); // 2.5
    expect(percentOf(money(-25, 'usd'), 1000).amount).toBe(-3); // -2.5
    expect(percentOf(money(14, 'usd'), 1000).amount).toBe(1); // 1.4
    expect(percentOf(money(-16, 'usd'), 1000).amount).toBe(-2); // -1.6
  });

  it('matches exact integer arithmetic', () => {
    const exact = (a: bigint, bp: bigint): bigint => {
      const n = a * bp;
      const q = n / 10_000n; // truncates toward zero
      const r = n % 10_000n;
      return (r < 0n ? -r : r) * 2n >= 10_000n ? q + (n < 0n ? -1n : 1n) : q;
    };
    fc.assert(
      fc.property(fc.integer({ min: -1e11, max: 1e11 }), fc.integer({ min: 0, max: 10_000 }), (a, bp) => {
        expect(BigInt(percentOf(money(a, 'usd'), bp).amount)).toBe(exact(BigInt(a), BigInt(bp)));
      }),
      { numRuns: 2000 },
    );
  });

  it('never yields a negative zero', () => {
    const share = percentOf(money(-4, 'usd'), 1000); // -0.4 rounds to 0
    expect(Object.is(share.amount, 0)).toBe(true);
    expect(formatMoney(share)).toBe('$0.00');
  });
});

describe('allocate', () => {
  const ratios = fc
    .array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 20 })
    .filter((rs) => rs.some((r) => r > 0));

  it('splits into parts that add up to exactly the total, in proportion within one minor unit', () => {
    fc.assert(
      fc.property(currency, amount, ratios, (c, a, rs) => {
        const parts = allocate(money(a, c), rs);
        expect(parts).toHaveLength(rs.length);
        expect(total(parts)).toBe(a);
        const sum = rs.reduce((s, r) => s + r, 0);
        parts.forEach((p, i) => {
          expect(p.currency_code).toBe(c);
          expect(Math.abs(p.amount - (a * (rs[i] ?? 0)) / sum)).toBeLessThan(1);
        });
      }),
    );
  });

  it('gives parts that differ by at most one minor unit for equal ratios', () => {
    fc.assert(
      fc.property(amount, fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 1e6 }), (a, n, r) => {
        const amounts = allocate(
          money(a, 'usd'),
          Array.from({ length: n }, () => r),
        ).map((p) => p.amount);
        expect(amounts.reduce((s, x) => s + x, 0)).toBe(a);
        expect(Math.max(...amounts) - Math.min(...amounts)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('gives the leftover units to the largest remainders, then to the first', () => {
    expect(allocate(money(100, 'usd'), [1, 1, 1]).map((p) => p.amount)).toEqual([34, 33, 33]);
    expect(allocate(money(-100, 'usd'), [1, 1, 1]).map((p) => p.amount)).toEqual([-34, -33, -33]);
    expect(allocate(money(10, 'usd'), [1, 2]).map((p) => p.amount)).toEqual([3, 7]);
    expect(allocate(money(5, 'usd'), [0, 1]).map((p) => p.amount)).toEqual([0, 5]);
  });

  it('never yields a negative zero part', () => {
    const parts = allocate(money(-1, 'usd'), [1, 1]);
    expect(parts.map((p) => p.amount)).toEqual([-1, 0]);
    expect(Object.is(parts[1]?.amount, 0)).toBe(true);
  });

  it.each([[[]], [[0, 0]], [[-1, 2]]])('refuses the ratios %j', (rs) => {
    expect(() => allocate(money(100, 'usd'), rs)).toThrow(/non-negative ratio with a positive sum/);
  });
});

describe('formatMoney', () => {
  it('shows two decimals for usd', () => {
    expect(formatMoney(money(1999, 'usd'))).toBe('$19.99');
    expect(formatMoney(money(-123456, 'usd'))).toBe('-$1,234.56');
    expect(formatMoney(money(5, 'usd'))).toBe('$0.05');
  });

  it('shows no decimals for jpy', () => {
    expect(formatMoney(money(1999, 'jpy'))).toBe('¥1,999');
  });

  it('shows three decimals for kwd', () => {
    expect(plain(formatMoney(money(1999, 'kwd')))).toBe('KWD 1.999');
    expect(plain(formatMoney(money(5, 'kwd')))).toBe('KWD 0.005');
  });

  it('follows the locale', () => {
    expect(plain(formatMoney(money(123456, 'eur'), 'de-DE'))).toBe('1.234,56 €');
  });
});
