import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isProblem } from '../api/store-api.ts';
import type { Address, Cart, Order, ShippingOption } from '../api/types.ts';
import { formatMoney } from '../html/format.ts';
import { type Html, html } from '../html/html.ts';
import { csrfField, layout, type PageFrame } from '../html/layout.ts';
import { isValidCsrf, type SessionData } from '../security/session.ts';
import { expired, itemCount, loadCart, problemMessage, totals } from './cart-pages.ts';
import { rememberAddress } from './customer.ts';
import { type FormBody, field, formBody } from './forms.ts';
import { cartAuth, type Storefront, sendPersonal } from './page.ts';

/** Countries the demo store ships to (ISO 3166-1 alpha-2, lower case, as the API takes them). */
export const COUNTRIES: ReadonlyArray<readonly [string, string]> = [
  ['au', 'Australia'],
  ['at', 'Austria'],
  ['be', 'Belgium'],
  ['ca', 'Canada'],
  ['dk', 'Denmark'],
  ['fi', 'Finland'],
  ['fr', 'France'],
  ['de', 'Germany'],
  ['ie', 'Ireland'],
  ['it', 'Italy'],
  ['jp', 'Japan'],
  ['nl', 'Netherlands'],
  ['nz', 'New Zealand'],
  ['no', 'Norway'],
  ['pl', 'Poland'],
  ['pt', 'Portugal'],
  ['es', 'Spain'],
  ['se', 'Sweden'],
  ['ch', 'Switzerland'],
  ['gb', 'United Kingdom'],
  ['us', 'United States'],
];

const ADDRESS_FIELDS = [
  'first_name',
  'last_name',
  'line1',
  'line2',
  'city',
  'postal_code',
  'region',
  'country_code',
] as const;
type FieldName = 'email' | (typeof ADDRESS_FIELDS)[number] | 'shipping_option' | 'card';

interface CheckoutState {
  values: Partial<Record<FieldName, string>>;
  errors: Partial<Record<FieldName, string>>;
  /** A message at the top (declined card, out of stock, …). */
  message?: string;
  /** The card field's own error (declined card): shown next to it. */
  cardMessage?: string;
}

