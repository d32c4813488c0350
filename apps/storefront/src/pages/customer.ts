import type { FastifyRequest } from 'fastify';
import type { Address, Cart } from '../api/types.ts';
import type { SessionData } from '../security/session.ts';
import type { Storefront } from './page.ts';

/** A saved address as `/store/customers/me/addresses` lists it. */
export interface SavedAddress extends Address {
  id: string;
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
  const saved = await savedAddresses(sf, token);
  if (!saved || saved.some((a) => sameAddress(a, address))) return;
  const body: Record<string, string> = {};
  for (const [name, value] of Object.entries(address))
    if (typeof value === 'string' && value) body[name] = value;
  const res = await sf.api.request({
    method: 'POST',
    path: '/store/customers/me/addresses',
    headers: { authorization: `Bearer ${token}` },
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
