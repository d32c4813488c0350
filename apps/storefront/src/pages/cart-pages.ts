import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isProblem, type Problem } from '../api/store-api.ts';
import type { Cart } from '../api/types.ts';
import { formatMoney } from '../html/format.ts';
import { type Html, html } from '../html/html.ts';
import { csrfField, layout, type PageFrame } from '../html/layout.ts';
import { isValidCsrf, type SessionData } from '../security/session.ts';
import { field, formBody, intField } from './forms.ts';
import { cartAuth, type Storefront, sendPersonal } from './page.ts';

/** The shopper's cart as the API has it now, or null when there is none (or it is gone). */
export async function loadCart(sf: Storefront, session: SessionData): Promise<Cart | null> {
  if (!session.cart) return null;
  const res = await sf.api.request<{ cart: Cart }>({
    method: 'GET',
    path: `/store/carts/${encodeURIComponent(session.cart.id)}`,
    headers: cartAuth(session),
  });
  if (res.status !== 200) return null;
  return res.body.cart;
}

export function itemCount(cart: Cart | null): number {
  return cart ? cart.items.reduce((n, i) => n + i.quantity, 0) : 0;
}

export function flashMessage(session: SessionData): Html | string {
  const flash = session.flash;
  if (!flash) return '';
  delete session.flash;
  return flash.kind === 'error'
    ? html`<div class="alert" role="alert">${flash.text}</div>`
    : html`<div class="notice" role="status">${flash.text}</div>`;
}

/**
 * A problem's sentence for a shopper. For `out_of_stock` it names the items (from the cart's
 * lines, or `names` by variant id) and how many are left, instead of the API's ids.
 */
export function problemMessage(
  problem: unknown,
  cart: Cart | null,
  fallback: string,
  names: Record<string, string> = {},
): string {
  if (!isProblem(problem)) return fallback;
  const p = problem as Problem;
  if (p.code === 'out_of_stock' && Array.isArray(p.shortages)) {
    const parts = (
      p.shortages as Array<{ variant_id?: string; item_id?: string; available?: number }>
    ).flatMap((s) => {
      const line = cart?.items.find((i) => i.id === s.item_id || i.variant_id === s.variant_id);
      const name = line
        ? line.title && line.title !== line.product_title
          ? `${line.product_title} (${line.title})`
          : line.product_title
        : s.variant_id
          ? names[s.variant_id]
          : undefined;
      if (!name) return [];
      return [typeof s.available === 'number' ? `${name} (${s.available} left)` : name];
    });
    if (parts.length > 0) {
      return `Sorry, we do not have enough of ${parts.join(', ')}. Please lower the quantity or remove it.`;
    }
  }
  return p.detail ?? p.title ?? fallback;
}

