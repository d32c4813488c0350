import type { AnyTransaction } from '@emporium/platform';
import type { Order, OrderAddress, OrderShippingMethod } from './order.ts';

/** A line checkout copies from the cart into the order (prices as the cart computed them). */
export interface NewOrderLine {
  variantId: string;
  productId?: string | null;
  sku?: string | null;
  title: string;
  variantTitle?: string | null;
  /** A positive integer. */
  quantity: number;
  /** Minor units, ≥ 0. */
  unitPrice: number;
  /** Minor units; default `unitPrice × quantity`. */
  total?: number;
}

/**
 * What checkout hands `createPending`. Totals are the cart's, in integer minor units; the order
 * stores them as given (they must add up: subtotal = Σ line totals, and
 * total = subtotal + shippingTotal + taxTotal − discountTotal, else a 422 `validation_failed`).
 */
export interface CreatePendingOrderInput {
  email: string;
  customerId?: string | null;
  cartId?: string | null;
  /** ISO 4217, lower-case. */
  currencyCode: string;
  /** At least one line. */
  lines: readonly NewOrderLine[];
  shippingAddress?: OrderAddress | null;
  billingAddress?: OrderAddress | null;
  shippingMethod?: OrderShippingMethod | null;
  subtotal: number;
  shippingTotal: number;
  taxTotal: number;
  discountTotal?: number;
  total: number;
  /** The inventory hold made for these lines (`res_…`), kept for reference. */
  reservationId?: string | null;
}

/** `createPending`'s answer: the order, and its secret — shown to the shopper this once only. */
export interface CreatedOrder {
  order: Order;
  /**
   * Unguessable bearer secret for `GET /store/orders/{id}` (the guest's access to their order).
   * Only its hash is stored: it cannot be shown again.
   */
  orderSecret: string;
}

/**
 * The outcome of a state change the caller may legitimately race or repeat.
 * `order_not_found`: no such order. `invalid_order_transition`: the order is not in a state
 * that allows it (`status` says where it is).
 */
export type OrderChangeResult =
  | { ok: true; order: Order }
  | { ok: false; code: 'order_not_found' }
  | { ok: false; code: 'invalid_order_transition'; status: Order['status']; detail: string };

export type { AnyTransaction };

/**
 * The orders module's service, used by checkout (and later customer accounts).
 *
 * Checkout's flow: `createPending` (before authorizing the payment) → on success `markPlaced`
 * (writes `orders.order.placed.v1` in the same transaction) → on failure `cancelPending`.
 * Each takes an optional transaction so checkout can make the order change atomic with its own
 * saga step; without one the service opens its own.
 *
 * @example
 * const { order, orderSecret } = await orders.createPending({ email, currencyCode: 'usd', lines, … });
 * const auth = await payments.authorize(…);
 * if (auth.ok) await orders.markPlaced(order.id, auth.intentId);
 * else await orders.cancelPending(order.id, 'payment declined');
 */
export interface OrdersService {
  /**
   * Creates an order in `pending` with the next order number, lines and totals copied as given,
   * and writes `orders.order.created.v1`. Throws a 422 `validation_failed` AppError for input
   * that breaks the rules above (a caller's bug).
   */
  createPending(input: CreatePendingOrderInput, trx?: AnyTransaction): Promise<CreatedOrder>;
  /**
   * `createPending` for several orders at once, in the same statements whatever their number (a
   * caller batching concurrent checkouts): the orders in the inputs' order, each with its secret.
   * One invalid input refuses them all (a caller's bug).
   */
  createPendingMany(
    inputs: readonly CreatePendingOrderInput[],
    trx?: AnyTransaction,
  ): Promise<CreatedOrder[]>;
  /**
   * pending → placed, payment status `authorized` (or `captured` when `options.captured`), with the
   * payment intent id; writes `orders.order.placed.v1` in the same transaction. Idempotent: a
   * placed order with the same intent answers ok again and writes nothing.
   */
  markPlaced(
    orderId: string,
    paymentIntentId: string,
    options?: { captured?: boolean },
    trx?: AnyTransaction,
  ): Promise<OrderChangeResult>;
  /**
   * `markPlaced` for several orders at once, in the same statements whatever their number (a
   * caller batching concurrent checkouts): each order gets its own outcome, by id, and its own
   * `orders.order.placed.v1`. An order that cannot be placed does not stop the others.
   */
  markPlacedMany(
    placings: readonly { orderId: string; paymentIntentId: string }[],
    options?: { captured?: boolean },
    trx?: AnyTransaction,
  ): Promise<ReadonlyMap<string, OrderChangeResult>>;
  /**
   * pending → canceled (checkout's compensation: payment failed, stock gone). Writes
   * `orders.order.canceled.v1`. Idempotent on a canceled order. A placed order is not touched
   * (`invalid_order_transition`): staff cancel those through the admin API.
   */
  cancelPending(orderId: string, reason: string, trx?: AnyTransaction): Promise<OrderChangeResult>;
  /** The order, or null. */
  get(orderId: string): Promise<Order | null>;
  /** A customer's orders, newest first (for `GET /store/customers/me/orders`). */
  listForCustomer(
    customerId: string,
    options?: { limit?: number; cursor?: string },
  ): Promise<{
    data: Order[];
    nextCursor: string | null;
  }>;
}