export function registerCheckoutPages(app: FastifyInstance, sf: Storefront): void {
  app.get('/checkout', { schema: { hide: true } }, async (request, reply) => {
    const session = sf.sessions.ensure(request, reply);
    const cart = await loadCart(sf, session);
    if (!cart || cart.items.length === 0) return reply.redirect('/cart', 303);
    const values = valuesFromCart(cart);
    // A signed-in customer's email, when the cart has none yet.
    if (!values.email && session.customer?.email) values.email = session.customer.email;
    return renderCheckout(sf, request, reply, session, cart, { values, errors: {} });
  });

  // Saves email and address on the cart and answers with the shipping options for it: as JSON
  // for the page's script, or the whole page again without JavaScript.
  app.post('/checkout/address', { schema: { hide: true } }, async (request, reply) => {
    const body = formBody(request);
    const session = sf.sessions.ensure(request, reply);
    if (!isValidCsrf(session, body._csrf)) return expired(sf, request, reply, session);
    const wantsJson = /json/.test(String(request.headers.accept ?? ''));
    const values = valuesFromForm(body);
    const saved = await saveAddress(sf, session, values);
    const cart = await loadCart(sf, session);
    if (!cart) return wantsJson ? reply.code(404).send({ options: [] }) : reply.redirect('/cart', 303);
    const options = Object.keys(saved.errors).length === 0 ? await shippingOptions(sf, session, cart) : [];
    if (wantsJson) {
      return reply.header('cache-control', 'no-store').send({
        errors: saved.errors,
        options: options.map((o) => ({ id: o.id, name: o.name, price: formatMoney(o.price) })),
      });
    }
    return renderCheckout(sf, request, reply, session, cart, { values, errors: saved.errors }, options);
  });

  app.post('/checkout/place', { schema: { hide: true } }, async (request, reply) => {
    const body = formBody(request);
    const session = sf.sessions.ensure(request, reply);
    if (!isValidCsrf(session, body._csrf)) return expired(sf, request, reply, session);
    const values = valuesFromForm(body);
    const cart = await loadCart(sf, session);
    if (!cart || !session.cart) {
      // Already placed (a second click that arrived after the first finished): show that order.
      const last = session.orders?.[0];
      return reply.redirect(last ? `/orders/${encodeURIComponent(last.id)}` : '/cart', 303);
    }
    const errors: CheckoutState['errors'] = {};
    const token = field(body, 'payment_token', 200);
    const optionId = field(body, 'shipping_option_id', 100);
    const key = field(body, 'idempotency_key', 100);
    if (!optionId) errors.shipping_option = 'Choose a shipping option.';
    if (!token) errors.card = 'Enter your card details.';
    if (!/^[A-Za-z0-9-]{16,100}$/.test(key)) return reply.redirect('/checkout', 303);
    if (Object.keys(errors).length > 0) {
      return renderCheckout(
        sf,
        request,
        reply,
        session,
        cart,
        { values, errors, message: 'Please check the highlighted fields.' },
        undefined,
        422,
      );
    }
    const res = await placeOrder(sf, session, key, {
      ...(values.email ? { email: values.email } : {}),
      shipping_address: toAddress(values),
      shipping_option_id: optionId,
      payment: { token },
    });
    if (res.status === 201 || res.status === 200) {
      const { order, order_secret } = res.body as { order: Order; order_secret: string };
      session.orders = [
        { id: order.id, secret: order_secret },
        ...(session.orders ?? []).filter((o) => o.id !== order.id),
      ].slice(0, 5);
      delete session.cart;
      sf.sessions.write(request, reply, session);
      // The order stands whatever happens to this: a failure is only logged.
      if (session.customer)
        await rememberAddress(sf, request, session.customer.token, toAddress(values)).catch((err: unknown) =>
          request.log.warn({ err }, 'storefront: could not save the address for the customer'),
        );
      return reply.redirect(`/orders/${encodeURIComponent(order.id)}`, 303);
    }
    const problem = isProblem(res.body) ? res.body : undefined;
    const state: CheckoutState = { values, errors: {} };
    switch (problem?.code) {
      case 'card_declined':
      case 'payment_failed':
      case 'insufficient_funds':
      case 'card_expired':
      case 'token_used':
      case 'token_not_found':
        state.message = problemMessage(problem, cart, 'Your card was declined.');
        if (!/another card/i.test(state.message)) state.message += ' Please try another card.';
        state.cardMessage = 'Enter another card to try again.';
        break;
      case 'validation_failed':
        state.errors = fieldErrors(problem.errors ?? []);
        state.message = problem.detail ?? 'Please check the highlighted fields.';
        break;
      default:
        state.message = problemMessage(
          problem,
          cart,
          'We could not place your order. Nothing was charged; please try again.',
        );
    }
    const fresh = await loadCart(sf, session);
    if (!fresh) return reply.redirect('/cart', 303);
    return renderCheckout(
      sf,
      request,
      reply,
      session,
      fresh,
      state,
      undefined,
      res.status >= 500 ? 503 : res.status,
    );
  });
}

/**
 * Posts the checkout once per attempt. The key comes from the page, so a double click (or a
 * retried request) replays the first answer instead of placing a second order; while the first
 * is still running the API may answer 409 `idempotency_in_progress`, and this waits for it.
 */
