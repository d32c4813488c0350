import { randomBytes } from 'node:crypto';
import type { HttpApp } from '@emporium/platform';
import { type Html, html } from '@emporium/storefront';
import { Type } from 'typebox';
import { problemText, withQuery } from '../api/admin-api.ts';
import { amountText, formatDate, formatMoney, parseAmount } from '../html/format.ts';
import { csrfField } from '../html/layout.ts';
import { type Dashboard, field, redirectWith, type StaffRequest, sendPage, staffRequest } from './context.ts';

interface Money {
  amount: number;
  currency_code: string;
}
export interface OrderSummary {
  id: string;
  number: string | number;
  status: string;
  payment_status: string;
  email: string | null;
  currency_code: string;
  total: Money;
  captured_total: Money;
  refunded_total: Money;
  created_at: string;
  placed_at: string | null;
}
interface OrderDetail extends OrderSummary {
  items: Array<{
    id: string;
    sku: string;
    title: string;
    variant_title: string | null;
    quantity: number;
    unit_price: Money;
    total: Money;
    fulfilled_quantity: number;
    canceled_quantity: number;
  }>;
  shipping_address: Record<string, string | null> | null;
  shipping_method: { name: string; price: Money } | null;
  subtotal: Money;
  shipping_total: Money;
  tax_total: Money;
  timeline?: Array<{ id: string; kind: string; message: string; actor: string; at: string }>;
  fulfillments?: Array<{
    id: string;
    carrier: string;
    tracking_number: string | null;
    created_at: string;
    lines: Array<{ line_id: string; quantity: number }>;
  }>;
  refunds?: Array<{ id: string; amount: Money; reason: string; created_at: string }>;
}