export function registerCartPages(app: FastifyInstance, sf: Storefront): void {
  app.get('/session.json', { schema: { hide: true } }, async (request, reply) => {
    const session = sf.sessions.ensure(request, reply);
    return reply
      .header('cache-control', 'no-store')
      .send({ csrf: session.csrf, cart_count: session.cart?.count ?? 0 });
  });

  app.get('/cart', { schema: { hide: true } }, async (request, reply) => {
    const session = sf.sessions.ensure(request, reply);
    const cart = await loadCart(sf, session);
    syncCount(session, cart);
    const flash = flashMessage(session);
    sf.sessions.write(request, reply, session);
    return sendPersonal(sf, request, reply, session, (frame) => cartPage(frame, cart, flash), {
      cartCount: itemCount(cart),
    });
  });

  app.post('/cart/items', { schema: { hide: true } }, async (request, reply) => {
    const body = formBody(request);
    const session = sf.sessions.ensure(request, reply);
    const variantId = field(body, 'variant_id', 100);
    const quantity = intField(body, 'quantity', 1, 99) ?? 1;
    if (!isValidCsrf(session, body._csrf)) {
      // The product page is shared (no token in it) and this browser ran no script: ask once more,
      // with a form that carries this session's token.
      return sendPersonal(sf, request, reply, session, (frame) =>
        confirmAdd(frame, variantId, quantity, field(body, 'product_title', 200)),
      );
    }
    let res = session.cart ? await addItem(sf, session, variantId, quantity) : null;
    if (!res || res.status === 404 || res.status === 401 || res.status === 403) {
      const create = (body: unknown) =>
        sf.api.request<{ cart: Cart; secret: string }>({
          method: 'POST',
          path: '/store/carts',
          headers: session.customer ? { authorization: `Bearer ${session.customer.token}` } : {},
          ...(body === undefined ? {} : { body }),
        });
      let created = await create({ currency_code: sf.config.currency });
      // A cart API that takes no currency (it uses the store's) rejects the field: ask plainly.
      if (created.status === 400 || created.status === 422) created = await create(undefined);
      if (created.status !== 201 && created.status !== 200) {
        session.flash = {
          kind: 'error',
          text: problemMessage(created.body, null, 'We could not start a cart. Please try again.'),
        };
        sf.sessions.write(request, reply, session);
        return reply.redirect(backTo(request), 303);
      }
      session.cart = { id: created.body.cart.id, secret: created.body.secret, count: 0 };
      res = await addItem(sf, session, variantId, quantity);
    }
    if (res.status === 200 || res.status === 201) {
      syncCount(session, res.body.cart);
      session.flash = { kind: 'notice', text: 'Added to your cart.' };
      sf.sessions.write(request, reply, session);
      return reply.redirect('/cart', 303);
    }
    const title = field(body, 'product_title', 200);
    session.flash = {
      kind: 'error',
      text: problemMessage(
        res.body,
        await loadCart(sf, session),
        'We could not add that item. Please try again.',
        title ? { [variantId]: title } : {},
      ),
    };
    sf.sessions.write(request, reply, session);
    return reply.redirect('/cart', 303);
  });

  app.post<{ Params: { itemId: string } }>(
    '/cart/items/:itemId',
    { schema: { hide: true } },
    async (request, reply) => {
      const body = formBody(request);
      const session = sf.sessions.ensure(request, reply);
      if (!isValidCsrf(session, body._csrf)) return expired(sf, request, reply, session);
      const quantity = intField(body, 'quantity', 0, 99);
      if (!session.cart || quantity === null) return reply.redirect('/cart', 303);
      const path = `/store/carts/${encodeURIComponent(session.cart.id)}/items/${encodeURIComponent(request.params.itemId)}`;
      const res = await sf.api.request<{ cart: Cart }>(
        quantity === 0
          ? { method: 'DELETE', path, headers: cartAuth(session) }
          : { method: 'PATCH', path, headers: cartAuth(session), body: { quantity } },
      );
      if (res.status === 200) syncCount(session, res.body.cart);
      else
        session.flash = {
          kind: 'error',
          text: problemMessage(res.body, null, 'We could not change that line.'),
        };
      sf.sessions.write(request, reply, session);
      return reply.redirect('/cart', 303);
    },
  );

  app.post<{ Params: { itemId: string } }>(
    '/cart/items/:itemId/remove',
    { schema: { hide: true } },
    async (request, reply) => {
      const body = formBody(request);
      const session = sf.sessions.ensure(request, reply);
      if (!isValidCsrf(session, body._csrf)) return expired(sf, request, reply, session);
      if (session.cart) {
        const res = await sf.api.request<{ cart: Cart }>({
          method: 'DELETE',
          path: `/store/carts/${encodeURIComponent(session.cart.id)}/items/${encodeURIComponent(request.params.itemId)}`,
          headers: cartAuth(session),
        });
        if (res.status === 200) syncCount(session, res.body.cart);
        else
          session.flash = {
            kind: 'error',
            text: problemMessage(res.body, null, 'We could not remove that line.'),
          };
        sf.sessions.write(request, reply, session);
      }
      return reply.redirect('/cart', 303);
    },
  );
}

function addItem(sf: Storefront, session: SessionData, variantId: string, quantity: number) {
  return sf.api.request<{ cart: Cart }>({
    method: 'POST',
    path: `/store/carts/${encodeURIComponent(session.cart?.id ?? '')}/items`,
    headers: cartAuth(session),
    body: { variant_id: variantId, quantity },
  });
}

