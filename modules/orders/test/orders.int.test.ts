import { createInventoryModule, type InventoryModule, inventoryMigrations } from '@emporium/inventory';
import { ManualClock, migrate } from '@emporium/platform';
import {
  createTestAuth,
  databaseKinds,
  startTestPlatform,
  type TestAuth,
  type TestPlatform,
} from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatePendingOrderInput } from '../src/contract/index.ts';
import { createOrdersModule, type OrdersModule, ordersMigrations } from '../src/index.ts';
import { fakePayments, fakeShipping } from './fakes.ts';

// The platform in-process on a real database (PGlite and PostgreSQL), the real inventory module,
// real JWTs; payments and shipping are in-memory fakes of their contracts (their own modules test
// the real thing).
describe.each(databaseKinds())('orders on %s', (kind) => {
  let platform: TestPlatform;
  let auth: TestAuth;
  let orders: OrdersModule;
  let inventory: InventoryModule;
  const payments = fakePayments();
  const shipping = fakeShipping();
  const clock = new ManualClock(Date.UTC(2026, 2, 1));

  beforeAll(async () => {
    auth = await createTestAuth();
    platform = await startTestPlatform({
      database: kind,
      clock,
      authenticator: auth.authenticator,
      compose: (ports) => {
        inventory = createInventoryModule(ports);
        orders = createOrdersModule(ports, {
          payments: payments.service,
          shipping: shipping.service,
          inventory: inventory.service,
        });
        return [inventory, orders];
      },
    });
    await migrate(platform.ports.db, [inventoryMigrations, ordersMigrations]);
  });
  afterAll(async () => {
    await platform?.close();
  });

  const staff = (roles = ['order_manager']) => auth.headers({ roles, subject: 'usr_staff' });
  const call = async (
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string> = {},
    payload?: object,
  ) => platform.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  const address = {
    firstName: 'Ada',
    lastName: 'Lovelace',
    line1: '1 Analytical Way',
    city: 'London',
    postalCode: 'N1 1AA',
    countryCode: 'gb',
  };
  const input = (over: Partial<CreatePendingOrderInput> = {}): CreatePendingOrderInput => ({
    email: 'ada@example.com',
    currencyCode: 'usd',
    lines: [
      {
        variantId: 'var_shirt',
        sku: 'SH-M',
        title: 'Linen shirt',
        variantTitle: 'M',
        quantity: 2,
        unitPrice: 2500,
      },
      { variantId: 'var_hat', title: 'Hat', quantity: 1, unitPrice: 1000 },
    ],
    shippingAddress: address,
    shippingMethod: { optionId: 'sho_std', name: 'Standard', amount: 500 },
    subtotal: 6000,
    shippingTotal: 500,
    taxTotal: 0,
    total: 6500,
    ...over,
  });

  /** What checkout does: stock sold, pending order, payment authorized, order placed. */
  async function placedOrder(over: Partial<CreatePendingOrderInput> = {}) {
    const created = await orders.service.createPending(input(over));
    const intent = await payments.service.createIntent({
      amount: created.order.total,
      currency: 'usd',
      reference: created.order.id,
    });
    await payments.service.authorize(intent.id, { token: 'tok_x' }, 'k');
    const placed = await orders.service.markPlaced(created.order.id, intent.id);
    if (!placed.ok) throw new Error('not placed');
    return { order: placed.order, secret: created.orderSecret, intentId: intent.id };
  }

  const events = async (type: string, key: string) =>
    (
      await sql<{ payload: Record<string, unknown> }>`
        select payload from platform.outbox where type = ${type} and key = ${key} order by id`.execute(
        platform.ports.db.primary,
      )
    ).rows.map((r) => r.payload);

  it('numbers orders sequentially, keeps lines and totals as given, and returns the secret once (stored hashed)', async () => {
    const a = await orders.service.createPending(input());
    const b = await orders.service.createPending(input({ customerId: 'cus_ada' }));
    expect(b.order.number).toBe(a.order.number + 1);
    expect(a.order.number).toBeGreaterThanOrEqual(1001);
    expect(a.order).toMatchObject({
      status: 'pending',
      paymentStatus: 'not_paid',
      total: 6500,
      subtotal: 6000,
    });
    expect(a.order.lines.map((l) => [l.title, l.quantity, l.unitPrice, l.total])).toEqual([
      ['Linen shirt', 2, 2500, 5000],
      ['Hat', 1, 1000, 1000],
    ]);
    expect(a.orderSecret).toMatch(/^osec_[A-Za-z0-9_-]{43}$/);
    const stored = await sql<{
      secret_hash: string;
    }>`select secret_hash from orders.orders where id = ${a.order.id}`.execute(platform.ports.db.primary);
    expect(stored.rows[0]?.secret_hash).not.toContain(a.orderSecret.slice(5));
    expect(await events('orders.order.created.v1', a.order.id)).toHaveLength(1);
  });

  it('rejects an order whose totals do not add up', async () => {
    await expect(orders.service.createPending(input({ total: 1 }))).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('places a pending order with orders.order.placed.v1 carrying what the email needs, once', async () => {
    const { order, intentId } = await placedOrder();
    expect(order).toMatchObject({ status: 'placed', paymentStatus: 'authorized', paymentIntentId: intentId });
    const again = await orders.service.markPlaced(order.id, intentId);
    expect(again.ok).toBe(true);
    const placed = await events('orders.order.placed.v1', order.id);
    expect(placed).toHaveLength(1);
    expect(placed[0]).toMatchObject({
      orderId: order.id,
      number: order.number,
      email: 'ada@example.com',
      total: 6500,
      currencyCode: 'usd',
      lines: [expect.objectContaining({ title: 'Linen shirt', quantity: 2, total: 5000 }), expect.anything()],
    });
    expect(JSON.stringify(placed[0])).not.toMatch(/tok_|4242/);
  });

  it('creates several pending orders at once, numbered in order, each with its own lines, secret and created event', async () => {
    const made = await orders.service.createPendingMany([
      input({ email: 'one@example.com' }),
      input({
        email: 'two@example.com',
        lines: [{ variantId: 'var_hat', title: 'Hat', quantity: 3, unitPrice: 1000 }],
        subtotal: 3000,
        total: 3500,
      }),
    ]);
    expect(made.map((m) => m.order.email)).toEqual(['one@example.com', 'two@example.com']);
    const [one, two] = made;
    if (!one || !two) throw new Error('expected two orders');
    expect(two.order.number).toBe(one.order.number + 1);
    expect(one.order.lines.map((l) => [l.variantId, l.quantity])).toEqual([
      ['var_shirt', 2],
      ['var_hat', 1],
    ]);
    expect(two.order.lines.map((l) => [l.variantId, l.quantity, l.total])).toEqual([['var_hat', 3, 3000]]);
    expect(one.orderSecret).not.toBe(two.orderSecret);
    await orders.service.markPlacedMany(made.map((m) => ({ orderId: m.order.id, paymentIntentId: 'pay_x' })));
    for (const { order, orderSecret } of made) {
      expect(order.status).toBe('pending');
      expect(await events('orders.order.created.v1', order.id)).toHaveLength(1);
      // Each secret opens its own order (once placed: a pending order is not shown).
      const read = await call('GET', `/store/orders/${order.id}`, { authorization: `Bearer ${orderSecret}` });
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json().order.total).toEqual({ amount: order.total, currency_code: 'usd' });
    }
    // One bad input refuses them all: nothing is written.
    const before = await sql<{ n: number }>`select count(*)::int as n from orders.orders`.execute(
      platform.ports.db.primary,
    );
    await expect(orders.service.createPendingMany([input(), input({ total: 1 })])).rejects.toMatchObject({
      code: 'validation_failed',
    });
    const after = await sql<{ n: number }>`select count(*)::int as n from orders.orders`.execute(
      platform.ports.db.primary,
    );
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  it('places several orders at once, each with its own intent, history and placed event, and answers each', async () => {
    const first = await orders.service.createPending(input({ email: 'first@example.com' }));
    const second = await orders.service.createPending(input({ email: 'second@example.com' }));
    const replayed = await placedOrder();
    const canceled = await orders.service.createPending(input());
    await orders.service.cancelPending(canceled.order.id, 'card declined');

    const outcomes = await orders.service.markPlacedMany([
      { orderId: second.order.id, paymentIntentId: 'pay_second' },
      { orderId: replayed.order.id, paymentIntentId: replayed.intentId },
      { orderId: canceled.order.id, paymentIntentId: 'pay_canceled' },
      { orderId: first.order.id, paymentIntentId: 'pay_first' },
      { orderId: 'order_nope', paymentIntentId: 'pay_nope' },
    ]);
    expect(outcomes.get(first.order.id)).toMatchObject({
      ok: true,
      order: { status: 'placed', paymentIntentId: 'pay_first', email: 'first@example.com' },
    });
    expect(outcomes.get(second.order.id)).toMatchObject({
      ok: true,
      order: { status: 'placed', paymentIntentId: 'pay_second', email: 'second@example.com' },
    });
    expect(outcomes.get(replayed.order.id)).toMatchObject({ ok: true, order: { id: replayed.order.id } });
    expect(outcomes.get(canceled.order.id)).toMatchObject({
      ok: false,
      code: 'invalid_order_transition',
      status: 'canceled',
    });
    expect(outcomes.get('order_nope')).toEqual({ ok: false, code: 'order_not_found' });

    for (const [created, email] of [
      [first, 'first@example.com'],
      [second, 'second@example.com'],
    ] as const) {
      const placed = await events('orders.order.placed.v1', created.order.id);
      expect(placed).toEqual([
        expect.objectContaining({
          orderId: created.order.id,
          number: created.order.number,
          email,
          total: 6500,
        }),
      ]);
      const timeline = await sql<{ data: unknown }>`
        select data from orders.order_events where order_id = ${created.order.id} and kind = 'placed'`.execute(
        platform.ports.db.primary,
      );
      expect(timeline.rows).toEqual([{ data: { paymentIntentId: `pay_${email.split('@')[0]}` } }]);
    }
    // The replay and the refusals wrote nothing more.
    expect(await events('orders.order.placed.v1', replayed.order.id)).toHaveLength(1);
    expect(await events('orders.order.placed.v1', canceled.order.id)).toEqual([]);
  });

  it('cancels a pending order for checkout, and refuses to place a canceled one', async () => {
    const { order } = await orders.service.createPending(input());
    const canceled = await orders.service.cancelPending(order.id, 'card declined');
    expect(canceled).toMatchObject({
      ok: true,
      order: { status: 'canceled', cancelReason: 'card declined' },
    });
    expect((await orders.service.cancelPending(order.id, 'again')).ok).toBe(true);
    expect(await orders.service.markPlaced(order.id, 'pay_x')).toMatchObject({
      ok: false,
      code: 'invalid_order_transition',
    });
    expect(await orders.service.markPlaced('order_nope', 'pay_x')).toEqual({
      ok: false,
      code: 'order_not_found',
    });
  });

  it('shows an order to its secret or its customer, and answers 404 to anyone else', async () => {
    const { order, secret } = await placedOrder({ customerId: 'cus_owner' });
    const url = `/store/orders/${order.id}`;
    const bySecret = await call('GET', url, { authorization: `Bearer ${secret}` });
    expect(bySecret.statusCode).toBe(200);
    expect(bySecret.json().order).toMatchObject({
      id: order.id,
      number: order.number,
      status: 'placed',
      total: { amount: 6500, currency_code: 'usd' },
    });
    const owner = await auth.headers({ kind: 'customer', subject: 'cus_owner' });
    expect((await call('GET', url, owner)).statusCode).toBe(200);
    const other = await auth.headers({ kind: 'customer', subject: 'cus_other' });
    for (const headers of [
      {},
      other,
      { authorization: `Bearer osec_${'A'.repeat(43)}` },
      { authorization: 'Bearer nonsense' },
    ]) {
      const r = await call('GET', url, headers);
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ code: 'not_found' });
    }
    // A pending order (checkout not finished) is not shown even with its secret.
    const pending = await orders.service.createPending(input());
    expect(
      (
        await call('GET', `/store/orders/${pending.order.id}`, {
          authorization: `Bearer ${pending.orderSecret}`,
        })
      ).statusCode,
    ).toBe(404);
  });

  it('guards /admin/orders with orders:read and orders:write', async () => {
    const { order } = await placedOrder();
    expect((await call('GET', '/admin/orders')).statusCode).toBe(401);
    const catalog = await staff(['catalog_manager']);
    expect((await call('GET', '/admin/orders', catalog)).statusCode).toBe(403);
    const support = await staff(['support']);
    expect((await call('GET', `/admin/orders/${order.id}`, support)).statusCode).toBe(200);
    expect((await call('POST', `/admin/orders/${order.id}/capture`, support)).statusCode).toBe(403);
    const customer = await auth.headers({ kind: 'customer', subject: 'cus_x' });
    expect((await call('GET', '/admin/orders', customer)).statusCode).toBe(403);
  });

  it('lists orders newest first with filters and keyset pages, and rejects a bad limit or cursor', async () => {
    const headers = await staff();
    clock.advance(60_000);
    const from = clock.now().toISOString();
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push((await placedOrder({ email: `List.${kind}@Example.com` })).order);
    const page1 = await call(
      'GET',
      `/admin/orders?email=list.${kind}@example.com&limit=2&status=placed&created_from=${from}`,
      headers,
    );
    expect(page1.statusCode).toBe(200);
    const body1 = page1.json();
    expect(body1.data.map((o: { id: string }) => o.id)).toEqual([mine[2]?.id, mine[1]?.id]);
    expect(body1.next_cursor).toEqual(expect.any(String));
    const page2 = await call(
      'GET',
      `/admin/orders?email=list.${kind}@example.com&limit=2&cursor=${body1.next_cursor}`,
      headers,
    );
    expect(page2.json()).toEqual({ data: [expect.objectContaining({ id: mine[0]?.id })], next_cursor: null });
    expect((await call('GET', '/admin/orders?limit=101', headers)).statusCode).toBe(400);
    expect((await call('GET', '/admin/orders?cursor=garbage', headers)).statusCode).toBe(400);
    expect((await call('GET', '/admin/orders?status=lost', headers)).statusCode).toBe(400);
    const none = await call(
      'GET',
      `/admin/orders?email=list.${kind}@example.com&created_to=${from}`,
      headers,
    );
    expect(none.json().data).toEqual([]);
  });

  it('captures once, then refunds partially with a required Idempotency-Key, never more than captured', async () => {
    const headers = await staff();
    const { order } = await placedOrder();
    const refundUrl = `/admin/orders/${order.id}/refunds`;
    const early = await call(
      'POST',
      refundUrl,
      { ...headers, 'idempotency-key': 'r0' },
      { amount: 100, reason: 'early' },
    );
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'invalid_order_transition', payment_status: 'authorized' });

    const captured = await call('POST', `/admin/orders/${order.id}/capture`, headers);
    expect(captured.statusCode).toBe(200);
    expect(captured.json().order).toMatchObject({
      payment_status: 'captured',
      captured_total: { amount: 6500 },
    });
    const twice = await call('POST', `/admin/orders/${order.id}/capture`, headers);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().detail).toMatch(/captured/);

    expect(
      (await call('POST', refundUrl, headers, { amount: 1000, reason: 'damaged' })).json(),
    ).toMatchObject({
      code: 'idempotency_key_required',
    });
    const first = await call(
      'POST',
      refundUrl,
      { ...headers, 'idempotency-key': 'r1' },
      { amount: 1000, reason: 'damaged' },
    );
    expect(first.statusCode).toBe(201);
    expect(first.json().order).toMatchObject({
      payment_status: 'partially_refunded',
      refunded_total: { amount: 1000 },
    });
    const replay = await call(
      'POST',
      refundUrl,
      { ...headers, 'idempotency-key': 'r1' },
      { amount: 1000, reason: 'damaged' },
    );
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(payments.intents.get(order.paymentIntentId ?? '')?.amountRefunded).toBe(1000);
    const conflict = await call(
      'POST',
      refundUrl,
      { ...headers, 'idempotency-key': 'r1' },
      { amount: 2000, reason: 'damaged' },
    );
    expect(conflict.json()).toMatchObject({ code: 'idempotency_conflict' });

    const tooMuch = await call(
      'POST',
      refundUrl,
      { ...headers, 'idempotency-key': 'r2' },
      { amount: 5501, reason: 'all' },
    );
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json()).toMatchObject({ code: 'refund_exceeds_captured', refundable: { amount: 5500 } });

    payments.failNextOperation();
    const outage = await call(
      'POST',
      refundUrl,
      { ...headers, 'idempotency-key': 'r3' },
      { amount: 500, reason: 'x' },
    );
    expect(outage.statusCode).toBe(502);
    expect(outage.json()).toMatchObject({ code: 'payment_operation_failed' });
    const rest = await call(
      'POST',
      refundUrl,
      { ...headers, 'idempotency-key': 'r3' },
      { amount: 5500, reason: 'rest' },
    );
    expect(rest.statusCode).toBe(201);
    expect(rest.json().order).toMatchObject({ payment_status: 'refunded', refunded_total: { amount: 6500 } });

    const detail = (await call('GET', `/admin/orders/${order.id}`, headers)).json().order;
    expect(detail.timeline.map((t: { kind: string }) => t.kind)).toEqual([
      'created',
      'placed',
      'captured',
      'refunded',
      'refunded',
    ]);
    expect(detail.refunds.map((r: { amount: { amount: number } }) => r.amount.amount)).toEqual([1000, 5500]);
    expect(await events('orders.order.refunded.v1', order.id)).toHaveLength(2);
  });

  it('never refunds more than captured under parallel refunds', async () => {
    const headers = await staff();
    const { order } = await placedOrder();
    await call('POST', `/admin/orders/${order.id}/capture`, headers);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        call(
          'POST',
          `/admin/orders/${order.id}/refunds`,
          { ...headers, 'idempotency-key': `p${i}` },
          { amount: 2000, reason: 'p' },
        ),
      ),
    );
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(3);
    expect(
      results.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'refund_exceeds_captured'),
    ).toBe(true);
    const after = await orders.service.get(order.id);
    expect(after?.refundedTotal).toBe(6000);
    expect(payments.intents.get(order.paymentIntentId ?? '')?.amountRefunded).toBe(6000);
  });

  it('fulfils partially then fully through shipments, completes, and refuses to cancel once shipped', async () => {
    const headers = await staff();
    const { order } = await placedOrder();
    const [shirt, hat] = order.lines;
    const url = `/admin/orders/${order.id}/fulfillments`;
    const first = await call('POST', url, headers, {
      lines: [{ line_id: shirt?.id, quantity: 1 }],
      carrier: 'ups',
      tracking_number: '1Z1',
    });
    expect(first.statusCode).toBe(201);
    expect(first.json().order.status).toBe('partially_fulfilled');
    expect(shipping.shipments.at(-1)).toMatchObject({
      order_id: order.id,
      carrier: 'ups',
      lines: [{ line_id: shirt?.id, variant_id: 'var_shirt', quantity: 1 }],
    });

    const over = await call('POST', url, headers, {
      lines: [{ line_id: shirt?.id, quantity: 2 }],
      carrier: 'ups',
    });
    expect(over.statusCode).toBe(409);
    expect(over.json()).toMatchObject({ code: 'fulfillment_exceeds_remaining', remaining: 1 });

    shipping.rejectNext();
    const rejected = await call('POST', url, headers, {
      lines: [{ line_id: hat?.id, quantity: 1 }],
      carrier: '??',
    });
    expect(rejected.json()).toMatchObject({ code: 'shipment_rejected' });
    expect((await orders.service.get(order.id))?.lines[1]?.fulfilledQuantity).toBe(0);

    const cancel = await call('POST', `/admin/orders/${order.id}/cancel`, headers, { reason: 'too late' });
    expect(cancel.statusCode).toBe(409);
    expect(cancel.json()).toMatchObject({
      code: 'invalid_order_transition',
      order_status: 'partially_fulfilled',
    });

    const early = await call('POST', `/admin/orders/${order.id}/complete`, headers);
    expect(early.statusCode).toBe(409);

    const rest = await call('POST', url, headers, {
      lines: [
        { line_id: shirt?.id, quantity: 1 },
        { line_id: hat?.id, quantity: 1 },
      ],
      carrier: 'dhl',
      tracking_number: null,
    });
    expect(rest.json().order.status).toBe('fulfilled');
    const done = await call('POST', `/admin/orders/${order.id}/complete`, headers);
    expect(done.json().order.status).toBe('completed');
    const detail = (await call('GET', `/admin/orders/${order.id}`, headers)).json().order;
    expect(detail.fulfillments).toHaveLength(2);
    expect(await events('orders.order.fulfilled.v1', order.id)).toHaveLength(2);
  });

  it('cancels a placed order: voids the authorization and gives the sold stock back to inventory', async () => {
    const headers = await staff();
    await inventory.service.setAvailable('var_cancel', 10, { actor: 'test' });
    const held = await inventory.service.reserve('cart_cancel', [{ variantId: 'var_cancel', quantity: 3 }]);
    if (!held.ok) throw new Error('no stock');
    await inventory.service.commit(held.reservationId);
    const { order, intentId } = await placedOrder({
      lines: [{ variantId: 'var_cancel', title: 'Mug', quantity: 3, unitPrice: 1000 }],
      subtotal: 3000,
      total: 3500,
      reservationId: held.reservationId,
    });
    expect((await inventory.service.levels(['var_cancel']))[0]?.onHand).toBe(7);

    const r = await call('POST', `/admin/orders/${order.id}/cancel`, headers, { reason: 'customer asked' });
    expect(r.statusCode).toBe(200);
    expect(r.json().order).toMatchObject({
      status: 'canceled',
      payment_status: 'voided',
      cancel_reason: 'customer asked',
    });
    expect(payments.intents.get(intentId)?.status).toBe('canceled');
    expect((await inventory.service.levels(['var_cancel']))[0]?.onHand).toBe(10);
    expect(await events('orders.order.canceled.v1', order.id)).toHaveLength(1);

    const again = await call('POST', `/admin/orders/${order.id}/cancel`, headers, {});
    expect(again.statusCode).toBe(409);
    expect((await inventory.service.levels(['var_cancel']))[0]?.onHand).toBe(10);
  });

  it('cancels a captured order by refunding what is left', async () => {
    const headers = await staff();
    const { order, intentId } = await placedOrder();
    await call('POST', `/admin/orders/${order.id}/capture`, headers);
    await call(
      'POST',
      `/admin/orders/${order.id}/refunds`,
      { ...headers, 'idempotency-key': 'c1' },
      { amount: 500, reason: 'x' },
    );
    const r = await call('POST', `/admin/orders/${order.id}/cancel`, headers);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().order).toMatchObject({
      status: 'canceled',
      payment_status: 'refunded',
      refunded_total: { amount: 6500 },
    });
    expect(payments.intents.get(intentId)?.amountRefunded).toBe(6500);
  });

  it('answers 404 for an unknown order on every admin route', async () => {
    const headers = await staff();
    expect((await call('GET', '/admin/orders/order_unknown', headers)).statusCode).toBe(404);
    expect((await call('POST', '/admin/orders/order_unknown/capture', headers)).statusCode).toBe(404);
  });
});
