import { isLuhnValid } from '@emporium/platform';
import type { CardBrand, CardInput, TokenizeResult } from '../contract/index.ts';
import { brandRule } from './brand.ts';

/** A card that passed every check, normalised: digits only, four-digit year. */
export interface ValidCard {
  number: string;
  brand: CardBrand;
  expMonth: number;
  expYear: number;
  cvc: string;
  name?: string;
}

type Failure = Extract<TokenizeResult, { ok: false }>;

const fail = (code: Failure['code'], field: Failure['field'], message: string): Failure => ({
  ok: false,
  code,
  field,
  message,
});

/** Two-digit years mean 20YY. */
export const fullYear = (year: number): number => (year < 100 ? 2000 + year : year);

/**
 * Checks a card as typed: the number (digits with optional spaces or dashes, length for its
 * brand, Luhn), the expiry (a real month, not before `now`'s month, at most 20 years ahead) and
 * the CVC (3 digits, 4 for American Express). Messages are sentences a shopper can read and never
 * repeat the number.
 */
export function validateCard(input: CardInput, now: Date): { ok: true; card: ValidCard } | Failure {
  const raw = input.number.trim();
  if (!/^[0-9][0-9 -]*$/.test(raw)) {
    return fail('invalid_card', 'number', 'The card number may contain only digits, spaces and dashes.');
  }
  const number = raw.replace(/[ -]/g, '');
  const rule = brandRule(number);
  if (!rule.lengths.includes(number.length) || !isLuhnValid(number)) {
    return fail('invalid_card', 'number', 'The card number is not valid. Check the digits and try again.');
  }
  if (!Number.isInteger(input.expMonth) || input.expMonth < 1 || input.expMonth > 12) {
    return fail('invalid_expiry', 'exp_month', 'The expiry month must be from 1 to 12.');
  }
  if (!Number.isInteger(input.expYear) || input.expYear < 0 || (input.expYear > 99 && input.expYear < 2000)) {
    return fail('invalid_expiry', 'exp_year', 'The expiry year must be two or four digits.');
  }
  const expYear = fullYear(input.expYear);
  const thisYear = now.getUTCFullYear();
  const thisMonth = now.getUTCMonth() + 1;
  if (expYear < thisYear || (expYear === thisYear && input.expMonth < thisMonth)) {
    return fail('card_expired', 'exp_year', 'The card has expired. Use another card.');
  }
  if (expYear > thisYear + 20) {
    return fail('invalid_expiry', 'exp_year', 'The expiry year is too far in the future.');
  }
  const cvcPattern = new RegExp(`^[0-9]{${rule.cvcLength}}$`);
  if (!cvcPattern.test(input.cvc)) {
    return fail(
      'invalid_cvc',
      'cvc',
      `The security code (CVC) must be ${rule.cvcLength} digits${rule.brand === 'amex' ? ' for American Express' : ''}.`,
    );
  }
  return {
    ok: true,
    card: {
      number,
      brand: rule.brand,
      expMonth: input.expMonth,
      expYear,
      cvc: input.cvc,
      ...(input.name === undefined ? {} : { name: input.name }),
    },
  };
}

/** Whether a card valid until the end of `expMonth`/`expYear` has expired at `now`. */
export function isExpired(expMonth: number, expYear: number, now: Date): boolean {
  const y = now.getUTCFullYear();
  return expYear < y || (expYear === y && expMonth < now.getUTCMonth() + 1);
}
