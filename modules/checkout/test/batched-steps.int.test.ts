import { randomUUID } from 'node:crypto';
import { databaseKinds } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckoutPlatform, startCheckoutPlatform } from './support/checkout-platform.ts';
import { checkout, type ReadyCart, readyCart, tokenize } from './support/shopper.ts';

/**
 * Holds every call until `expected` have arrived, then lets them all go at once: the checkouts
 * reach their next step together, as they do under load.
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
    /** What the calls named (payment or cart ids), in the order they arrived. */
    arrived,
    allArrived,
    open,
    async pass(id: string) {
      arrived.push(id);
      if (arrived.length === expected) full();
      await opened;
    },
  };
}

/** A gate that holds nothing. */
function openGate() {
  const gate = createGate(0);
  gate.open();
  return gate;
}

// Real: every module, the built-in test processor; only the moments the carts are ready and the
// approvals come back are steered, so that several checkouts reach a step at the same time.
describe.each(databaseKinds())('checkouts reaching a step at the same time on %s', (kind) => {
  let store: CheckoutPlatform;
  let variantId: string;
  let gate = openGate();
  let prepared = openGate();

  beforeAll(async () => {
    store = await startCheckoutPlatform(kind, {
      stock: 20,
      wrapDeps: (deps) => ({
        ...deps,
        carts: {
          ...deps.carts,
          prepareCheckout: async (...args) => {
            const ready = await deps.carts.prepareCheckout(...args);
            await prepared.pass(args[0]);
            return ready;
          },
        },
        payments: {
          ...deps.payments,
          authorize: async (...args) => {
            const answer = await deps.payments.authorize(...args);
            await gate.pass(args[0]);
            return answer;
          },
          authorizePrepared: async (prepared) => {
            const answer = await deps.payments.authorizePrepared(prepared);
            await gate.pass(prepared.intentId);
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
    prepared = openGate();
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

  it('records them at authorizing in one transaction, with their pending orders and intents', async () => {
    const carts = await Promise.all([1, 2, 3, 4].map(() => readyCart(store.http, variantId, 1)));
    const tokens = await Promise.all(carts.map(() => tokenize(store.http)));
    gate = openGate();
    prepared = createGate(carts.length);
    const answers = carts.map((cart, i) =>
      checkout(store.http, cart, randomUUID(), { payment: { token: tokens[i] } }),
    );
    await prepared.allArrived;
    prepared.open();
    for (const answer of await Promise.all(answers)) expect(answer.status, answer.text).toBe(201);

    // The step log is append-only: the transaction that wrote each saga's `authorizing` entry.
    const { rows } = await sql<{ cart_id: string; xmin: string }>`
      select s.cart_id, l.xmin::text as xmin
      from checkout.saga_steps l join checkout.sagas s on s.id = l.saga_id
      where l.step = 'authorizing' and s.cart_id = any(${carts.map((c) => c.cartId)}::text[])`.execute(
      store.platform.ports.db.primary,
    );
    const byCart = new Map(rows.map((r) => [r.cart_id, r.xmin]));
    const [first, ...rest] = prepared.arrived.map((cartId) => byCart.get(cartId));
    // The first went alone; the three ready while it ran went together.
    expect(new Set(rest).size).toBe(1);
    expect(rest[0]).not.toBe(first);
    // Each with its own pending order (now placed) and its own authorized intent.
    const orders = await store.platform.ports.db.primary
      .selectFrom('orders.orders')
      .select(['cart_id', 'status', 'payment_intent_id', 'number'])
      .where(
        'cart_id',
        'in',
        carts.map((c) => c.cartId),
      )
      .execute();
    expect(orders.map((o) => o.status)).toEqual(['placed', 'placed', 'placed', 'placed']);
    expect(new Set(orders.map((o) => o.payment_intent_id)).size).toBe(4);
    expect(new Set(orders.map((o) => o.number)).size).toBe(4);
  }, 30_000);

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

  it('places a checkout whose approval a concurrent ask with its key recorded first, charging once', async () => {
    const cart = await readyCart(store.http, variantId, 1);
    const token = await tokenize(store.http);
    gate = createGate(1);
    prepared = openGate();
    const answer = checkout(store.http, cart, randomUUID(), { payment: { token } });
    await gate.allArrived;
    // Approved and held before its completion: a recovery worker elsewhere asks again with the
    // checkout's key, and records the approval first.
    const saga = await store.platform.ports.db.primary
      .selectFrom('checkout.sagas')
      .select(['id', 'payment_id', 'order_id'])
      .where('cart_id', '=', cart.cartId)
      .executeTakeFirstOrThrow();
    const paymentId = saga.payment_id ?? '';
    expect(
      await store.services.payments.authorize(paymentId, { token }, `checkout:${saga.id}`),
    ).toMatchObject({ ok: true, intent: { status: 'authorized' } });
    gate.open();
    const placed = await answer;
    expect(placed.status, placed.text).toBe(201);
    expect(placed.body.order).toMatchObject({ id: saga.order_id, status: 'placed' });
    const charges = await sql<{ n: number }>`
      select count(*)::int as n from vault.test_acquirer_authorizations where reference = ${paymentId}`.execute(
      store.platform.ports.db.primary,
    );
    expect(charges.rows[0]?.n).toBe(1);
    const authorized = await store.platform.ports.db.primary
      .selectFrom('platform.outbox')
      .select('key')
      .where('type', '=', 'payments.payment.authorized.v1')
      .where('key', '=', paymentId)
      .execute();
    expect(authorized).toHaveLength(1);
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
