import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { newId, validationFailed } from '@emporium/platform';
import { sql, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import {
  type AnyTransaction,
  type CreatePendingOrderInput,
  type Order,
  type OrderChangeResult,
  type OrderPlaced,
  type OrdersService,
  ordersEvents,
} from '../contract/index.ts';
import { jsonb } from '../db/jsonb.ts';
import { loadOrder, toOrder, withLines } from '../db/order-rows.ts';
import type { OrdersTables } from '../db/tables.ts';
import type { OrdersContext } from '../orders-context.ts';
import { recordChange, recordChanges } from './record-change.ts';

const SECRET_PREFIX = 'osec_';

/** A fresh order secret (256 random bits) and the hash we keep of it. */
export function newOrderSecret(): { secret: string; hash: string } {
  const secret = `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time check of a presented secret against the stored hash. */
export function secretMatches(presented: string, storedHash: string): boolean {
  if (!presented.startsWith(SECRET_PREFIX)) return false;
  const a = Buffer.from(hashSecret(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Runs `fn` in the caller's transaction when given one, else in a new one. */
export function inTransaction<T>(
  ctx: OrdersContext,
  trx: AnyTransaction | undefined,
  fn: (trx: Transaction<OrdersTables>) => Promise<T>,
): Promise<T> {
  return trx ? fn(trx as Transaction<OrdersTables>) : ctx.db.transaction(fn);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CURRENCY = /^[a-z]{3}$/;

function checkInput(input: CreatePendingOrderInput): void {
  const errors: Array<{ path: string; message: string }> = [];
  const amount = (path: string, v: number) => {
    if (!Number.isSafeInteger(v) || v < 0)
      errors.push({ path, message: 'must be an integer of minor units, 0 or more' });
  };
  if (!EMAIL.test(input.email) || input.email.length > 254)
    errors.push({ path: '/email', message: 'must be an email address' });
  if (!CURRENCY.test(input.currencyCode))
    errors.push({ path: '/currencyCode', message: 'must be three lower-case letters' });
  if (input.lines.length === 0) errors.push({ path: '/lines', message: 'must hold at least one line' });
  let sum = 0;
  input.lines.forEach((l, i) => {
    if (!Number.isSafeInteger(l.quantity) || l.quantity < 1)
      errors.push({ path: `/lines/${i}/quantity`, message: 'must be a positive integer' });
    amount(`/lines/${i}/unitPrice`, l.unitPrice);
    const total = l.total ?? l.unitPrice * l.quantity;
    amount(`/lines/${i}/total`, total);
    sum += total;
  });
  for (const k of ['subtotal', 'shippingTotal', 'taxTotal', 'total'] as const) amount(`/${k}`, input[k]);
  amount('/discountTotal', input.discountTotal ?? 0);
  if (errors.length === 0) {
    if (sum !== input.subtotal)
      errors.push({ path: '/subtotal', message: `must equal the sum of line totals (${sum})` });
    const expected = input.subtotal + input.shippingTotal + input.taxTotal - (input.discountTotal ?? 0);
    if (expected !== input.total)
      errors.push({
        path: '/total',
        message: `must equal subtotal + shipping + tax − discount (${expected})`,
      });
  }
  if (errors.length > 0) throw validationFailed('The order does not add up.', errors);
}

export function orderPlacedPayload(
  order: Order,
): Omit<OrderPlaced, 'orderId' | 'number' | 'status' | 'paymentStatus'> {
  const a = order.shippingAddress;
  return {
    email: order.email,
    customerId: order.customerId,
    currencyCode: order.currencyCode,
    lines: order.lines.map((l) => ({
      title: l.title,
      variantTitle: l.variantTitle,
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      total: l.total,
    })),
    subtotal: order.subtotal,
    shippingTotal: order.shippingTotal,
    taxTotal: order.taxTotal,
    discountTotal: order.discountTotal,
    total: order.total,
    shippingAddress: a
      ? {
          firstName: a.firstName,
          lastName: a.lastName,
          line1: a.line1,
          line2: a.line2 ?? null,
          city: a.city,
          postalCode: a.postalCode,
          region: a.region ?? null,
          countryCode: a.countryCode,
        }
      : null,
    shippingMethodName: order.shippingMethod?.name ?? null,
    placedAt: (order.placedAt ?? order.createdAt).toISOString(),
  };
}

export function createOrdersService(ctx: OrdersContext): OrdersService {
  const service: OrdersService = {
    async createPending(input, trx) {
      const [created] = await service.createPendingMany([input], trx);
      if (!created) throw new Error('no order created');
      return created;
    },

    async createPendingMany(inputs, trx) {
      for (const input of inputs) checkInput(input);
      if (inputs.length === 0) return [];
      const now = ctx.clock.now();
      const made = inputs.map((input) => ({ input, id: newId('order'), ...newOrderSecret() }));
      const orders = await inTransaction(ctx, trx, async (t) => {
        // The orders and their lines in one statement, the rows as written coming back (no read
        // after write); the lines' foreign key is checked at the statement's end, when the orders
        // exist.
        const rows = await t
          .with('o', (db) =>
            db
              .insertInto('orders.orders')
              .values(
                made.map(({ input, id, hash }) => ({
                  id,
                  number: sql<number>`nextval('orders.order_number_seq')`,
                  status: 'pending',
                  payment_status: 'not_paid',
                  email: input.email,
                  customer_id: input.customerId ?? null,
                  cart_id: input.cartId ?? null,
                  currency_code: input.currencyCode,
                  shipping_address: jsonb(input.shippingAddress),
                  billing_address: jsonb(input.billingAddress),
                  shipping_method: jsonb(input.shippingMethod),
                  subtotal: input.subtotal,
                  shipping_total: input.shippingTotal,
                  tax_total: input.taxTotal,
                  discount_total: input.discountTotal ?? 0,
                  total: input.total,
                  reservation_id: input.reservationId ?? null,
                  payment_intent_id: null,
                  secret_hash: hash,
                  created_at: now,
                  updated_at: now,
                  placed_at: null,
                  canceled_at: null,
                  cancel_reason: null,
                })),
              )
              .returningAll(),
          )
          .with('l', (db) =>
            db
              .insertInto('orders.order_lines')
              .values(
                made.flatMap(({ input, id }) =>
                  input.lines.map((l, i) => ({
                    id: newId('oline'),
                    order_id: id,
                    position: i,
                    variant_id: l.variantId,
                    product_id: l.productId ?? null,
                    sku: l.sku ?? null,
                    title: l.title,
                    variant_title: l.variantTitle ?? null,
                    quantity: l.quantity,
                    unit_price: l.unitPrice,
                    total: l.total ?? l.unitPrice * l.quantity,
                  })),
                ),
              )
              .returningAll(),
          )
          .selectFrom('o')
          .selectAll('o')
          .select((eb) =>
            jsonArrayFrom(
              eb.selectFrom('l').selectAll('l').whereRef('l.order_id', '=', 'o.id').orderBy('l.position'),
            ).as('lines'),
          )
          .execute();
        const created = new Map(rows.map(({ lines, ...row }) => [row.id, toOrder(row, lines)]));
        const inOrder = made.map(({ id }) => {
          const order = created.get(id);
          if (!order) throw new Error(`order ${id} was not written`);
          return order;
        });
        await recordChanges(
          t,
          ctx.clock,
          inOrder.map((order) => ({
            order,
            change: {
              kind: 'created',
              message: `Order #${order.number} created at checkout`,
              actor: 'checkout',
              event: { type: ordersEvents.created },
            },
          })),
        );
        return inOrder;
      });
      if (!trx) ctx.nudge();
      return orders.map((order, i) => ({ order: publicOrder(order), orderSecret: made[i]?.secret ?? '' }));
    },

    async markPlaced(orderId, paymentIntentId, options = {}, trx) {
      const results = await service.markPlacedMany([{ orderId, paymentIntentId }], options, trx);
      const result = results.get(orderId);
      if (!result) throw new Error(`no outcome for order ${orderId}`);
      return result;
    },

    async markPlacedMany(placings, options = {}, trx) {
      const orderIds = placings.map((p) => p.orderId);
      if (new Set(orderIds).size !== orderIds.length)
        throw new Error('markPlacedMany: an order is named twice');
      const results = await inTransaction(ctx, trx, async (t) => {
        const out = new Map<string, OrderChangeResult>();
        if (placings.length === 0) return out;
        const now = ctx.clock.now();
        const captured = options.captured === true;
        const intentIds = placings.map((p) => p.paymentIntentId);
        // Pending orders are placed by the one update that finds them pending, each with its
        // intent; any other is read to answer why (or, for a replay of the same payment, that it
        // is done).
        const rows = await t
          .updateTable('orders.orders')
          .set((eb) => ({
            status: 'placed',
            payment_status: captured ? 'captured' : 'authorized',
            payment_intent_id: sql<string>`(${intentIds}::text[])[array_position(${orderIds}::text[], id)]`,
            captured_total: captured ? eb.ref('total') : 0,
            placed_at: now,
            updated_at: now,
            version: eb('version', '+', 1),
          }))
          .where(sql<boolean>`id = any(${orderIds}::text[])`)
          .where('status', '=', 'pending')
          .returningAll()
          // Their lines in the same statement (as JSON), for the placed events.
          .returning((eb) =>
            jsonArrayFrom(
              eb
                .selectFrom('orders.order_lines as l')
                .selectAll('l')
                .whereRef('l.order_id', '=', 'orders.orders.id')
                .orderBy('l.position'),
            ).as('placed_lines'),
          )
          .execute();
        const placed = rows.map(({ placed_lines, ...row }) => toOrder(row, placed_lines));
        await recordChanges(
          t,
          ctx.clock,
          placed.map((order) => ({
            order,
            change: {
              kind: 'placed',
              message: `Order #${order.number} placed; payment ${order.paymentStatus}`,
              actor: 'checkout',
              data: { paymentIntentId: order.paymentIntentId },
              event: { type: ordersEvents.placed, payload: orderPlacedPayload(order) },
            },
          })),
        );
        for (const order of placed) out.set(order.id, { ok: true, order: publicOrder(order) });
        for (const { orderId, paymentIntentId } of placings) {
          if (out.has(orderId)) continue;
          const order = await loadOrder(t, orderId, true);
          if (!order) out.set(orderId, { ok: false, code: 'order_not_found' });
          else if (order.paymentIntentId === paymentIntentId && order.status !== 'canceled')
            out.set(orderId, { ok: true, order: publicOrder(order) });
          else
            out.set(orderId, {
              ok: false,
              code: 'invalid_order_transition',
              status: order.status,
              detail: `Order #${order.number} is ${order.status}, not pending.`,
            });
        }
        return out;
      });
      if (!trx && [...results.values()].some((r) => r.ok)) ctx.nudge();
      return results;
    },

    async cancelPending(orderId, reason, trx) {
      const result = await inTransaction(ctx, trx, async (t): Promise<OrderChangeResult> => {
        const order = await loadOrder(t, orderId, true);
        if (!order) return { ok: false, code: 'order_not_found' };
        if (order.status === 'canceled') return { ok: true, order: publicOrder(order) };
        if (order.status !== 'pending') {
          return {
            ok: false,
            code: 'invalid_order_transition',
            status: order.status,
            detail: `Order #${order.number} is ${order.status}; only a pending order is canceled by checkout.`,
          };
        }
        const now = ctx.clock.now();
        await t
          .updateTable('orders.orders')
          .set((eb) => ({
            status: 'canceled',
            canceled_at: now,
            cancel_reason: reason.slice(0, 500),
            updated_at: now,
            version: eb('version', '+', 1),
          }))
          .where('id', '=', orderId)
          .execute();
        const canceled = await loadOrder(t, orderId);
        if (!canceled) throw new Error('order vanished inside its own transaction');
        await recordChange(t, ctx.clock, canceled, {
          kind: 'canceled',
          message: `Checkout gave up: ${reason}`,
          actor: 'checkout',
          event: { type: ordersEvents.canceled, payload: { reason } },
        });
        return { ok: true, order: publicOrder(canceled) };
      });
      if (!trx && result.ok) ctx.nudge();
      return result;
    },

    async get(orderId) {
      const order = await loadOrder(ctx.db.primary, orderId);
      return order ? publicOrder(order) : null;
    },

    async listForCustomer(customerId, options = {}) {
      const limit = Math.min(Math.max(options.limit ?? 20, 1), 100);
      let q = ctx.db.primary
        .selectFrom('orders.orders')
        .selectAll()
        .where('customer_id', '=', customerId)
        .where('status', '!=', 'pending')
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (options.cursor) q = q.where('id', '<', options.cursor);
      const rows = await q.execute();
      const data = await withLines(ctx.db.primary, rows.slice(0, limit));
      const last = data[data.length - 1];
      return { data, nextCursor: rows.length > limit && last ? last.id : null };
    },
  };
  return service;
}

/** The order without the internal fields `loadOrder` adds. */
export function publicOrder(order: Order & { secretHash?: string; version?: number }): Order {
  const { secretHash: _s, version: _v, ...rest } = order;
  return rest;
}
