import { randomUUID } from 'node:crypto';
import { newId } from '@emporium/platform';
import { databaseKinds } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonb } from '../src/db/tables.ts';
import { requestHash } from '../src/saga/checkout-request.ts';
import { pendingOrderInput } from '../src/saga/order-input.ts';
import { type CheckoutPlatform, startCheckoutPlatform } from './support/checkout-platform.ts';
import { readyCart, tokenize } from './support/shopper.ts';

// Earlier versions recorded the sale of the stock (`stock_committed`) and the placing of the order
// (`placed`) as steps of their own; this one does both, with the cart's completion and the answer,
// in the saga's last transaction. A saga such a version left mid-way (its process died during a
// rolling deploy) must still be finished by this version's recovery, without selling or placing
// twice. The state is made with the real services, as that version's steps made it.
describe.each(databaseKinds())('sagas left mid-way by earlier versions on %s', (kind) => {
  let store: CheckoutPlatform;
  let variantId: string;

  beforeAll(async () => {
    store = await startCheckoutPlatform(kind, { stock: 10 });
    variantId = store.variantIds[0] ?? '';
  });
  afterAll(async () => store?.close());

  const db = () => store.platform.ports.db.primary;

  /** A checkout taken as far as `step` by the services, and its saga recorded there, lease lapsed. */
  async function leftAt(step: 'stock_committed' | 'placed') {
    const { carts, orders, payments, inventory } = store.services;
    const cart = await readyCart(store.http, variantId, 1);
    const request = {
      shipping_option_id: cart.shippingOptionId,
      payment: { token: await tokenize(store.http) },
    };
    const sagaId = newId('chk');
    const ready = await carts.prepareCheckout(
      cart.cartId,
      { shipping_option_id: cart.shippingOptionId },
      { ttlMs: 600_000 },
    );
    if (!ready.ok) throw new Error(`cart not ready: ${ready.code}`);
    const reservationId = ready.cart.reservation.id;
    const { order, orderSecret } = await orders.createPending(pendingOrderInput(ready.cart, reservationId));
    const amount = ready.cart.total.amount;
    const intent = await payments.createIntent({ amount, currency: 'usd', reference: order.id });
    const auth = await payments.authorize(intent.id, request.payment, `checkout:${sagaId}`);
    expect(auth.ok).toBe(true);
    expect((await inventory.commit(reservationId)).ok).toBe(true);
    if (step === 'placed') expect((await orders.markPlaced(order.id, intent.id, {})).ok).toBe(true);
    const past = new Date(Date.now() - 60_000);
    await db()
      .insertInto('checkout.sagas')
      .values({
        id: sagaId,
        cart_id: cart.cartId,
        idempotency_key: randomUUID(),
        request_hash: requestHash(request),
        request: jsonb(request),
        actor: 'guest',
        status: 'running',
        step,
        reservation_id: reservationId,
        order_id: order.id,
        payment_id: intent.id,
        amount,
        currency_code: 'usd',
        order_secret: orderSecret,
        step_count: 1,
        attempts: 1,
        lease_until: past,
        created_at: past,
        updated_at: past,
      })
      .execute();
    return { sagaId, cartId: cart.cartId, orderId: order.id };
  }

  const onHand = async () =>
    (
      await db()
        .selectFrom('inventory.stock_levels')
        .select(['on_hand', 'reserved'])
        .where('variant_id', '=', variantId)
        .executeTakeFirstOrThrow()
    ).on_hand;

  it.each(['stock_committed', 'placed'] as const)(
    'finishes a saga left at %s: order placed once, stock sold once, cart completed, answer stored',
    async (step) => {
      const left = await leftAt(step);
      const soldBefore = await onHand();
      const report = await store.checkout.recover();
      expect(report).toEqual({ recovered: 1, failed: 0 });

      const saga = await db()
        .selectFrom('checkout.sagas')
        .select([
          'status',
          'step',
          'response_status',
          sql<string>`response_body->'order'->>'status'`.as('order_status'),
        ])
        .where('id', '=', left.sagaId)
        .executeTakeFirstOrThrow();
      expect(saga).toEqual({
        status: 'completed',
        step: 'done',
        response_status: 201,
        order_status: 'placed',
      });
      const order = await store.services.orders.get(left.orderId);
      expect(order?.status).toBe('placed');
      expect(await onHand()).toBe(soldBefore);
      const intents = await store.services.payments.listByReference(left.orderId);
      expect(intents.map((i) => i.status)).toEqual(['authorized']);
      const cart = await db()
        .selectFrom('cart.carts')
        .select('order_id')
        .where('id', '=', left.cartId)
        .executeTakeFirstOrThrow();
      expect(cart.order_id).toBe(left.orderId);
    },
    30_000,
  );
});
