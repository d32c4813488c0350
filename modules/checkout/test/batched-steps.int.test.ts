import { randomUUID } from 'node:crypto';
import { databaseKinds } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckoutPlatform, startCheckoutPlatform } from './support/checkout-platform.ts';
import { checkout, type ReadyCart, readyCart, tokenize } from './support/shopper.ts';

/**
 * Holds every authorization's answer until `expected` have arrived, then lets them all go at once:
 * the checkouts reach their last step together, as they do under load.
 */
function createGate(expected: number) {
  const arrived: string[] = [];
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let full: () => void = () => {};
  const allArrived = new Promise<void>((resolve) => {
    full = resolve;
  });
  return {
    /** Payment ids, in the order their approvals arrived. */
    arrived,
    allArrived,
    open,
    async pass(paymentId: string) {
      arrived.push(paymentId);
      if (arrived.length === expected) full();
      await opened;
    },
  };
}

// Real: every module, the built-in test processor; only the moment the approvals come back is
// steered, so that several checkouts complete at the same time.
describe.each(databaseKinds())('checkouts approved at the same time on %s', (kind) => {
  let store: CheckoutPlatform;
  let variantId: string;
  let gate = createGate(0);

  beforeAll(async () => {
    store = await startCheckoutPlatform(kind, {
      stock: 20,
      wrapDeps: (deps) => ({
        ...deps,
        payments: {
          ...deps.payments,
          authorize: async (...args) => {
            const answer = await deps.payments.authorize(...args);
            await gate.pass(args[0]);
            return answer;
          },
        },
      }),
    });
    variantId = store.variantIds[0] ?? '';
  });
  afterAll(async () => store?.close());

  /** Starts a checkout of each cart; answers once every approval is held at the gate. */
  async function approvedTogether(carts: ReadyCart[]) {
    gate = createGate(carts.length);
    const tokens = await Promise.all(carts.map(() => tokenize(store.http)));
    const answers = carts.map((cart, i) =>
      checkout(store.http, cart, randomUUID(), { payment: { token: tokens[i] } }),
    );
    await gate.allArrived;
    const sagas = await store.platform.ports.db.primary
      .selectFrom('checkout.sagas')
      .select(['cart_id', 'payment_id', 'reservation_id', 'order_id'])
      .where(
        'cart_id',
        'in',
        carts.map((c) => c.cartId),
      )
      .execute();
    const byPayment = new Map(sagas.map((s) => [s.payment_id, s]));
    const inArrivalOrder = gate.arrived.map((id) => {
      const saga = byPayment.get(id);
      if (!saga) throw new Error(`no saga paid by ${id}`);
      return saga;
    });
    const results = async () => {
      const answered = await Promise.all(answers);
      return new Map(carts.map((cart, i) => [cart.cartId, answered[i]]));
    };
    return { inArrivalOrder, results };
  }

  /** The transaction that last wrote each cart's saga. */
  async function sagaTransactions(cartIds: string[]): Promise<Map<string, string>> {
    const { rows } = await sql<{ cart_id: string; xmin: string }>`
      select cart_id, xmin::text as xmin from checkout.sagas where cart_id = any(${cartIds}::text[])`.execute(
      store.platform.ports.db.primary,
    );
    return new Map(rows.map((r) => [r.cart_id, r.xmin]));
  }

  const stockLevel = () =>
    store.platform.ports.db.primary
      .selectFrom('inventory.stock_levels')
      .select(['on_hand', 'reserved'])
      .where('variant_id', '=', variantId)
      .executeTakeFirstOrThrow();

  it('completes them in one transaction, and undoes alone the one whose hold was lost meanwhile', async () => {
    const before = await stockLevel();
    const carts = await Promise.all([1, 2, 3, 4].map(() => readyCart(store.http, variantId, 1)));
    const { inArrivalOrder, results } = await approvedTogether(carts);
    // The third approval's hold is given back meanwhile (as a lapse would end it).
    const [first, second, third, fourth] = inArrivalOrder;
    if (!first || !second || !third || !fourth?.reservation_id || !third.reservation_id)
      throw new Error('expected four sagas with holds');
    await store.services.inventory.release(third.reservation_id);
    gate.open();
    const answers = await results();

    for (const saga of [first, second, fourth]) {
      const answer = answers.get(saga.cart_id);
      expect(answer?.status, answer?.text).toBe(201);
      expect(answer?.body.order).toMatchObject({ id: saga.order_id, status: 'placed' });
    }
    const lost = answers.get(third.cart_id);
    expect(lost?.status, lost?.text).toBe(409);
    expect(lost?.body.code).toBe('checkout_expired');
    const order = await store.services.orders.get(third.order_id ?? '');
    expect(order?.status).toBe('canceled');

    // The first went alone (nothing else was ready); the next ones that were ready while it ran
    // went together, in one transaction.
    const transactions = await sagaTransactions(carts.map((c) => c.cartId));
    expect(transactions.get(second.cart_id)).toBe(transactions.get(fourth.cart_id));
    expect(transactions.get(first.cart_id)).not.toBe(transactions.get(second.cart_id));
    // Three sold; nothing left held.
    expect(await stockLevel()).toEqual({ on_hand: before.on_hand - 3, reserved: 0 });
    for (const saga of [first, second, fourth]) {
      const placed = await store.platform.ports.db.primary
        .selectFrom('platform.outbox')
        .select('key')
        .where('type', '=', 'orders.order.placed.v1')
        .where('key', '=', saga.order_id)
        .execute();
      expect(placed).toHaveLength(1);
    }
  }, 30_000);

  it('completes the others when one in the batch cannot be placed, each then alone', async () => {
    const before = await stockLevel();
    const carts = await Promise.all([1, 2, 3, 4].map(() => readyCart(store.http, variantId, 1)));
    const { inArrivalOrder, results } = await approvedTogether(carts);
    const [first, second, third, fourth] = inArrivalOrder;
    if (!first || !second || !third?.order_id || !fourth) throw new Error('expected four sagas');
    // Staff cancel the third's order meanwhile: it cannot be placed, which fails its batch.
    await store.services.orders.cancelPending(third.order_id, 'canceled by staff');
    gate.open();
    const answers = await results();

    for (const saga of [first, second, fourth]) {
      const answer = answers.get(saga.cart_id);
      expect(answer?.status, answer?.text).toBe(201);
    }
    expect(answers.get(third.cart_id)?.status).toBe(500);
    // The second and fourth were completed again, each alone, after their batch rolled back.
    const transactions = await sagaTransactions([second.cart_id, fourth.cart_id]);
    expect(transactions.get(second.cart_id)).not.toBe(transactions.get(fourth.cart_id));
    // Their three units sold; the third's still held, for the recovery worker to settle.
    expect(await stockLevel()).toEqual({ on_hand: before.on_hand - 3, reserved: 1 });
  }, 30_000);
});