async function placeOrder(sf: Storefront, session: SessionData, key: string, body: unknown) {
  const path = `/store/carts/${encodeURIComponent(session.cart?.id ?? '')}/checkout`;
  for (let attempt = 0; ; attempt++) {
    const res = await sf.api.request({
      method: 'POST',
      path,
      headers: { ...cartAuth(session), 'idempotency-key': key },
      body,
    });
    const code = isProblem(res.body) ? res.body.code : undefined;
    if (res.status !== 409 || !code || !/in_progress|processing|locked/.test(code) || attempt >= 20)
      return res;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function saveAddress(
  sf: Storefront,
  session: SessionData,
  values: CheckoutState['values'],
): Promise<{ errors: CheckoutState['errors'] }> {
  if (!session.cart) return { errors: {} };
  const res = await sf.api.request({
    method: 'PATCH',
    path: `/store/carts/${encodeURIComponent(session.cart.id)}`,
    headers: cartAuth(session),
    body: { ...(values.email ? { email: values.email } : {}), shipping_address: toAddress(values) },
  });
  if (res.status === 200) return { errors: {} };
  if (isProblem(res.body) && res.body.errors) return { errors: fieldErrors(res.body.errors) };
  return { errors: { line1: problemMessage(res.body, null, 'We could not use this address.') } };
}

async function shippingOptions(sf: Storefront, session: SessionData, cart: Cart): Promise<ShippingOption[]> {
  if (!cart.shipping_address) return [];
  const res = await sf.api.request<{ data: ShippingOption[] }>({
    method: 'GET',
    path: `/store/carts/${encodeURIComponent(cart.id)}/shipping-options`,
    headers: cartAuth(session),
  });
  return res.status === 200 ? res.body.data : [];
}

function toAddress(values: CheckoutState['values']): Address {
  return {
    first_name: values.first_name ?? '',
    last_name: values.last_name ?? '',
    line1: values.line1 ?? '',
    ...(values.line2 ? { line2: values.line2 } : {}),
    city: values.city ?? '',
    postal_code: values.postal_code ?? '',
    ...(values.region ? { region: values.region } : {}),
    country_code: (values.country_code ?? '').toLowerCase(),
  };
}

function valuesFromForm(body: FormBody): CheckoutState['values'] {
  const values: CheckoutState['values'] = { email: field(body, 'email', 254) };
  for (const name of ADDRESS_FIELDS) values[name] = field(body, name, 200);
  return values;
}

function valuesFromCart(cart: Cart): CheckoutState['values'] {
  const a = cart.shipping_address;
  return {
    email: cart.email ?? '',
    first_name: a?.first_name ?? '',
    last_name: a?.last_name ?? '',
    line1: a?.line1 ?? '',
    line2: a?.line2 ?? '',
    city: a?.city ?? '',
    postal_code: a?.postal_code ?? '',
    region: a?.region ?? '',
    country_code: a?.country_code ?? 'us',
  };
}

/** `/shipping_address/postal_code` → `postal_code`; `/email` → `email`. */
function fieldErrors(errors: Array<{ path: string; message: string }>): CheckoutState['errors'] {
  const out: CheckoutState['errors'] = {};
  for (const e of errors) {
    const last = e.path.split('/').filter(Boolean).pop() ?? '';
    const name: FieldName | undefined =
      last === 'email'
        ? 'email'
        : (ADDRESS_FIELDS as readonly string[]).includes(last)
          ? (last as FieldName)
          : last === 'shipping_option_id'
            ? 'shipping_option'
            : /payment|token/.test(e.path)
              ? 'card'
              : /address/.test(e.path)
                ? 'line1'
                : undefined;
    if (name && !out[name]) out[name] = sentence(e.message);
  }
  return out;
}

function sentence(message: string): string {
  const s = message.trim();
  return s
    ? s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.')
    : 'Please check this field.';
}

async function renderCheckout(
  sf: Storefront,
  request: FastifyRequest,
  reply: FastifyReply,
  session: SessionData,
  cart: Cart,
  state: CheckoutState,
  knownOptions?: ShippingOption[],
  status = 200,
): Promise<FastifyReply> {
  const options = knownOptions ?? (await shippingOptions(sf, session, cart));
  const origin = `${request.protocol}://${request.host}`;
  const vaultOrigin = sf.config.vaultOrigin ?? origin;
  const frameSrc = `${vaultOrigin}/vault/card-field?origin=${encodeURIComponent(origin)}`;
  sf.sessions.write(request, reply, session);
  return sendPersonal(
    sf,
    request,
    reply,
    session,
    (frame) => checkoutPage(frame, cart, state, options, { frameSrc, vaultOrigin, key: randomUUID() }),
    { status, cartCount: itemCount(cart) },
  );
}

function input(
  state: CheckoutState,
  name: FieldName,
  label: string,
  attrs: { type?: string; autocomplete: string; required?: boolean },
): Html {
  const id = `f-${name}`;
  const error = state.errors[name];
  return html`<div class="field"><label for="${id}">${label}</label>
<input id="${id}" name="${name}" type="${attrs.type ?? 'text'}" autocomplete="${attrs.autocomplete}" value="${state.values[name] ?? ''}"${
    attrs.required === false ? '' : html` required`
  }${error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}>
${error ? html`<span id="${id}-error" class="field-error">${error}</span>` : ''}</div>`;
}

function checkoutPage(
  frame: PageFrame,
  cart: Cart,
  state: CheckoutState,
  options: ShippingOption[],
  pay: { frameSrc: string; vaultOrigin: string; key: string },
): Html {
  const chosen = cart.shipping_option?.id;
  const countryError = state.errors.country_code;
  return layout(
    frame,
    'Checkout',
    html`<h1>Checkout</h1>
${state.message ? html`<div class="alert" role="alert">${state.message}</div>` : ''}
<div class="checkout">
<form method="post" action="/checkout/place" data-checkout novalidate>
${csrfField(frame.csrf)}
<input type="hidden" name="idempotency_key" value="${pay.key}">
<input type="hidden" name="payment_token" value="">
<fieldset><legend>Contact</legend>
${input(state, 'email', 'Email', { type: 'email', autocomplete: 'email' })}
</fieldset>
<fieldset data-address><legend>Shipping address</legend>
${input(state, 'first_name', 'First name', { autocomplete: 'given-name' })}
${input(state, 'last_name', 'Last name', { autocomplete: 'family-name' })}
${input(state, 'line1', 'Address', { autocomplete: 'address-line1' })}
${input(state, 'line2', 'Apartment, suite (optional)', { autocomplete: 'address-line2', required: false })}
${input(state, 'city', 'City', { autocomplete: 'address-level2' })}
${input(state, 'region', 'State or region (optional)', { autocomplete: 'address-level1', required: false })}
${input(state, 'postal_code', 'Postal code', { autocomplete: 'postal-code' })}
<div class="field"><label for="f-country_code">Country</label>
<select id="f-country_code" name="country_code" autocomplete="country" required${
      countryError ? html` aria-invalid="true" aria-describedby="f-country_code-error"` : ''
    }>${COUNTRIES.map(
      ([code, name]) =>
        html`<option value="${code}"${state.values.country_code === code ? html` selected` : ''}>${name}</option>`,
    )}</select>
${countryError ? html`<span id="f-country_code-error" class="field-error">${countryError}</span>` : ''}</div>
<button type="submit" class="secondary" formaction="/checkout/address" data-update-shipping>Update shipping options</button>
</fieldset>
<fieldset data-shipping-options${state.errors.shipping_option ? html` aria-describedby="shipping-error"` : ''}><legend>Shipping option</legend>
${
  options.length === 0
    ? html`<p id="shipping-help" data-shipping-help>Enter your address to see shipping options.</p>`
    : options.map(
        (o) =>
          html`<div><input type="radio" id="ship-${o.id}" name="shipping_option_id" value="${o.id}"${
            chosen === o.id || options.length === 1 ? html` checked` : ''
          }> <label for="ship-${o.id}">${o.name}</label> <span>${formatMoney(o.price)}</span></div>`,
      )
}
${state.errors.shipping_option ? html`<p id="shipping-error" class="field-error">${state.errors.shipping_option}</p>` : ''}
</fieldset>
<fieldset><legend>Payment</legend>
<iframe class="card-frame" title="Card details" src="${pay.frameSrc}" data-vault-origin="${pay.vaultOrigin}"></iframe>
<p data-card-summary role="status"></p>
${state.cardMessage ? html`<p id="card-error" class="field-error">${state.cardMessage}</p>` : ''}
${state.errors.card ? html`<p class="field-error">${state.errors.card}</p>` : ''}
</fieldset>
<button type="submit">Place order</button>
</form>
<aside aria-labelledby="summary-heading">
<h2 id="summary-heading">Order summary</h2>
<ul>${cart.items.map(
      (i) =>
        html`<li>${i.product_title}${i.title && i.title !== i.product_title ? html` — ${i.title}` : ''} × ${i.quantity}: ${formatMoney(i.subtotal)}</li>`,
    )}</ul>
${totals(cart)}
</aside>
</div>`,
  );
}
