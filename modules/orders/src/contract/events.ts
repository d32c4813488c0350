/** Events the orders module writes to the outbox in the same transaction as the change. Key: the order id. */
export const ordersEvents = {
  /** A pending order was created by checkout. Payload: {@link OrderEventBase}. */
  created: 'orders.order.created.v1',
  /** Payment authorized, the order is confirmed. Payload: {@link OrderPlaced} (what a confirmation email needs). */
  placed: 'orders.order.placed.v1',
  /** Canceled (checkout compensation or staff). Payload: {@link OrderEventBase} + `reason`. */
  canceled: 'orders.order.canceled.v1',
  /** Payment captured. Payload: {@link OrderEventBase} + `amount`. */
  captured: 'orders.order.captured.v1',
  /** Money given back. Payload: {@link OrderEventBase} + `amount`, `reason`, `refundId`. */
  refunded: 'orders.order.refunded.v1',
  /** Some lines shipped. Payload: {@link OrderEventBase} + `fulfillmentId`, `lines`, `carrier`, `trackingNumber`. */
  fulfilled: 'orders.order.fulfilled.v1',
  /** Fulfilled and closed by staff. Payload: {@link OrderEventBase}. */
  completed: 'orders.order.completed.v1',
} as const;

export type OrdersEventType = (typeof ordersEvents)[keyof typeof ordersEvents];

/** Every orders event carries at least this. */
export interface OrderEventBase {
  orderId: string;
  number: number;
  status: string;
  paymentStatus: string;
}

/**
 * Payload of `orders.order.placed.v1`: enough for a confirmation email or a webhook without
 * calling back. Amounts are integer minor units of `currencyCode`. Never card data.
 *
 * @example
 * { orderId: 'order_01j…', number: 1001, status: 'placed', paymentStatus: 'authorized',
 *   email: 'ada@example.com', customerId: null, currencyCode: 'usd',
 *   lines: [{ title: 'Linen shirt', variantTitle: 'M', sku: 'LS-M', quantity: 2, unitPrice: 2500, total: 5000 }],
 *   subtotal: 5000, shippingTotal: 500, taxTotal: 0, discountTotal: 0, total: 5500,
 *   shippingAddress: { firstName: 'Ada', … } }
 */
export interface OrderPlaced extends OrderEventBase {
  email: string;
  customerId: string | null;
  currencyCode: string;
  lines: Array<{
    title: string;
    variantTitle: string | null;
    sku: string | null;
    quantity: number;
    unitPrice: number;
    total: number;
  }>;
  subtotal: number;
  shippingTotal: number;
  taxTotal: number;
  discountTotal: number;
  total: number;
  shippingAddress: {
    firstName: string;
    lastName: string;
    line1: string;
    line2?: string | null;
    city: string;
    postalCode: string;
    region?: string | null;
    countryCode: string;
  } | null;
  shippingMethodName: string | null;
  placedAt: string;
}
