/**
 * Money as integer minor units plus an ISO 4217 currency code in lower case:
 * `{ amount: 1999, currency_code: 'usd' }` is $19.99. Never floats: every operation here keeps
 * `amount` a safe integer and refuses to mix currencies.
 */
export interface Money {
  readonly amount: number;
  readonly currency_code: string;
}

/** Currencies whose minor unit is not 1/100 (ISO 4217); every other code has two decimals. */
const EXPONENTS: Readonly<Record<string, number>> = {
  bif: 0,
  clp: 0,
  djf: 0,
  gnf: 0,
  isk: 0,
  jpy: 0,
  kmf: 0,
  krw: 0,
  pyg: 0,
  rwf: 0,
  ugx: 0,
  vnd: 0,
  vuv: 0,
  xaf: 0,
  xof: 0,
  xpf: 0,
  bhd: 3,
  iqd: 3,
  jod: 3,
  kwd: 3,
  lyd: 3,
  omr: 3,
  tnd: 3,
};

const CURRENCY = /^[a-z]{3}$/;

export function minorUnitExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

export function money(amount: number, currencyCode: string): Money {
  if (!Number.isSafeInteger(amount))
    throw new RangeError(`money amount must be an integer of minor units, got ${amount}`);
  if (!CURRENCY.test(currencyCode))
    throw new RangeError(`currency code must be three lower-case letters, got "${currencyCode}"`);
  // -0 (from rounding or splitting a negative amount) would display as "-$0.00".
  return Object.freeze({ amount: amount === 0 ? 0 : amount, currency_code: currencyCode });
}

export const zero = (currencyCode: string): Money => money(0, currencyCode);

function same(a: Money, b: Money): void {
  if (a.currency_code !== b.currency_code) {
    throw new RangeError(`cannot combine ${a.currency_code} and ${b.currency_code}`);
  }
}

export function add(a: Money, ...rest: Money[]): Money {
  let amount = a.amount;
  for (const b of rest) {
    same(a, b);
    amount += b.amount;
  }
  return money(amount, a.currency_code);
}

export function subtract(a: Money, b: Money): Money {
  same(a, b);
  return money(a.amount - b.amount, a.currency_code);
}

export function multiply(a: Money, quantity: number): Money {
  if (!Number.isSafeInteger(quantity)) throw new RangeError(`quantity must be an integer, got ${quantity}`);
  return money(a.amount * quantity, a.currency_code);
}

/** Rounds half away from zero, the usual rule for prices and taxes. */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * A share of `a` given in basis points (1 % = 100 bp), rounded half away from zero:
 * `percentOf(money(1999,'usd'), 2000)` is 400 (20 % of $19.99 = $3.998).
 */
export function percentOf(a: Money, basisPoints: number): Money {
  return money(roundHalfAway((a.amount * basisPoints) / 10_000), a.currency_code);
}

/**
 * Splits `a` in proportion to `ratios` so that the parts add up to exactly `a` (the largest
 * remainders get the leftover minor units). Used to spread a discount or a tax over lines.
 */
export function allocate(a: Money, ratios: readonly number[]): Money[] {
  const total = ratios.reduce((s, r) => s + r, 0);
  if (ratios.length === 0 || total <= 0 || ratios.some((r) => r < 0)) {
    throw new RangeError('allocate needs at least one non-negative ratio with a positive sum');
  }
  const sign = a.amount < 0 ? -1 : 1;
  const whole = Math.abs(a.amount);
  const exact = ratios.map((r) => (whole * r) / total);
  const parts = exact.map(Math.floor);
  let left = whole - parts.reduce((s, p) => s + p, 0);
  const order = exact
    .map((e, i) => ({ i, rem: e - Math.floor(e) }))
    .sort((x, y) => y.rem - x.rem || x.i - y.i);
  for (const { i } of order) {
    if (left === 0) break;
    parts[i] = (parts[i] ?? 0) + 1;
    left -= 1;
  }
  return parts.map((p) => money(sign * p, a.currency_code));
}

/** A display string such as `$19.99`, for emails and pages (never for arithmetic). */
export function formatMoney(a: Money, locale = 'en-US'): string {
  const exp = minorUnitExponent(a.currency_code);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: a.currency_code.toUpperCase(),
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
  }).format(a.amount / 10 ** exp);
}
