import { randomUUID } from 'node:crypto';
import { databaseKinds } from '@emporium/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckoutPlatform, startCheckoutPlatform } from './support/checkout-platform.ts';
import { address, cards, checkout, readyCart, tokenize } from './support/shopper.ts';

// Real: every module (inventory, catalog, shipping, cart, vault with the built-in test processor,
// payments, orders, checkout), the database of each kind, the database outbox. Nothing faked.
describe.each(databaseKinds())('checkout through HTTP on %s', (kind) => {
  let store: CheckoutPlatform;
  let variantId: string;

  beforeAll(async () => {
    store = await startCheckoutPlatform(kind, { stock: 50 });
    variantId = store.variantIds[0] ?? '';
  });
  afterAll(async () => store?.close());

  const level = async () => {
    const [l] = await store.platform.ports.db.primary
      .selectFrom('inventory.stock_levels')
      .select(['on_hand', 'reserved'])
      .where('variant_id', '=', variantId)
      .execute();
    return l;
  };

  it('turns a cart into a placed order the shopper can read with the order secret', async () => {
    const before = await level();
    const cart = await readyCart(store.http, variantId, 2);
    const token = await tokenize(store.http);
    const res = await checkout(store.http, cart, randomUUID(), { payment: { token } });
    expect(res.status, res.text).toBe(201);
    const { order, order_secret } = res.body;
    expect(order).toMatchObject({
      status: 'placed',
      total: { amount: 2 * 2500 + 500, currency_code: 'usd' },
    });
    expect(typeof order.number).toBe('number');
    expect(order_secret).toEqual(expect.any(String));

    const read = await store.http('GET', `/store/orders/${order.id}`, {
      headers: { authorization: `Bearer ${order_secret}` },
    });
    expect(read.status, read.text).toBe(200);
    expect(read.body.order).toMatchObject({ id: order.id, status: 'placed', payment_status: 'authorized' });
    // Another shopper's (or no) credentials do not see it.
    const other = await store.http('GET', `/store/orders/${order.id}`, { headers: cart.auth });
    expect(other.status).toBe(404);

    // The stock is sold, not held; the cart is done.
    expect(await level()).toEqual({ on_hand: (before?.on_hand ?? 0) - 2, reserved: 0 });
    const again = await checkout(store.http, cart, randomUUID(), {
      payment: { token: await tokenize(store.http) },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('cart_completed');

    // Operators see where a checkout's time goes, step by step.
    const metrics = await store.platform.ports.metrics.registry.metrics();
    for (const step of ['started', 'stock_held', 'authorizing', 'authorization', 'completion']) {
      const count = new RegExp(`^checkout_step_duration_seconds_count\\{step="${step}"\\} (\\d+)$`, 'm').exec(
        metrics,
      );
      expect(Number(count?.[1]), step).toBeGreaterThanOrEqual(1);
    }
  });

  it('takes the email and address in the checkout body when the cart lacks them', async () => {
    const created = await store.http('POST', '/store/carts', { body: { currency_code: 'usd' } });
    const auth = { authorization: `Bearer ${created.body.secret}` };
    const cartId = created.body.cart.id;
    await store.http('POST', `/store/carts/${cartId}/items`, {
      headers: auth,
      body: { variant_id: variantId, quantity: 1 },
    });
    await store.http('PATCH', `/store/carts/${cartId}`, {
      headers: auth,
      body: { shipping_address: address },
    });
    const options = await store.http('GET', `/store/carts/${cartId}/shipping-options`, { headers: auth });
    const shippingOptionId = options.body.data[0].id;
    await store.http('PATCH', `/store/carts/${cartId}`, { headers: auth, body: { shipping_address: null } });

    const cart = { cartId, secret: created.body.secret, auth, shippingOptionId };
    const neither = await checkout(store.http, cart, randomUUID(), {
      payment: { token: await tokenize(store.http) },
    });
    expect(neither.status, neither.text).toBe(422);
    expect(neither.body.errors.map((e: { path: string }) => e.path)).toEqual(['/email', '/shipping_address']);

    const missing = await checkout(store.http, cart, randomUUID(), {
      email: 'grace@example.com',
      payment: { token: await tokenize(store.http) },
    });
    expect(missing.status, missing.text).toBe(422);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.body).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ path: '/shipping_address' })],
    });

    const res = await checkout(store.http, cart, randomUUID(), {
      email: 'grace@example.com',
      shipping_address: address,
      payment: { token: await tokenize(store.http) },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.order.email).toBe('grace@example.com');
  });

  it('rejects a body with unknown fields, a card number instead of a token, and a missing key', async () => {
    const cart = await readyCart(store.http, variantId, 1);
    const token = await tokenize(store.http);
    const extra = await checkout(store.http, cart, randomUUID(), { payment: { token }, price: 1 });
    expect(extra.status).toBe(422);
    const pan = await checkout(store.http, cart, randomUUID(), { payment: { token: cards.approved } });
    expect(pan.status).toBe(422);
    const noKey = await store.http('POST', `/store/carts/${cart.cartId}/checkout`, {
      headers: cart.auth,
      body: { shipping_option_id: cart.shippingOptionId, payment: { token } },
    });
    expect(noKey.status).toBe(400);
    expect(noKey.body.code).toBe('validation_failed');
  });

  it('answers 404 for a cart that is not the caller’s', async () => {
    const mine = await readyCart(store.http, variantId, 1);
    const theirs = await readyCart(store.http, variantId, 1);
    const res = await checkout(store.http, { ...theirs, auth: mine.auth }, randomUUID(), {
      payment: { token: await tokenize(store.http) },
    });
    expect(res.status).toBe(404);
    const anonymous = await store.http('POST', `/store/carts/${theirs.cartId}/checkout`, {
      headers: { 'idempotency-key': randomUUID() },
      body: { shipping_option_id: theirs.shippingOptionId, payment: { token: await tokenize(store.http) } },
    });
    expect(anonymous.status).toBe(404);
  });
});
