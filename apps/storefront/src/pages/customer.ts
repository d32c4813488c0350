import type { FastifyRequest } from 'fastify';
import type { Address, Cart, Money } from '../api/types.ts';
import type { SessionData } from '../security/session.ts';
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

/** Reads an order as `GET /store/customers/me/orders` lists it (the store API's order JSON); null for anything else. */
export function orderSummary(raw: unknown): OrderSummary | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const o = raw as Record<string, unknown>;
  if (typeof o.id !== 'string' || (typeof o.number !== 'number' && typeof o.number !== 'string')) return null;
  const total =
    typeof o.total === 'object' && o.total !== null && typeof (o.total as Money).amount === 'number'
      ? (o.total as Money)
      : null;
  if (!total?.currency_code) return null;
  const date = [o.placed_at, o.created_at].find((d) => typeof d === 'string');
  return {
    id: o.id,
    number: String(o.number),
    status: typeof o.status === 'string' ? o.status : '',
    total,
    placed: typeof date === 'string' ? date.slice(0, 10) : '',
  };
}

/**
 * After signing in: a cart started as a guest becomes the customer's (`POST
 * /store/carts/{id}/customer` with its secret), lines and stock hold unchanged, so that the order
 * placed from it is theirs. Returns a message for the shopper when it could not, else null.
 */
export async function adoptGuestCart(
  sf: Storefront,
  request: FastifyRequest,
  session: SessionData,
  token: string,
): Promise<string | null> {
  const guest = session.cart;
  if (!guest) return null;
  const claimed = await sf.api.request<{ cart: Cart }>({
    method: 'POST',
    path: `/store/carts/${encodeURIComponent(guest.id)}/customer`,
    headers: { authorization: `Bearer ${token}` },
    body: { secret: guest.secret },
  });
  if (claimed.status === 200) return null;
  request.log.warn({ status: claimed.status }, 'storefront: the guest cart could not join the account');
  // A cart checked out or gone meanwhile: start afresh rather than keep a cart nobody can use.
  delete session.cart;
  return claimed.status === 404 || claimed.status === 409
    ? 'Your cart could not be kept: please add the items again.'
    : null;
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