const STATUSES = ['pending', 'placed', 'partially_fulfilled', 'fulfilled', 'completed', 'canceled'] as const;
const ListQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 30 })),
  email: Type.Optional(Type.String({ maxLength: 254 })),
  from: Type.Optional(Type.String({ maxLength: 10 })),
  to: Type.Optional(Type.String({ maxLength: 10 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Orders: a filtered keyset list; detail with timeline; capture, fulfil, refund (partial), cancel. */
export function registerOrderPages(app: HttpApp, d: Dashboard): void {
  app.get('/admin/ui/orders', { schema: { hide: true, querystring: ListQuery } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply, 'orders:read');
    if (!who) return reply;
    const q = request.query;
    const status = STATUSES.find((s) => s === q.status);
    const from = q.from && DATE.test(q.from) ? q.from : undefined;
    const to = q.to && DATE.test(q.to) ? q.to : undefined;
    const filters = { status, email: q.email || undefined, from, to };
    const res = await who.call<{ data: OrderSummary[]; next_cursor: string | null }>({
      method: 'GET',
      path: withQuery('/admin/orders', {
        status,
        email: filters.email,
        created_from: from ? `${from}T00:00:00.000Z` : undefined,
        created_to: to ? new Date(Date.parse(`${to}T00:00:00.000Z`) + 86_400_000).toISOString() : undefined,
        cursor: q.cursor,
        limit: 25,
      }),
    });
    const rows = res.status === 200 ? res.body.data : [];
    return sendPage(
      d,
      request,
      reply,
      who,
      'Orders',
      html`<h1>Orders</h1>
<form class="filters" method="get" action="/admin/ui/orders" role="search" aria-label="Filter orders">
<div><label for="f-status">Status</label><select id="f-status" name="status"><option value="">Any</option>${STATUSES.map((s) => html`<option value="${s}"${s === status ? html` selected` : ''}>${s.replace('_', ' ')}</option>`)}</select></div>
<div><label for="f-email">Customer email</label><input id="f-email" name="email" type="email" value="${q.email ?? ''}" maxlength="254"></div>
<div><label for="f-from">Placed from</label><input id="f-from" name="from" type="date" value="${from ?? ''}"></div>
<div><label for="f-to">Placed to</label><input id="f-to" name="to" type="date" value="${to ?? ''}"></div>
<button type="submit">Filter</button>
</form>
${res.status === 200 ? '' : html`<p class="flash error" role="alert">${problemText(res, 'The orders could not be listed.')}</p>`}
<table>
<caption class="visually-hidden">Orders, newest first</caption>
<thead><tr><th scope="col">Order</th><th scope="col">Customer</th><th scope="col">Status</th><th scope="col">Payment</th><th scope="col" class="num">Total</th><th scope="col">Created</th></tr></thead>
<tbody>
${rows.length === 0 ? html`<tr><td colspan="6">No orders match.</td></tr>` : ''}
${rows.map(
  (o) =>
    html`<tr><td><a href="/admin/ui/orders/${o.id}">#${o.number}</a></td><td>${o.email ?? '—'}</td><td><span class="badge">${o.status}</span></td><td>${o.payment_status}</td><td class="num">${formatMoney(o.total)}</td><td>${formatDate(o.created_at)}</td></tr>`,
)}
</tbody>
</table>
${res.status === 200 && res.body.next_cursor ? html`<nav aria-label="Pages"><a href="${withQuery('/admin/ui/orders', { ...filters, cursor: res.body.next_cursor })}">Next page</a></nav>` : ''}`,
    );
  });

  app.get('/admin/ui/orders/:id', { schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply, 'orders:read');
    if (!who) return reply;
    const res = await who.call<{ order: OrderDetail }>({
      method: 'GET',
      path: `/admin/orders/${request.params.id}`,
    });
    if (res.status !== 200) {
      return sendPage(
        d,
        request,
        reply,
        who,
        'Not found',
        html`<h1>Not found</h1><p>There is no such order.</p>`,
        { status: 404 },
      );
    }
    return sendPage(
      d,
      request,
      reply,
      who,
      `Order #${res.body.order.number}`,
      orderPage(who, res.body.order),
    );
  });

  const act = (
    action: 'capture' | 'cancel' | 'fulfillments' | 'refunds',
    body: (form: unknown, order: OrderDetail) => Record<string, unknown> | string,
    done: string,
  ) =>
    app.post(
      `/admin/ui/orders/:id/${action}`,
      { schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const who = await staffRequest(d, request, reply, 'orders:write');
        if (!who) return reply;
        const id = request.params.id;
        const back = `/admin/ui/orders/${id}`;
        const current = await who.call<{ order: OrderDetail }>({
          method: 'GET',
          path: `/admin/orders/${id}`,
        });
        if (current.status !== 200)
          return redirectWith(d, request, reply, who, '/admin/ui/orders', {
            kind: 'error',
            text: 'There is no such order.',
          });
        const payload = body(request.body, current.body.order);
        if (typeof payload === 'string')
          return redirectWith(d, request, reply, who, back, { kind: 'error', text: payload });
        // The form's own key: a double submit (or a retry after a lost answer) is replayed, not repeated.
        const key = field(request.body, 'idempotency_key', 100);
        const res = await who.call({
          method: 'POST',
          path: `/admin/orders/${id}/${action}`,
          body: payload,
          ...(/^[A-Za-z0-9_-]{16,100}$/.test(key) ? { headers: { 'idempotency-key': `admin-${key}` } } : {}),
        });
        return redirectWith(
          d,
          request,
          reply,
          who,
          back,
          res.status === 200 || res.status === 201
            ? { kind: 'notice', text: done }
            : { kind: 'error', text: problemText(res, 'The order could not be changed.') },
        );
      },
    );

  act('capture', () => ({}), 'Payment captured.');
  act(
    'cancel',
    (form) => {
      const reason = field(form, 'reason', 500);
      return reason ? { reason } : {};
    },
    'Order canceled.',
  );
  act(
    'fulfillments',
    (form, order) => {
      const carrier = field(form, 'carrier', 50);
      const tracking = field(form, 'tracking_number', 100);
      if (!carrier) return 'Enter the carrier.';
      const lines: Array<{ line_id: string; quantity: number }> = [];
      for (const item of order.items) {
        const text = field(form, `qty_${item.id}`, 10);
        if (text === '' || text === '0') continue;
        const quantity = Number(text);
        if (!Number.isInteger(quantity) || quantity < 0)
          return `The quantity for ${item.sku} must be a whole number.`;
        lines.push({ line_id: item.id, quantity });
      }
      if (lines.length === 0) return 'Choose at least one unit to ship.';
      return { lines, carrier, tracking_number: tracking || null };
    },
    'Fulfilment recorded.',
  );
  act(
    'refunds',
    (form, order) => {
      const amount = parseAmount(field(form, 'amount', 20), order.currency_code);
      const reason = field(form, 'reason', 500);
      if (amount === null || amount <= 0) return 'Enter the amount to refund, e.g. 12.50.';
      if (!reason) return 'Enter the reason for the refund.';
      return { amount, reason };
    },
    'Refund issued.',
  );
}

function key(): string {
  return randomBytes(18).toString('base64url');
}

