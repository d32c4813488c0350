import { AppError, newId } from '@emporium/platform';
import type { Transaction } from 'kysely';
import { type Order, ordersEvents, type PaymentStatus } from '../contract/index.ts';
import { jsonb } from '../db/jsonb.ts';
import { loadOrder } from '../db/order-rows.ts';
import type { OrdersTables } from '../db/tables.ts';
import { invalidTransition, orderNotFound } from '../errors.ts';
import type { OrdersContext } from '../orders-context.ts';
import { publicOrder } from './orders-service.ts';
import { formatAmount, recordChange } from './record-change.ts';
import {
  canMovePayment,
  canMoveStatus,
  paymentStatusAfterRefund,
  statusAfterFulfilment,
} from './state-machine.ts';

export interface FulfilmentInput {
  lines: ReadonlyArray<{ lineId: string; quantity: number }>;
  carrier: string;
  trackingNumber: string | null;
  trackingUrl?: string | null;
}

/** Staff actions on placed orders (the admin routes call these). Each throws an AppError on refusal. */
export interface OrderAdminCommands {
  capture(orderId: string, actor: string): Promise<Order>;
  cancel(orderId: string, reason: string, actor: string): Promise<Order>;
  fulfil(
    orderId: string,
    input: FulfilmentInput,
    actor: string,
  ): Promise<{ order: Order; fulfillmentId: string; shipmentId: string }>;
  refund(
    orderId: string,
    amount: number,
    reason: string,
    actor: string,
  ): Promise<{ order: Order; refundId: string }>;
  complete(orderId: string, actor: string): Promise<Order>;
}

const paymentFailed = (what: string, message?: string): AppError =>
  new AppError(
    'payment_operation_failed',
    502,
    `The payment provider did not ${what}; nothing changed on the order. Try again later.${message ? ` (${message})` : ''}`,
  );

