import { randomUUID } from 'node:crypto';
import { databaseKinds } from '@emporium/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckoutPlatform, startCheckoutPlatform } from './support/checkout-platform.ts';
import { checkout, readyCart, tokenize } from './support/shopper.ts';

// Real: every module and the built-in test processor, slower than the checkout's stock hold (and
// the cart's own, so the checkout holds the stock anew instead of keeping the cart's hold), so
// the hold lapses while the card is being authorized: the last step (sell the hold, place the
// order, complete the cart, in one transaction) must refuse and undo the whole checkout.
describe.each(databaseKinds())('a stock hold that lapses during the authorization on %s', (kind) => {
  let store: CheckoutPlatform;
  let variantId: string;

  beforeAll(async () => {
    store = await startCheckoutPlatform(kind, {
      stock: 5,
      processorLatencyMs: 1_300,
      cartHoldTtlMs: 1_000,
      checkout: { holdTtlMs: 1_000 },
    });
    variantId = store.variantIds[0] ?? '';
  });
  afterAll(async () => store?.close());

  it('answers checkout_expired, voids the authorization, cancels the order and gives the stock back', async () => {
    const db = store.platform.ports.db.primary;
    const cart = await readyCart(store.http, variantId, 2);
    const res = await checkout(store.http, cart, randomUUID(), {
      payment: { token: await tokenize(store.http) },
    });
    expect(res.status, res.text).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.code).toBe('checkout_expired');
    expect(res.body.detail).toMatch(/nothing was charged/);

    const orders = await db
      .selectFrom('orders.orders')
      .select(['id', 'status'])
      .where('cart_id', '=', cart.cartId)
      .execute();
    expect(orders.map((o) => o.status)).toEqual(['canceled']);
    const intents = await store.services.payments.listByReference(orders[0]?.id ?? '');
    expect(intents.map((i) => i.status)).toEqual(['canceled']);
    // Nothing sold and nothing still held: all five units can be sold again.
    expect(
      await db
        .selectFrom('inventory.stock_levels')
        .select(['on_hand', 'reserved'])
        .where('variant_id', '=', variantId)
        .executeTakeFirstOrThrow(),
    ).toEqual({ on_hand: 5, reserved: 0 });
    expect((await store.services.inventory.available([variantId])).get(variantId)).toBe(5);
    const open = await store.http('GET', `/store/carts/${cart.cartId}`, { headers: cart.auth });
    expect(open.body.cart.completed_at).toBeNull();
    const saga = await db
      .selectFrom('checkout.sagas')
      .select(['status', 'step'])
      .where('cart_id', '=', cart.cartId)
      .executeTakeFirstOrThrow();
    expect(saga).toEqual({ status: 'failed', step: 'done' });
  }, 30_000);
});