function orderPage(who: StaffRequest, o: OrderDetail): Html {
  const write = who.can('orders:write');
  const csrf = csrfField(who.session.csrf);
  const refundable = o.captured_total.amount - o.refunded_total.amount;
  const open = o.status === 'placed' || o.status === 'partially_fulfilled';
  const toShip = o.items.filter((i) => i.quantity - i.fulfilled_quantity - i.canceled_quantity > 0);
  const addr = o.shipping_address;
  return html`<h1>Order #${o.number}</h1>
<p><span class="badge">${o.status}</span> · payment ${o.payment_status} · ${o.email ?? ''} · <span class="muted">${o.id}</span></p>
<div class="grid2">
<section aria-labelledby="h-totals"><h2 id="h-totals">Totals</h2>
<table><caption class="visually-hidden">Totals</caption><tbody>
<tr><th scope="row">Subtotal</th><td class="num">${formatMoney(o.subtotal)}</td></tr>
<tr><th scope="row">Shipping</th><td class="num">${formatMoney(o.shipping_total)}</td></tr>
<tr><th scope="row">Tax</th><td class="num">${formatMoney(o.tax_total)}</td></tr>
<tr><th scope="row">Total</th><td class="num">${formatMoney(o.total)}</td></tr>
<tr><th scope="row">Captured</th><td class="num">${formatMoney(o.captured_total)}</td></tr>
<tr><th scope="row">Refunded</th><td class="num">${formatMoney(o.refunded_total)}</td></tr>
</tbody></table></section>
<section aria-labelledby="h-ship"><h2 id="h-ship">Shipping</h2>
${addr ? html`<address>${addr.first_name} ${addr.last_name}<br>${addr.line1}${addr.line2 ? html`<br>${addr.line2}` : ''}<br>${addr.postal_code} ${addr.city}<br>${(addr.country_code ?? '').toUpperCase()}</address>` : html`<p>No address.</p>`}
<p>${o.shipping_method ? `${o.shipping_method.name} (${formatMoney(o.shipping_method.price)})` : ''}</p>
${(o.fulfillments ?? []).map((f) => html`<p>Shipped ${formatDate(f.created_at)} with ${f.carrier}${f.tracking_number ? `, tracking ${f.tracking_number}` : ''}</p>`)}
</section>
</div>
<h2>Items</h2>
<table><caption class="visually-hidden">Items</caption>
<thead><tr><th scope="col">Item</th><th scope="col">SKU</th><th scope="col" class="num">Quantity</th><th scope="col" class="num">Shipped</th><th scope="col" class="num">Unit price</th><th scope="col" class="num">Total</th></tr></thead>
<tbody>${o.items.map((i) => html`<tr><td>${i.title}${i.variant_title ? ` — ${i.variant_title}` : ''}</td><td>${i.sku}</td><td class="num">${i.quantity}</td><td class="num">${i.fulfilled_quantity}</td><td class="num">${formatMoney(i.unit_price)}</td><td class="num">${formatMoney(i.total)}</td></tr>`)}</tbody>
</table>
${
  write
    ? html`<h2>Actions</h2>
<div class="grid2">
${o.payment_status === 'authorized' ? html`<form method="post" action="/admin/ui/orders/${o.id}/capture">${csrf}<input type="hidden" name="idempotency_key" value="${key()}"><fieldset><legend>Capture payment</legend><p>Take ${formatMoney(o.total)} from the authorization.</p><button type="submit">Capture</button></fieldset></form>` : ''}
${
  open && toShip.length > 0
    ? html`<form method="post" action="/admin/ui/orders/${o.id}/fulfillments">${csrf}<input type="hidden" name="idempotency_key" value="${key()}"><fieldset><legend>Fulfil</legend>
${toShip.map((i) => html`<div class="field"><label for="qty-${i.id}">Units of ${i.sku} to ship (of ${i.quantity - i.fulfilled_quantity - i.canceled_quantity})</label><input id="qty-${i.id}" name="qty_${i.id}" type="number" min="0" max="${i.quantity - i.fulfilled_quantity - i.canceled_quantity}" value="${i.quantity - i.fulfilled_quantity - i.canceled_quantity}"></div>`)}
<div class="field"><label for="carrier">Carrier</label><input id="carrier" name="carrier" required maxlength="50"></div>
<div class="field"><label for="tracking">Tracking number</label><input id="tracking" name="tracking_number" maxlength="100"></div>
<button type="submit">Record shipment</button></fieldset></form>`
    : ''
}
${
  refundable > 0
    ? html`<form method="post" action="/admin/ui/orders/${o.id}/refunds">${csrf}<input type="hidden" name="idempotency_key" value="${key()}"><fieldset><legend>Refund</legend>
<div class="field"><label for="refund-amount">Amount in ${o.currency_code.toUpperCase()} (up to ${amountText(refundable, o.currency_code)})</label><input id="refund-amount" name="amount" inputmode="decimal" required pattern="\\d+(\\.\\d{1,3})?"></div>
<div class="field"><label for="refund-reason">Reason</label><input id="refund-reason" name="reason" required maxlength="500"></div>
<button type="submit">Refund</button></fieldset></form>`
    : ''
}
${
  open
    ? html`<form method="post" action="/admin/ui/orders/${o.id}/cancel">${csrf}<input type="hidden" name="idempotency_key" value="${key()}"><fieldset><legend>Cancel order</legend>
<div class="field"><label for="cancel-reason">Reason</label><input id="cancel-reason" name="reason" maxlength="500"></div>
<button type="submit" class="danger">Cancel order</button></fieldset></form>`
    : ''
}
</div>`
    : ''
}
<h2>Timeline</h2>
<ol class="timeline">${(o.timeline ?? []).map((t) => html`<li><time datetime="${t.at}">${formatDate(t.at)}</time> — ${t.message} <span class="muted">(${t.actor})</span></li>`)}</ol>
${(o.refunds ?? []).length > 0 ? html`<h2>Refunds</h2><ul>${(o.refunds ?? []).map((r) => html`<li>${formatMoney(r.amount)}: ${r.reason} (${formatDate(r.created_at)})</li>`)}</ul>` : ''}`;
}
