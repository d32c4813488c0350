import type { FastifyInstance } from 'fastify';
import type { Order } from '../api/types.ts';
import { formatMoney } from '../html/format.ts';
import { type Html, html } from '../html/html.ts';
import { layout, type PageFrame } from '../html/layout.ts';
import { totals } from './cart-pages.ts';
import { type Storefront, sendPersonal } from './page.ts';

/** The order confirmation: readable with the order's secret kept in this browser's session. */
export function registerOrderPages(app: FastifyInstance, sf: Storefront): void {
  app.get<{ Params: { id: string } }>('/orders/:id', { schema: { hide: true } }, async (request, reply) => {
    const session = sf.sessions.ensure(request, reply);
    const id = request.params.id;
    const secret = session.orders?.find((o) => o.id === id)?.secret ?? session.customer?.token;
    const res = secret
      ? await sf.api.request<{ order: Order }>({
          method: 'GET',
          path: `/store/orders/${encodeURIComponent(id)}`,
          headers: { authorization: `Bearer ${secret}` },
        })
      : null;
    if (res?.status !== 200) {
      return sendPersonal(
        sf,
        request,
        reply,
        session,
        (frame) =>
          layout(
            frame,
            'Order not found',
            html`<h1>Order not found</h1><p>We could not find that order for you. If you placed it, <a href="/account">sign in</a> to see your orders.</p>`,
          ),
        { status: 404 },
      );
    }
    const order = res.body.order;
    return sendPersonal(sf, request, reply, session, (frame) => confirmation(frame, order));
  });
}

function confirmation(frame: PageFrame, order: Order): Html {
  const a = order.shipping_address;
  return layout(
    frame,
    `Order ${order.number}`,
    html`<h1>Thank you! Your order number is ${String(order.number)}</h1>
<p>${order.email ? html`We have sent a confirmation to ${order.email}. ` : ''}Status: ${order.status}.</p>
${
  order.items && order.items.length > 0
    ? html`<h2>Items</h2><ul>${order.items.map(
        (i) =>
          html`<li>${i.product_title ?? i.title}${i.product_title && i.title !== i.product_title ? html` — ${i.title}` : ''} × ${i.quantity}${i.subtotal ? html`: ${formatMoney(i.subtotal)}` : ''}</li>`,
      )}</ul>`
    : ''
}
${totals(order)}
${a ? html`<h2>Shipping to</h2><address>${a.first_name} ${a.last_name}<br>${a.line1}<br>${a.line2 ? html`${a.line2}<br>` : ''}${a.postal_code} ${a.city}<br>${a.country_code.toUpperCase()}</address>` : ''}
<p><a href="/">Continue shopping</a></p>`,
  );
}
