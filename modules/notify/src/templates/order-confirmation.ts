import { minorUnitExponent } from '@emporium/platform';
import type { OutgoingMessage } from '../contract/index.ts';

/**
 * The part of `orders.order.placed.v1` (orders' `OrderPlaced`) a confirmation needs. Declared
 * here structurally so notify does not depend on the orders module; extra fields are ignored.
 */
export interface PlacedOrder {
  orderId: string;
  number: number;
  email: string;
  currencyCode: string;
  lines: ReadonlyArray<{
    title: string;
    variantTitle: string | null;
    quantity: number;
    unitPrice: number;
    total: number;
  }>;
  subtotal: number;
  shippingTotal: number;
  taxTotal: number;
  discountTotal?: number;
  total: number;
  shippingAddress?: {
    firstName: string;
    lastName: string;
    line1: string;
    line2?: string | null;
    city: string;
    postalCode: string;
    region?: string | null;
    countryCode: string;
  } | null;
  shippingMethodName?: string | null;
}

export function formatMoney(amount: number, currency: string): string {
  const exp = minorUnitExponent(currency);
  const sign = amount < 0 ? '-' : '';
  return `${sign}${(Math.abs(amount) / 10 ** exp).toFixed(exp)} ${currency.toUpperCase()}`;
}

const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/**
 * The order confirmation: order number, lines, totals and where it ships, as plain text and as
 * simple HTML. Only what the order event carries, so never any card data.
 */
export function orderConfirmation(order: PlacedOrder, shopName = 'Emporium'): OutgoingMessage {
  const m = (n: number) => formatMoney(n, order.currencyCode);
  const lineName = (l: PlacedOrder['lines'][number]) =>
    l.variantTitle ? `${l.title} (${l.variantTitle})` : l.title;
  const totals: Array<[string, number]> = [
    ['Subtotal', order.subtotal],
    ['Shipping', order.shippingTotal],
    ['Tax', order.taxTotal],
  ];
  if (order.discountTotal) totals.push(['Discount', -order.discountTotal]);
  totals.push(['Total', order.total]);
  const a = order.shippingAddress;
  const addressLines = a
    ? [
        `${a.firstName} ${a.lastName}`,
        a.line1,
        ...(a.line2 ? [a.line2] : []),
        `${a.postalCode} ${a.city}${a.region ? `, ${a.region}` : ''}`,
        a.countryCode.toUpperCase(),
      ]
    : [];

  const text = [
    `Thank you for your order #${order.number}.`,
    '',
    ...order.lines.map((l) => `${l.quantity} × ${lineName(l)} — ${m(l.total)}`),
    '',
    ...totals.map(([label, amount]) => `${label}: ${m(amount)}`),
    ...(addressLines.length
      ? [
          '',
          `Shipping to${order.shippingMethodName ? ` (${order.shippingMethodName})` : ''}:`,
          ...addressLines,
        ]
      : []),
    '',
    `— ${shopName}`,
  ].join('\n');

  const row = (cells: string[]) =>
    `<tr>${cells.map((c) => `<td style="padding:4px 8px">${c}</td>`).join('')}</tr>`;
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h1 style="font-size:20px">Thank you for your order #${order.number}</h1>`,
    '<table>',
    ...order.lines.map((l) => row([`${l.quantity} ×`, escapeHtml(lineName(l)), escapeHtml(m(l.total))])),
    ...totals.map(([label, amount]) => row(['', `<strong>${label}</strong>`, escapeHtml(m(amount))])),
    '</table>',
    ...(addressLines.length ? [`<p>Shipping to:<br>${addressLines.map(escapeHtml).join('<br>')}</p>`] : []),
    `<p>— ${escapeHtml(shopName)}</p>`,
    '</body></html>',
  ].join('\n');

  return {
    to: order.email,
    subject: `Order #${order.number} confirmed`,
    text,
    html,
    kind: 'order.confirmation',
  };
}
