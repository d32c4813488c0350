/** `{ amount: 1999, currency_code: 'usd' }` → `$19.99` (exponent from Intl; JPY has none). */
export function formatMoney(money: { amount: number; currency_code: string } | null | undefined): string {
  if (!money) return '—';
  const f = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: money.currency_code.toUpperCase(),
  });
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(money.amount / 10 ** digits);
}

/** Minor units in `currency` for a decimal the staff typed (`12.5` → 1250); null when not a sum. */
export function parseAmount(text: string, currency: string): number | null {
  const t = text.trim();
  if (!/^\d{1,12}(\.\d{1,3})?$/.test(t)) return null;
  const digits =
    new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  const [whole = '0', frac = ''] = t.split('.');
  if (frac.length > digits) return null;
  return Number(whole) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
}

/** Minor units as the decimal a form shows (1250 → `12.50`). */
export function amountText(amount: number, currency: string): string {
  const digits =
    new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  return digits === 0 ? String(amount) : (amount / 10 ** digits).toFixed(digits);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
