import { randomUUID } from 'node:crypto';
import { databaseKinds } from '@emporium/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckoutPlatform, startCheckoutPlatform } from './support/checkout-platform.ts';
import { cards, checkout, readyCart, tokenize } from './support/shopper.ts';

// Real: every module, the built-in test processor behind the vault, the database of each kind.
describe.each(databaseKinds())('payment outcomes and Idempotency-Key on %s', (kind) => {
  let store: CheckoutPlatform;
  let variantId: string;

  beforeAll(async () => {
    store = await startCheckoutPlatform(kind, { stock: 100 });
    variantId = store.variantIds[0] ?? '';
  });
  afterAll(async () => store?.close());

  const db = () => store.platform.ports.db.primary;
  const stock = async () =>
    db()
      .selectFrom('inventory.stock_levels')
      .select(['on_hand', 'reserved'])
      .where('variant_id', '=', variantId)
      .executeTakeFirstOrThrow();
  const ordersOfCart = (cartId: string) =>
    db().selectFrom('orders.orders').select(['id', 'status']).where('cart_id', '=', cartId).execute();
  const intentsOf = (orderId: string) => store.services.payments.listByReference(orderId);

  it('declines a card with a readable sentence, undoes everything, and takes another card for the same cart', async () => {
    const before = await stock();
    const cart = await readyCart(store.http, variantId, 3);
    const declined = await checkout(store.http, cart, randomUUID(), {
      email: 'grace@example.com',
      payment: { token: await tokenize(store.http, cards.declined) },
    });
    expect(declined.status, declined.text).toBe(402);
    expect(declined.headers['content-type']).toContain('application/problem+json');
    expect(declined.body).toMatchObject({ code: 'card_declined', status: 402 });
    expect(declined.body.detail).toMatch(/declined/i);
    expect(declined.body.detail).toMatch(/another card/);

    // Nothing charged, the pending order canceled, the stock back, the cart still open.
    const [canceled] = await ordersOfCart(cart.cartId);
    expect(canceled?.status).toBe('canceled');
    expect((await intentsOf(canceled?.id ?? '')).map((i) => i.status)).not.toContain('authorized');
    expect(await stock()).toEqual(before);
    const open = await store.http('GET', `/store/carts/${cart.cartId}`, { headers: cart.auth });
    expect(open.body.cart.completed_at).toBeNull();
    // The details the checkout gave stay with the cart, for the next attempt.
    expect(open.body.cart).toMatchObject({
      email: 'grace@example.com',
      shipping_option: { id: cart.shippingOptionId },
    });

    const paid = await checkout(store.http, cart, randomUUID(), {
      payment: { token: await tokenize(store.http) },
    });
    expect(paid.status, paid.text).toBe(201);
    expect(await stock()).toEqual({ on_hand: before.on_hand - 3, reserved: before.reserved });
    const orders = await ordersOfCart(cart.cartId);
    expect(orders.map((o) => o.status).sort()).toEqual(['canceled', 'placed']);
  });

  it('answers card_declined for insufficient funds too, naming why', async () => {
    const cart = await readyCart(store.http, variantId, 1);
    const res = await checkout(store.http, cart, randomUUID(), {
      payment: { token: await tokenize(store.http, cards.insufficientFunds) },
    });
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ code: 'card_declined', decline_code: 'insufficient_funds' });
  });

  it('absorbs the processor’s transient failures (card 0119) and authorizes once', async () => {
    const cart = await readyCart(store.http, variantId, 1);
    const res = await checkout(store.http, cart, randomUUID(), {
      payment: { token: await tokenize(store.http, cards.transient) },
    });
    expect(res.status, res.text).toBe(201);
    const intents = await intentsOf(res.body.order.id);
    expect(intents.map((i) => i.status)).toEqual(['authorized']);
  });

  it('answers payment_failed for a token that was already spent', async () => {
    const token = await tokenize(store.http);
    const first = await readyCart(store.http, variantId, 1);
    expect((await checkout(store.http, first, randomUUID(), { payment: { token } })).status).toBe(201);
    const second = await readyCart(store.http, variantId, 1);
    const res = await checkout(store.http, second, randomUUID(), { payment: { token } });
    expect(res.status, res.text).toBe(402);
    expect(res.body.code).toBe('payment_failed');
  });

  it('replays the stored answer for the same key and body, and never charges twice', async () => {
    const cart = await readyCart(store.http, variantId, 1);
    const key = randomUUID();
    const body = { payment: { token: await tokenize(store.http) } };
    const first = await checkout(store.http, cart, key, body);
    expect(first.status).toBe(201);
    const replay = await checkout(store.http, cart, key, body);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await ordersOfCart(cart.cartId)).toHaveLength(1);
    expect(await intentsOf(first.body.order.id)).toHaveLength(1);

    // A declined answer replays as declined too.
    const other = await readyCart(store.http, variantId, 1);
    const declinedBody = { payment: { token: await tokenize(store.http, cards.declined) } };
    const declineKey = randomUUID();
    const declined = await checkout(store.http, other, declineKey, declinedBody);
    const again = await checkout(store.http, other, declineKey, declinedBody);
    expect([declined.status, again.status]).toEqual([402, 402]);
    expect(again.body.code).toBe('card_declined');
  });

  it('answers idempotency_conflict for the same key with a different body', async () => {
    const cart = await readyCart(store.http, variantId, 1);
    const key = randomUUID();
    const first = await checkout(store.http, cart, key, { payment: { token: await tokenize(store.http) } });
    expect(first.status).toBe(201);
    const conflict = await checkout(store.http, cart, key, {
      payment: { token: await tokenize(store.http) },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('idempotency_conflict');
  });

  it('runs a checkout once when the same request arrives several times at once', async () => {
    const cart = await readyCart(store.http, variantId, 1);
    const key = randomUUID();
    const body = { payment: { token: await tokenize(store.http) } };
    const answers = await Promise.all(Array.from({ length: 6 }, () => checkout(store.http, cart, key, body)));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((a) => a.body.order.id)).size).toBe(1);
    const orders = await ordersOfCart(cart.cartId);
    expect(orders).toHaveLength(1);
    expect(await intentsOf(orders[0]?.id ?? '')).toHaveLength(1);
  });
});