export function syncCount(session: SessionData, cart: Cart | null): void {
  if (session.cart) session.cart.count = itemCount(cart);
}

function backTo(request: FastifyRequest): string {
  const referer = request.headers.referer;
  try {
    const url = referer ? new URL(referer) : null;
    if (url && url.host === request.host) return url.pathname + url.search;
  } catch {}
  return '/cart';
}

/** A form posted with a missing or stale token: nothing changed; offer to go back. */
export function expired(
  sf: Storefront,
  request: FastifyRequest,
  reply: FastifyReply,
  session: SessionData,
): FastifyReply {
  return sendPersonal(
    sf,
    request,
    reply,
    session,
    (frame) =>
      layout(
        frame,
        'Please try again',
        html`<h1>Please try again</h1><p>This form had expired, so nothing was changed. <a href="${backTo(request)}">Go back</a> and send it again.</p>`,
      ),
    { status: 403 },
  );
}

function confirmAdd(frame: PageFrame, variantId: string, quantity: number, title: string): Html {
  return layout(
    frame,
    'Add to cart',
    html`<h1>Add ${title || 'this item'} to your cart?</h1>
<form method="post" action="/cart/items">
${csrfField(frame.csrf)}
<input type="hidden" name="variant_id" value="${variantId}">
<input type="hidden" name="product_title" value="${title}">
<div class="field"><label for="quantity">Quantity</label><input id="quantity" name="quantity" type="number" min="1" max="99" value="${quantity}" required></div>
<button type="submit">Add to cart</button>
</form>`,
  );
}

function cartPage(frame: PageFrame, cart: Cart | null, flash: Html | string): Html {
  if (!cart || cart.items.length === 0) {
    return layout(
      frame,
      'Your cart',
      html`<h1>Your cart</h1>${flash}<p>Your cart is empty.</p><p><a href="/">Continue shopping</a></p>`,
    );
  }
  return layout(
    frame,
    'Your cart',
    html`<h1>Your cart</h1>${flash}
<table>
<caption class="visually-hidden">Items in your cart</caption>
<thead><tr><th scope="col">Item</th><th scope="col">Price</th><th scope="col">Quantity</th><th scope="col">Total</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${cart.items.map((item) => {
      const name =
        item.title && item.title !== item.product_title
          ? `${item.product_title} — ${item.title}`
          : item.product_title;
      return html`<tr>
<th scope="row">${item.product_handle ? html`<a href="/products/${item.product_handle}">${name}</a>` : name}</th>
<td>${formatMoney(item.unit_price)}</td>
<td><form method="post" action="/cart/items/${item.id}" class="inline">${csrfField(frame.csrf)}
<label for="qty-${item.id}" class="visually-hidden">Quantity of ${name}</label>
<input id="qty-${item.id}" name="quantity" type="number" min="0" max="99" value="${item.quantity}" required>
<button type="submit" class="secondary">Update<span class="visually-hidden"> quantity of ${name}</span></button></form></td>
<td>${formatMoney(item.subtotal)}</td>
<td><form method="post" action="/cart/items/${item.id}/remove" class="inline">${csrfField(frame.csrf)}<button type="submit" class="secondary">Remove<span class="visually-hidden"> ${name}</span></button></form></td>
</tr>`;
    })}</tbody>
</table>
${totals(cart)}
<form method="get" action="/checkout"><button type="submit">Checkout</button></form>`,
  );
}

export function totals(cart: {
  subtotal?: Cart['subtotal'];
  shipping_total?: Cart['shipping_total'];
  tax_total?: Cart['tax_total'];
  total: Cart['total'];
}): Html {
  return html`<dl class="totals">
${cart.subtotal ? html`<dt>Subtotal</dt><dd>${formatMoney(cart.subtotal)}</dd>` : ''}
${cart.shipping_total ? html`<dt>Shipping</dt><dd>${formatMoney(cart.shipping_total)}</dd>` : ''}
${cart.tax_total ? html`<dt>Tax</dt><dd>${formatMoney(cart.tax_total)}</dd>` : ''}
<dt>Total</dt><dd class="price">${formatMoney(cart.total)}</dd>
</dl>`;
}
