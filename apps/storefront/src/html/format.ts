/** `{ amount: 1999, currency_code: 'usd' }` → `$19.99` (minor units by the currency's own digits). */
export function formatMoney(money: { amount: number; currency_code: string } | null | undefined): string {
  if (!money) return '';
  const format = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: money.currency_code.toUpperCase(),
  });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.amount / 10 ** digits);
}
