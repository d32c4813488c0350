import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectBrand } from './brand.ts';
import { validateCard } from './validate-card.ts';

const now = new Date(Date.UTC(2026, 5, 15));
const card = (over: Partial<Parameters<typeof validateCard>[0]> = {}) =>
  validateCard({ number: '4242 4242 4242 4242', expMonth: 12, expYear: 2030, cvc: '123', ...over }, now);

/** Appends the Luhn check digit to `body`. */
const withCheckDigit = (body: string): string => {
  for (let d = 0; d <= 9; d++) {
    const n = body + d;
    let sum = 0;
    for (let i = 0; i < n.length; i++) {
      let v = Number(n[n.length - 1 - i]);
      if (i % 2 === 1) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
      sum += v;
    }
    if (sum % 10 === 0) return n;
  }
  throw new Error('unreachable');
};

describe('card validation', () => {
  it('accepts the test cards, ignoring spaces and dashes, and detects their brand', () => {
    for (const n of [
      '4242 4242 4242 4242',
      '4000-0000-0000-0002',
      '4000000000009995',
      '4000 0000 0000 0119',
    ]) {
      const r = card({ number: n });
      expect(r).toMatchObject({ ok: true, card: { brand: 'visa' } });
    }
    expect(detectBrand('5555555555554444')).toBe('mastercard');
    expect(detectBrand('2223003122003222')).toBe('mastercard');
    expect(detectBrand('378282246310005')).toBe('amex');
    expect(detectBrand('6011111111111117')).toBe('discover');
    expect(detectBrand('3566002020360505')).toBe('jcb');
    expect(detectBrand('36227206271667')).toBe('diners');
    expect(detectBrand('6200000000000005')).toBe('unionpay');
  });

  it('rejects any single-digit change of a valid number (Luhn), without repeating the number', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^4[0-9]{14}$/),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 1, max: 9 }),
        (body, pos, bump) => {
          const valid = withCheckDigit(body);
          expect(card({ number: valid }).ok).toBe(true);
          const digits = [...valid];
          digits[pos] = String((Number(digits[pos]) + bump) % 10);
          const broken = digits.join('');
          const r = card({ number: broken });
          expect(r).toMatchObject({ ok: false, code: 'invalid_card', field: 'number' });
          expect(JSON.stringify(r)).not.toContain(broken);
        },
      ),
    );
  });

  it('refuses letters, wrong lengths and numbers of the wrong length for their brand', () => {
    expect(card({ number: '4242 4242 4242 424x' })).toMatchObject({ ok: false, code: 'invalid_card' });
    expect(card({ number: '' })).toMatchObject({ ok: false, code: 'invalid_card' });
    expect(card({ number: withCheckDigit('42424242424') })).toMatchObject({
      ok: false,
      code: 'invalid_card',
    });
    // a 16-digit number starting 34 (American Express has 15)
    expect(card({ number: withCheckDigit('342424242424242'), cvc: '1234' })).toMatchObject({
      ok: false,
      code: 'invalid_card',
    });
  });

  it('accepts the current month and later, rejects earlier months as expired', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2046 }), fc.integer({ min: 1, max: 12 }), (year, month) => {
        const r = card({ expMonth: month, expYear: year });
        const expired = year < 2026 || (year === 2026 && month < 6);
        if (expired) expect(r).toMatchObject({ ok: false, code: 'card_expired' });
        else expect(r.ok).toBe(true);
      }),
    );
    expect(card({ expMonth: 6, expYear: 26 })).toMatchObject({ ok: true, card: { expYear: 2026 } });
    expect(card({ expMonth: 13 })).toMatchObject({ ok: false, code: 'invalid_expiry', field: 'exp_month' });
    expect(card({ expMonth: 0 })).toMatchObject({ ok: false, code: 'invalid_expiry' });
    expect(card({ expYear: 2099 })).toMatchObject({ ok: false, code: 'invalid_expiry' });
    expect(card({ expYear: 999 })).toMatchObject({ ok: false, code: 'invalid_expiry' });
  });

  it('wants 3 CVC digits, and 4 for American Express', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), (cvc) => {
        expect(card({ cvc }).ok).toBe(/^[0-9]{3}$/.test(cvc));
      }),
    );
    expect(card({ number: '378282246310005', cvc: '1234' }).ok).toBe(true);
    expect(card({ number: '378282246310005', cvc: '123' })).toMatchObject({ ok: false, code: 'invalid_cvc' });
  });
});
