import type { AdminTestPlatform } from './platform.ts';

/**
 * Places an order the way a shopper's client does, through the public API only: shipping for the
 * country (admin API, service token), a product with stock, a cart, a vault card token for the
 * approving test card and `POST /store/carts/{id}/checkout`.
 */
export async function placeOrder(
  platform: AdminTestPlatform,
): Promise<{ id: string; number: number; total: number }> {
  const admin = { authorization: `Bearer ${await platform.serviceToken(['owner'])}` };
  const call = async <T>(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await platform.app.inject({
      method: method as 'POST',
      url,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json<T>();
  };
  const { zone } = await call<{ zone: { id: string } }>(
    'POST',
    '/admin/shipping/zones',
    { name: 'Domestic', countries: ['us'] },
    admin,
  );
  await call(
    'POST',
    `/admin/shipping/zones/${zone.id}/options`,
    {
      name: 'Standard',
      rule: { kind: 'flat' },
      prices: [{ amount: 500, currency_code: 'usd' }],
    },
    admin,
  );
  const { product } = await call<{ product: { variants: Array<{ id: string }> } }>(
    'POST',
    '/admin/products',
    {
      title: 'Tide Clock',
      status: 'published',
      variants: [
        { sku: 'TIDE-CLOCK', title: 'Tide Clock', prices: [{ amount: 3000, currency_code: 'usd' }] },
      ],
    },
    admin,
  );
  const variantId = product.variants[0]?.id ?? '';
  await call('PUT', `/admin/inventory/${variantId}`, { available: 10, reason: 'opening stock' }, admin);

  const created = await call<{ cart: { id: string }; secret: string }>('POST', '/store/carts', {});
  const shopper = { authorization: `Bearer ${created.secret}` };
  const cartId = created.cart.id;
  await call('POST', `/store/carts/${cartId}/items`, { variant_id: variantId, quantity: 2 }, shopper);
  await call(
    'PATCH',
    `/store/carts/${cartId}`,
    {
      email: 'shopper@example.com',
      shipping_address: {
        first_name: 'Ada',
        last_name: 'Shore',
        line1: '1 Harbour Road',
        city: 'Portland',
        postal_code: '04101',
        country_code: 'us',
      },
    },
    shopper,
  );
  const options = await call<{ data: Array<{ id: string }> }>(
    'GET',
    `/store/carts/${cartId}/shipping-options`,
    undefined,
    shopper,
  );
  const card = await call<{ token: string }>('POST', '/vault/tokens', {
    number: '4242424242424242',
    exp_month: 12,
    exp_year: new Date().getUTCFullYear() + 3,
    cvc: '123',
  });
  const placed = await call<{ order: { id: string; number: number; total: { amount: number } } }>(
    'POST',
    `/store/carts/${cartId}/checkout`,
    { shipping_option_id: options.data[0]?.id, payment: { token: card.token } },
    { ...shopper, 'idempotency-key': `admin-test-${cartId}` },
  );
  return { id: placed.order.id, number: placed.order.number, total: placed.order.total.amount };
}
