import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Order, OrderTimelineEntry } from '../contract/index.ts';
import type { OrderLinesTable, OrdersTable, OrdersTables } from './tables.ts';

export type Executor = Kysely<OrdersTables> | Transaction<OrdersTables>;

export type OrderRow = Selectable<OrdersTable>;
type LineRow = Selectable<OrderLinesTable>;

export function toOrder(row: OrderRow, lines: readonly LineRow[]): Order {
  return {
    id: row.id,
    number: Number(row.number),
    status: row.status,
    paymentStatus: row.payment_status,
    email: row.email,
    customerId: row.customer_id,
    cartId: row.cart_id,
    currencyCode: row.currency_code,
    lines: lines.map((l) => ({
      id: l.id,
      variantId: l.variant_id,
      productId: l.product_id,
      sku: l.sku,
      title: l.title,
      variantTitle: l.variant_title,
      quantity: l.quantity,
      unitPrice: Number(l.unit_price),
      total: Number(l.total),
      fulfilledQuantity: l.fulfilled_quantity,
      canceledQuantity: l.canceled_quantity,
    })),
    shippingAddress: row.shipping_address,
    billingAddress: row.billing_address,
    shippingMethod: row.shipping_method,
    subtotal: Number(row.subtotal),
    shippingTotal: Number(row.shipping_total),
    taxTotal: Number(row.tax_total),
    discountTotal: Number(row.discount_total),
    total: Number(row.total),
    capturedTotal: Number(row.captured_total),
    refundedTotal: Number(row.refunded_total),
    paymentIntentId: row.payment_intent_id,
    reservationId: row.reservation_id,
    createdAt: row.created_at,
    placedAt: row.placed_at,
    canceledAt: row.canceled_at,
    cancelReason: row.cancel_reason,
  };
}

/** The order with its lines, or null; `forUpdate` locks the order row for the transaction. */
export async function loadOrder(
  db: Executor,
  id: string,
  forUpdate = false,
): Promise<(Order & { secretHash: string; version: number }) | null> {
  let q = db.selectFrom('orders.orders').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) return null;
  const lines = await db
    .selectFrom('orders.order_lines')
    .selectAll()
    .where('order_id', '=', id)
    .orderBy('position')
    .execute();
  return {
    ...toOrder(row, lines),
    secretHash: row.secret_hash,
    version: row.version,
  };
}

/** Many orders with their lines, in the order of `rows`. */
export async function withLines(db: Executor, rows: readonly OrderRow[]): Promise<Order[]> {
  if (rows.length === 0) return [];
  const lines = await db
    .selectFrom('orders.order_lines')
    .selectAll()
    .where(
      'order_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('order_id')
    .orderBy('position')
    .execute();
  const byOrder = new Map<string, LineRow[]>();
  for (const l of lines) {
    const list = byOrder.get(l.order_id) ?? [];
    list.push(l);
    byOrder.set(l.order_id, list);
  }
  return rows.map((r) => toOrder(r, byOrder.get(r.id) ?? []));
}

export async function loadTimeline(db: Executor, orderId: string): Promise<OrderTimelineEntry[]> {
  const rows = await db
    .selectFrom('orders.order_events')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    message: r.message,
    actor: r.actor,
    data: r.data,
    at: r.at,
  }));
}