export function createAdminCommands(ctx: OrdersContext): OrderAdminCommands {
  const db = ctx.db;

  async function mustLoad(id: string, trx?: Transaction<OrdersTables>) {
    const order = await loadOrder(trx ?? db.primary, id, trx !== undefined);
    if (!order) throw orderNotFound();
    return order;
  }

  async function setPayment(
    trx: Transaction<OrdersTables>,
    id: string,
    patch: { payment_status?: PaymentStatus; captured_total?: number; refunded_total?: number },
  ) {
    await trx
      .updateTable('orders.orders')
      .set((eb) => ({ ...patch, updated_at: ctx.clock.now(), version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  return {
    async capture(orderId, actor) {
      const order = await mustLoad(orderId);
      if (
        order.status === 'canceled' ||
        order.status === 'pending' ||
        !canMovePayment(order.paymentStatus, 'captured')
      ) {
        throw invalidTransition('capture the payment of', order.status, order.paymentStatus);
      }
      if (!order.paymentIntentId)
        throw invalidTransition('capture', order.status, order.paymentStatus, 'it has no payment');
      const result = await ctx.payments.capture(order.paymentIntentId);
      if (!result.ok) {
        if (result.code === 'payment_state_conflict') {
          throw invalidTransition(
            'capture the payment of',
            order.status,
            order.paymentStatus,
            result.message,
          );
        }
        throw paymentFailed('capture the payment', result.message);
      }
      const captured = result.intent.amountCaptured;
      const updated = await db.transaction(async (trx) => {
        const current = await mustLoad(orderId, trx);
        if (current.paymentStatus !== 'authorized') return current; // a concurrent capture got here first
        await setPayment(trx, orderId, { payment_status: 'captured', captured_total: captured });
        const after = await mustLoad(orderId, trx);
        await recordChange(trx, ctx.clock, after, {
          kind: 'captured',
          message: `Captured ${formatAmount(captured, after.currencyCode)}`,
          actor,
          data: { amount: captured },
          event: { type: ordersEvents.captured, payload: { amount: captured } },
        });
        return after;
      });
      ctx.nudge();
      return publicOrder(updated);
    },

    async cancel(orderId, reason, actor) {
      const order = await mustLoad(orderId);
      if (!canMoveStatus(order.status, 'canceled')) {
        throw invalidTransition(
          'cancel',
          order.status,
          order.paymentStatus,
          order.status === 'partially_fulfilled' ? 'some units have shipped; refund instead' : undefined,
        );
      }
      // The money first: if the provider fails, nothing changes and staff can try again.
      let paymentStatus: PaymentStatus = order.paymentStatus;
      let refundedTotal = order.refundedTotal;
      if (order.paymentIntentId && order.paymentStatus === 'authorized') {
        const r = await ctx.payments.cancel(order.paymentIntentId);
        if (!r.ok) throw paymentFailed('void the authorization', r.message);
        paymentStatus = 'voided';
      } else if (
        order.paymentIntentId &&
        (order.paymentStatus === 'captured' || order.paymentStatus === 'partially_refunded')
      ) {
        const left = order.capturedTotal - order.refundedTotal;
        if (left > 0) {
          const r = await ctx.payments.refund(order.paymentIntentId, left, `order-cancel:${order.id}`);
          if (!r.ok) throw paymentFailed('refund the payment', r.message);
        }
        paymentStatus = 'refunded';
        refundedTotal = order.capturedTotal;
      }
      const { updated, restock } = await db.transaction(async (trx) => {
        const current = await mustLoad(orderId, trx);
        if (!canMoveStatus(current.status, 'canceled')) {
          throw invalidTransition('cancel', current.status, current.paymentStatus);
        }
        const now = ctx.clock.now();
        await trx
          .updateTable('orders.orders')
          .set((eb) => ({
            status: 'canceled',
            payment_status: paymentStatus,
            refunded_total: refundedTotal,
            canceled_at: now,
            cancel_reason: reason,
            updated_at: now,
            version: eb('version', '+', 1),
          }))
          .where('id', '=', orderId)
          .execute();
        await trx
          .updateTable('orders.order_lines')
          .set((eb) => ({ canceled_quantity: eb('quantity', '-', eb.ref('fulfilled_quantity')) }))
          .where('order_id', '=', orderId)
          .execute();
        const after = await mustLoad(orderId, trx);
        await recordChange(trx, ctx.clock, after, {
          kind: 'canceled',
          message: `Canceled: ${reason}`,
          actor,
          data: { paymentStatus },
          event: { type: ordersEvents.canceled, payload: { reason } },
        });
        // A placed order's stock was committed (sold) by checkout: give back what did not ship.
        const units =
          current.status === 'placed'
            ? current.lines
                .map((l) => ({
                  variantId: l.variantId,
                  quantity: l.quantity - l.fulfilledQuantity - l.canceledQuantity,
                }))
                .filter((l) => l.quantity > 0)
            : [];
        return { updated: after, restock: units };
      });
      ctx.nudge();
      for (const line of restock) {
        await ctx.inventory.adjust(line.variantId, line.quantity, { reason: 'order canceled', actor });
      }
      return publicOrder(updated);
    },

    async fulfil(orderId, input, actor) {
      const fulfillmentId = newId('ful');
      const shipmentLines = await db.transaction(async (trx) => {
        const order = await mustLoad(orderId, trx);
        if (order.status !== 'placed' && order.status !== 'partially_fulfilled') {
          throw invalidTransition('fulfil', order.status, order.paymentStatus);
        }
        const byId = new Map(order.lines.map((l) => [l.id, l]));
        const asked = new Map<string, number>();
        for (const l of input.lines) asked.set(l.lineId, (asked.get(l.lineId) ?? 0) + l.quantity);
        const out: Array<{ lineId: string; variantId: string; quantity: number }> = [];
        for (const [lineId, quantity] of asked) {
          const line = byId.get(lineId);
          const left = line ? line.quantity - line.fulfilledQuantity - line.canceledQuantity : 0;
          if (!line || quantity > left) {
            throw new AppError(
              'fulfillment_exceeds_remaining',
              409,
              line
                ? `Line "${line.title}" has ${left} unit(s) left to ship; ${quantity} asked.`
                : `Line ${lineId} is not on order #${order.number}.`,
              { extensions: { line_id: lineId, remaining: left } },
            );
          }
          await trx
            .updateTable('orders.order_lines')
            .set((eb) => ({ fulfilled_quantity: eb('fulfilled_quantity', '+', quantity) }))
            .where('id', '=', lineId)
            .execute();
          out.push({ lineId, variantId: line.variantId, quantity });
        }
        await trx
          .insertInto('orders.fulfillments')
          .values({
            id: fulfillmentId,
            order_id: orderId,
            shipment_id: null,
            carrier: input.carrier,
            tracking_number: input.trackingNumber,
            lines: jsonb(out),
            created_at: ctx.clock.now(),
          })
          .execute();
        const after = await mustLoad(orderId, trx);
        const status = statusAfterFulfilment(after.lines);
        await trx
          .updateTable('orders.orders')
          .set((eb) => ({ status, updated_at: ctx.clock.now(), version: eb('version', '+', 1) }))
          .where('id', '=', orderId)
          .execute();
        return out;
      });

      let shipmentId: string;
      try {
        const result = await ctx.shipping.createShipment({
          order_id: orderId,
          carrier: input.carrier,
          tracking_number: input.trackingNumber,
          tracking_url: input.trackingUrl ?? null,
          lines: shipmentLines.map((l) => ({
            line_id: l.lineId,
            variant_id: l.variantId,
            quantity: l.quantity,
          })),
          idempotency_key: fulfillmentId,
        });
        if (!result.ok)
          throw new AppError('shipment_rejected', 422, `The shipment was rejected: ${result.message}`);
        shipmentId = result.shipment.id;
      } catch (err) {
        await undoFulfilment(orderId, fulfillmentId, shipmentLines);
        throw err;
      }

      const updated = await db.transaction(async (trx) => {
        await trx
          .updateTable('orders.fulfillments')
          .set({ shipment_id: shipmentId })
          .where('id', '=', fulfillmentId)
          .execute();
        const after = await mustLoad(orderId, trx);
        const units = shipmentLines.reduce((n, l) => n + l.quantity, 0);
        await recordChange(trx, ctx.clock, after, {
          kind: 'fulfillment_created',
          message: `Shipped ${units} unit(s) with ${input.carrier}${input.trackingNumber ? ` (${input.trackingNumber})` : ''}`,
          actor,
          data: { fulfillmentId, shipmentId, lines: shipmentLines },
          event: {
            type: ordersEvents.fulfilled,
            payload: {
              fulfillmentId,
              shipmentId,
              lines: shipmentLines,
              carrier: input.carrier,
              trackingNumber: input.trackingNumber,
            },
          },
        });
        return after;
      });
      ctx.nudge();
      return { order: publicOrder(updated), fulfillmentId, shipmentId };
    },

    async refund(orderId, amount, reason, actor) {
      const refundId = newId('oref');
      const key = `order-refund:${refundId}`;
      // Reserve the amount on the order first (never more than captured, under the row lock),
      // then ask the provider; give the reservation back if it fails.
      const order = await db.transaction(async (trx) => {
        const current = await mustLoad(orderId, trx);
        if (current.paymentStatus !== 'captured' && current.paymentStatus !== 'partially_refunded') {
          throw invalidTransition(
            'refund',
            current.status,
            current.paymentStatus,
            'only captured money can be refunded',
          );
        }
        const refundable = current.capturedTotal - current.refundedTotal;
        if (amount > refundable) {
          throw new AppError(
            'refund_exceeds_captured',
            409,
            `At most ${formatAmount(refundable, current.currencyCode)} can still be refunded on order #${current.number}.`,
            { extensions: { refundable: { amount: refundable, currency_code: current.currencyCode } } },
          );
        }
        const refunded = current.refundedTotal + amount;
        await setPayment(trx, orderId, {
          refunded_total: refunded,
          payment_status: paymentStatusAfterRefund(current.capturedTotal, refunded),
        });
        await trx
          .insertInto('orders.refunds')
          .values({
            id: refundId,
            order_id: orderId,
            amount,
            reason,
            payment_refund_key: key,
            actor,
            created_at: ctx.clock.now(),
          })
          .execute();
        return current;
      });
      const intentId = order.paymentIntentId;
      let failure: AppError | null = intentId ? null : paymentFailed('refund', 'the order has no payment');
      if (intentId) {
        try {
          const r = await ctx.payments.refund(intentId, amount, key);
          if (!r.ok) failure = paymentFailed('refund the payment', r.message);
        } catch (err) {
          failure = err instanceof AppError ? err : paymentFailed('refund the payment');
        }
      }
      if (failure) {
        await db.transaction(async (trx) => {
          const current = await mustLoad(orderId, trx);
          const refunded = current.refundedTotal - amount;
          await setPayment(trx, orderId, {
            refunded_total: refunded,
            payment_status:
              refunded === 0 ? 'captured' : paymentStatusAfterRefund(current.capturedTotal, refunded),
          });
          await trx.deleteFrom('orders.refunds').where('id', '=', refundId).execute();
        });
        throw failure;
      }
      const updated = await db.transaction(async (trx) => {
        const after = await mustLoad(orderId, trx);
        await recordChange(trx, ctx.clock, after, {
          kind: 'refunded',
          message: `Refunded ${formatAmount(amount, after.currencyCode)}: ${reason}`,
          actor,
          data: { refundId, amount, reason },
          event: { type: ordersEvents.refunded, payload: { refundId, amount, reason } },
        });
        return after;
      });
      ctx.nudge();
      return { order: publicOrder(updated), refundId };
    },

    async complete(orderId, actor) {
      const updated = await db.transaction(async (trx) => {
        const current = await mustLoad(orderId, trx);
        if (!canMoveStatus(current.status, 'completed')) {
          throw invalidTransition(
            'complete',
            current.status,
            current.paymentStatus,
            'only a fulfilled order can be completed',
          );
        }
        await trx
          .updateTable('orders.orders')
          .set((eb) => ({ status: 'completed', updated_at: ctx.clock.now(), version: eb('version', '+', 1) }))
          .where('id', '=', orderId)
          .execute();
        const after = await mustLoad(orderId, trx);
        await recordChange(trx, ctx.clock, after, {
          kind: 'completed',
          message: 'Completed',
          actor,
          event: { type: ordersEvents.completed },
        });
        return after;
      });
      ctx.nudge();
      return publicOrder(updated);
    },
  };

  async function undoFulfilment(
    orderId: string,
    fulfillmentId: string,
    lines: ReadonlyArray<{ lineId: string; quantity: number }>,
  ): Promise<void> {
    await db.transaction(async (trx) => {
      await mustLoad(orderId, trx);
      for (const l of lines) {
        await trx
          .updateTable('orders.order_lines')
          .set((eb) => ({ fulfilled_quantity: eb('fulfilled_quantity', '-', l.quantity) }))
          .where('id', '=', l.lineId)
          .execute();
      }
      await trx.deleteFrom('orders.fulfillments').where('id', '=', fulfillmentId).execute();
      const after = await mustLoad(orderId, trx);
      const anyShipped = after.lines.some((l) => l.fulfilledQuantity > 0);
      await trx
        .updateTable('orders.orders')
        .set({
          status: anyShipped ? statusAfterFulfilment(after.lines) : 'placed',
          updated_at: ctx.clock.now(),
        })
        .where('id', '=', orderId)
        .execute();
    });
  }
}
