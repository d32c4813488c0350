import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLuhnValid, maskCardNumbers } from './mask-card-numbers.ts';

/** A Luhn-valid card number of `length` digits, built from `body` (length - 1 digits). */
function withCheckDigit(body: string): string {
  const check = [...'0123456789'].find((d) => isLuhnValid(body + d));
  return body + (check ?? '');
}

const luhnValid16 = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 15, maxLength: 15 })
  .map((digits) => withCheckDigit(digits.join('')));

// Text around the number; digits touching it would make it part of a longer number.
const before = fc.string({ maxLength: 30 }).filter((s) => !/\d[ -]?$/.test(s));
const after = fc.string({ maxLength: 30 }).filter((s) => !/^[ -]?\d/.test(s));

function grouped(pan: string, separator: string): string {
  return pan.match(/.{1,4}/g)?.join(separator) ?? pan;
}

describe('isLuhnValid', () => {
  it('accepts the test cards and rejects a changed digit', () => {
    expect(isLuhnValid('4242424242424242')).toBe(true);
    expect(isLuhnValid('4000000000000002')).toBe(true);
    expect(isLuhnValid('4242424242424241')).toBe(false);
  });
});

describe('maskCardNumbers', () => {
  it('keeps only the last four digits of a card number, plain or grouped', () => {
    expect(maskCardNumbers('card 4242424242424242 declined')).toBe('card •••• 4242 declined');
    expect(maskCardNumbers('card 4242 4242 4242 4242.')).toBe('card •••• 4242.');
    expect(maskCardNumbers('card 4000-0000-0000-0002')).toBe('card •••• 0002');
    expect(maskCardNumbers('amex 3782 822463 10005')).toBe('amex •••• 0005');
  });

  it('masks card numbers in error messages, SQL and stacks alike', () => {
    const text = `insert into cards values ('4242424242424242')\n4000000000009995 at foo (x.ts:1:1)`;
    expect(maskCardNumbers(text)).toBe(`insert into cards values ('•••• 4242')\n•••• 9995 at foo (x.ts:1:1)`);
  });

  it('finds a card number that directly follows other digits in a group', () => {
    expect(maskCardNumbers('order 12 4242 4242 4242 4242')).toBe('order 12 •••• 4242');
  });

  it('leaves numbers that are not card numbers alone', () => {
    const text =
      'order 1001 at 2026-05-21T10:00:00Z, id 1716300000000, phone +1 415 555 2671, 4242424242424241';
    expect(maskCardNumbers(text)).toBe(text);
    expect(maskCardNumbers('12345678901234567890123')).toBe('12345678901234567890123');
  });

  it('leaves no Luhn-valid 16-digit number in the text, however it is written', () => {
    fc.assert(
      fc.property(
        before,
        luhnValid16,
        fc.constantFrom('', ' ', '-'),
        after,
        (prefix, pan, separator, suffix) => {
          const masked = maskCardNumbers(`${prefix}${grouped(pan, separator)}${suffix}`);
          expect(masked.replace(/[ -]/g, '')).not.toContain(pan);
          expect(masked).toContain(`•••• ${pan.slice(-4)}`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), luhnValid16, (text, pan) => {
        const once = maskCardNumbers(`${text} ${pan}`);
        expect(maskCardNumbers(once)).toBe(once);
      }),
    );
  });
});
