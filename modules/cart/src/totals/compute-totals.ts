/** A tax rate in basis points (2000 = 20 %), included in prices (VAT) or added on top (sales tax). */
export interface TaxRate {
  rateBp: number;
  inclusive: boolean;
}

export interface TotalsInput {
  /** Integer minor units per unit, and an integer quantity. */
  lines: ReadonlyArray<{ unitPrice: number; quantity: number }>;
  /** The selected shipping option's price in minor units (0 when none). */
  shipping: number;
  /** The destination's rate, or null when no tax applies (or no address yet). */
  tax: TaxRate | null;
}

export interface Totals {
  lines: Array<{ subtotal: number; tax: number }>;
  subtotal: number;
  shippingTotal: number;
  shippingTax: number;
  taxTotal: number;
  total: number;
  taxInclusive: boolean;
}

/** `n / d` rounded half away from zero, for non-negative integers, exactly (BigInt). */
function divRound(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}

/**
 * The tax on an amount of minor units, rounded half up to a whole minor unit: for an exclusive
 * rate `amount × rate`, for an inclusive one the part of `amount` that is tax
 * (`amount − amount / (1 + rate)`).
 */
export function taxOn(amount: number, tax: TaxRate | null): number {
  if (!tax || tax.rateBp === 0 || amount === 0) return 0;
  const a = BigInt(amount);
  const r = BigInt(tax.rateBp);
  const t = tax.inclusive ? a - divRound(a * 10_000n, 10_000n + r) : divRound(a * r, 10_000n);
  return Number(t);
}

/**
 * A cart's totals in integer minor units. Tax is computed per line and on shipping, each rounded
 * to a minor unit, then summed (what the shopper sees on each line adds up to the total):
 * exclusive → `total = subtotal + shipping + tax`; inclusive → `total = subtotal + shipping`.
 */
export function computeTotals(input: TotalsInput): Totals {
  for (const l of input.lines) {
    if (
      !Number.isSafeInteger(l.unitPrice) ||
      l.unitPrice < 0 ||
      !Number.isInteger(l.quantity) ||
      l.quantity < 1
    ) {
      throw new RangeError('line prices must be non-negative integers and quantities positive integers');
    }
  }
  if (!Number.isSafeInteger(input.shipping) || input.shipping < 0)
    throw new RangeError('shipping must be a non-negative integer');
  const lines = input.lines.map((l) => {
    const subtotal = l.unitPrice * l.quantity;
    if (!Number.isSafeInteger(subtotal)) throw new RangeError('line subtotal exceeds the safe integers');
    return { subtotal, tax: taxOn(subtotal, input.tax) };
  });
  const subtotal = lines.reduce((s, l) => s + l.subtotal, 0);
  const shippingTax = taxOn(input.shipping, input.tax);
  const taxTotal = lines.reduce((s, l) => s + l.tax, 0) + shippingTax;
  const inclusive = input.tax?.inclusive ?? false;
  const total = subtotal + input.shipping + (inclusive ? 0 : taxTotal);
  if (!Number.isSafeInteger(total)) throw new RangeError('cart total exceeds the safe integers');
  return {
    lines,
    subtotal,
    shippingTotal: input.shipping,
    shippingTax,
    taxTotal,
    total,
    taxInclusive: inclusive,
  };
}
