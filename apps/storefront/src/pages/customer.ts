import type { FastifyRequest } from 'fastify';
import type { Address, Cart, Money } from '../api/types.ts';
import type { SessionData } from '../security/session.ts';
import { loadCart, problemMessage } from './cart-pages.ts';
import type { Storefront } from './page.ts';

/** A saved address as `/store/customers/me/addresses` lists it. */
export interface SavedAddress extends Address {
  id: string;
}

/** One line of the account's order list. */
export interface OrderSummary {
  id: string;
  number: string;
  status: string;
  total: Money;
  /** `YYYY-MM-DD`, or '' when the API gave no date. */
  placed: string;
}

/**
 * Reads an order as `GET /store/customers/me/orders` lists it. The store API's order shape
 * (`total: { amount, currency_code }`, `created_at`) is the contract; the identity module
 * currently passes the orders service's records through instead (`total` a bare amount in minor
 * units beside `currencyCode`, `createdAt`/`placedAt`), so both are read. Null for anything else.
 */
export function orderSummary(raw: unknown): OrderSummary | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const o = raw as Record<string, unknown>;
  if (typeof o.id !== 'string' || (typeof o.number !== 'number' && typeof o.number !== 'string')) return null;
  const currency =
    typeof o.currency_code === 'string'
      ? o.currency_code
      : typeof o.currencyCode === 'string'
        ? o.currencyCode
        : '';
  const total =
    typeof o.total === 'number'
      ? { amount: o.total, currency_code: currency }
      : typeof o.total === 'object' && o.total !== null && typeof (o.total as Money).amount === 'number'
        ? (o.total as Money)
        : null;
  if (!total?.currency_code) return null;
  const date = [o.placed_at, o.created_at, o.placedAt, o.createdAt].find((d) => typeof d === 'string');
  return {
    id: o.id,
    number: String(o.number),
    status: typeof o.status === 'string' ? o.status : '',
    total,
    placed: typeof date === 'string' ? date.slice(0, 10) : '',
  };
}

/**
 * After signing in: a cart started as a guest becomes the customer's, so that the order placed
 * from it is theirs (the order takes the cart's customer). The cart API has no call that hands a
 * guest cart to a customer, so the lines move to a new cart created with the customer's token:
 * each line leaves the guest cart first (its stock hold is released), then joins the new one.
 * Returns a message for the shopper when a line could not move, else null.
 */
export async function adoptGuestCart(
  sf: Storefront,
  request: FastifyRequest,
  session: SessionData,
  token: string,
): Promise<string | null> {
  const guest = session.cart;
  if (!guest) return null;
  const cart = await loadCart(sf, session);
  if (!cart || cart.items.length === 0) {
    delete session.cart;
    return null;
  }
  const auth = { authorization: `Bearer ${token}` };
  const created = await sf.api.request<{ cart: Cart; secret: string }>({
    method: 'POST',
    path: '/store/carts',
    headers: auth,
    body: { currency_code: cart.currency_code },
  });
  if (created.status !== 201 && created.status !== 200) {
    request.log.warn({ status: created.status }, 'storefront: could not start a cart for the customer');
    return null;
  }
  const next = { id: created.body.cart.id, secret: created.body.secret, count: 0 };
  const guestAuth = { authorization: `Bearer ${guest.secret}` };
  const lost: string[] = [];
  let count = 0;
  for (const item of cart.items) {
    await sf.api.request({
      method: 'DELETE',
      path: `/store/carts/${encodeURIComponent(guest.id)}/items/${encodeURIComponent(item.id)}`,
      headers: guestAuth,
    });
    const added = await sf.api.request<{ cart: Cart }>({
      method: 'POST',
      path: `/store/carts/${encodeURIComponent(next.id)}/items`,
      headers: { authorization: `Bearer ${next.secret}` },
      body: { variant_id: item.variant_id, quantity: item.quantity },
    });
    if (added.status === 200 || added.status === 201) {
      count = added.body.cart.items.reduce((n, i) => n + i.quantity, 0);
    } else {
      const name =
        item.title && item.title !== item.product_title
          ? `${item.product_title} (${item.title})`
          : item.product_title;
      lost.push(`${name}: ${problemMessage(added.body, null, 'it could not be added again.')}`);
    }
  }
  session.cart = { ...next, count };
  return lost.length > 0 ? `Some items could not stay in your cart. ${lost.join(' ')}` : null;
}

/**
 * After a signed-in customer's order: keeps the shipping address among their saved addresses
 * (unless the same one is already there), so the account shows it and the next checkout offers it.
 */
export async function rememberAddress(
  sf: Storefront,
  request: FastifyRequest,
  token: string,
  address: Address,
): Promise<void> {
  const auth = { authorization: `Bearer ${token}` };
  const saved = await sf.api.request<{ data: SavedAddress[] }>({
    method: 'GET',
    path: '/store/customers/me/addresses',
    headers: auth,
  });
  if (saved.status !== 200) return;
  if (saved.body.data.some((a) => sameAddress(a, address))) return;
  const body: Record<string, string> = {};
  for (const [name, value] of Object.entries(address))
    if (typeof value === 'string' && value) body[name] = value;
  const res = await sf.api.request({
    method: 'POST',
    path: '/store/customers/me/addresses',
    headers: auth,
    body,
  });
  if (res.status !== 201 && res.status !== 200)
    request.log.warn({ status: res.status }, 'storefront: could not save the address for the customer');
}

function sameAddress(a: Address, b: Address): boolean {
  const fields = ['first_name', 'last_name', 'line1', 'line2', 'city', 'postal_code', 'region'] as const;
  const norm = (v: string | null | undefined) => (v ?? '').trim().toLowerCase();
  return fields.every((f) => norm(a[f]) === norm(b[f])) && norm(a.country_code) === norm(b.country_code);
}

/** The customer's saved addresses, or null when they could not be read. */
export async function savedAddresses(sf: Storefront, token: string): Promise<SavedAddress[] | null> {
  const res = await sf.api.request<{ data: SavedAddress[] }>({
    method: 'GET',
    path: '/store/customers/me/addresses',
    headers: { authorization: `Bearer ${token}` },
  });
  return res.status === 200 && Array.isArray(res.body?.data) ? res.body.data : null;
}
