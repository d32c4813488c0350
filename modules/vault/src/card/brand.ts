import type { CardBrand } from '../contract/index.ts';

interface BrandRule {
  brand: CardBrand;
  /** Whether the number's leading digits belong to the brand (IIN ranges). */
  matches(digits: string): boolean;
  lengths: readonly number[];
  cvcLength: number;
}

const prefix = (digits: string, n: number): number => Number(digits.slice(0, n));
const between = (value: number, low: number, high: number): boolean => value >= low && value <= high;

// Order matters: more specific ranges first (Discover's 622126–622925 sits inside UnionPay's 62).
const RULES: readonly BrandRule[] = [
  { brand: 'amex', matches: (d) => /^3[47]/.test(d), lengths: [15], cvcLength: 4 },
  {
    brand: 'diners',
    matches: (d) => /^3(0[0-5]|09|[689])/.test(d),
    lengths: [14, 15, 16, 17, 18, 19],
    cvcLength: 3,
  },
  {
    brand: 'jcb',
    matches: (d) => between(prefix(d, 4), 3528, 3589),
    lengths: [16, 17, 18, 19],
    cvcLength: 3,
  },
  {
    brand: 'discover',
    matches: (d) => /^(6011|64[4-9]|65)/.test(d) || between(prefix(d, 6), 622126, 622925),
    lengths: [16, 17, 18, 19],
    cvcLength: 3,
  },
  { brand: 'unionpay', matches: (d) => /^62/.test(d), lengths: [16, 17, 18, 19], cvcLength: 3 },
  {
    brand: 'mastercard',
    matches: (d) => between(prefix(d, 2), 51, 55) || between(prefix(d, 4), 2221, 2720),
    lengths: [16],
    cvcLength: 3,
  },
  { brand: 'visa', matches: (d) => d.startsWith('4'), lengths: [13, 16, 19], cvcLength: 3 },
];

const UNKNOWN: BrandRule = {
  brand: 'unknown',
  matches: () => true,
  lengths: [12, 13, 14, 15, 16, 17, 18, 19],
  cvcLength: 3,
};

/** The brand's rule for a number of digits: valid lengths and the CVC length. */
export function brandRule(digits: string): Omit<BrandRule, 'matches'> {
  return RULES.find((r) => r.matches(digits)) ?? UNKNOWN;
}

/** The card brand from the number's leading digits; `unknown` when no range matches. */
export const detectBrand = (digits: string): CardBrand => brandRule(digits).brand;
