/**
 * A shopper's journey over HTTP, the same against the in-process app (`app.inject`) and a real
 * server process (`fetch`): cart → item → address → shipping options → card token → checkout.
 */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field.
  body: any;
  text: string;
}

export type Http = (
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  options?: { headers?: Record<string, string>; body?: unknown },
) => Promise<HttpAnswer>;

const parse = (text: string): unknown => {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
};

/** `app.inject` as an Http. */
export function injectHttp(app: {
  inject(o: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string;
  }): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>;
}): Http {
  return async (method, url, options = {}) => {
    const res = await app.inject({
      method,
      url,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { payload: JSON.stringify(options.body) }),
    });
    const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
    return { status: res.statusCode, headers, body: parse(res.body), text: res.body };
  };
}

/** `fetch` against a running server as an Http. */
export function fetchHttp(baseUrl: string): Http {
  return async (method, url, options = {}) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: Object.fromEntries(res.headers), body: parse(text), text };
  };
}

export const address = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  line1: '12 Analytical Row',
  city: 'Springfield',
  postal_code: '12345',
  region: 'il',
  country_code: 'us',
  phone: '+1 555 0100',
};

export const cards = {
  approved: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  transient: '4000000000000119',
} as const;

export interface ReadyCart {
  cartId: string;
  secret: string;
  auth: { authorization: string };
  shippingOptionId: string;
}

function expectStatus(res: HttpAnswer, status: number, what: string): void {
  if (res.status !== status)
    throw new Error(`${what}: expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
}

/** A cart holding `quantity` of `variantId`, with email, US address and the first shipping option chosen. */
export async function readyCart(http: Http, variantId: string, quantity = 1): Promise<ReadyCart> {
  const created = await http('POST', '/store/carts', { body: { currency_code: 'usd' } });
  expectStatus(created, 201, 'POST /store/carts');
  const cartId: string = created.body.cart.id;
  const auth = { authorization: `Bearer ${created.body.secret as string}` };
  const added = await http('POST', `/store/carts/${cartId}/items`, {
    headers: auth,
    body: { variant_id: variantId, quantity },
  });
  if (added.status !== 200 && added.status !== 201) expectStatus(added, 200, 'POST items');
  const patched = await http('PATCH', `/store/carts/${cartId}`, {
    headers: auth,
    body: { email: 'ada@example.com', shipping_address: address },
  });
  expectStatus(patched, 200, 'PATCH cart');
  const options = await http('GET', `/store/carts/${cartId}/shipping-options`, { headers: auth });
  expectStatus(options, 200, 'GET shipping-options');
  const shippingOptionId: string | undefined = options.body.data[0]?.id;
  if (!shippingOptionId) throw new Error('no shipping option offered for the test address');
  return { cartId, secret: created.body.secret, auth, shippingOptionId };
}

/** A cart made in two requests (details given at creation), for tests that need many. */
export async function quickCart(http: Http, variantId: string, shippingOptionId: string): Promise<ReadyCart> {
  const created = await http('POST', '/store/carts', {
    body: { currency_code: 'usd', email: 'ada@example.com', shipping_address: address },
  });
  expectStatus(created, 201, 'POST /store/carts');
  const cartId: string = created.body.cart.id;
  const auth = { authorization: `Bearer ${created.body.secret as string}` };
  const added = await http('POST', `/store/carts/${cartId}/items`, {
    headers: auth,
    body: { variant_id: variantId, quantity: 1 },
  });
  if (added.status !== 200 && added.status !== 201) expectStatus(added, 200, 'POST items');
  return { cartId, secret: created.body.secret, auth, shippingOptionId };
}

/** `POST /vault/tokens` with a test card; returns the token. */
export async function tokenize(http: Http, number: string = cards.approved): Promise<string> {
  const res = await http('POST', '/vault/tokens', {
    body: { number, exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123', name: 'Ada Lovelace' },
  });
  if (res.status !== 200 && res.status !== 201) expectStatus(res, 201, 'POST /vault/tokens');
  return res.body.token;
}

/** `POST /store/carts/{id}/checkout`. */
export function checkout(
  http: Http,
  cart: ReadyCart,
  key: string,
  body: Record<string, unknown>,
): Promise<HttpAnswer> {
  return http('POST', `/store/carts/${cart.cartId}/checkout`, {
    headers: { ...cart.auth, 'idempotency-key': key },
    body: { shipping_option_id: cart.shippingOptionId, ...body },
  });
}
