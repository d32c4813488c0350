/**
 * Where an order is in its life. Legal moves (anything else is rejected with 409
 * `invalid_order_transition`):
 *
 * ```
 * pending ──► placed ──► partially_fulfilled ──► fulfilled ──► completed
 *    │          │               │
 *    └──────────┴───────────────┴──► canceled   (pending: checkout gave up; placed/partially
 *                                                fulfilled: staff cancel — unfulfilled units only)
 * ```
 * `pending` orders exist only during checkout (created before payment is authorized).
 */
export type OrderStatus =
  | 'pending'
  | 'placed'
  | 'partially_fulfilled'
  | 'fulfilled'
  | 'completed'
  | 'canceled';

/**
 * Where the order's money is. `not_paid`: no authorization yet (pending); `authorized`: held on the
 * card; `captured`: taken; `partially_refunded` / `refunded`: some / all of the captured amount
 * given back; `voided`: the authorization was canceled before capture.
 */
export type PaymentStatus =
  | 'not_paid'
  | 'authorized'
  | 'captured'
  | 'partially_refunded'
  | 'refunded'
  | 'voided';

/** A postal address as the order keeps it (copied from the cart at checkout; never re-read). */
export interface OrderAddress {
  firstName: string;
  lastName: string;
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  region?: string | null;
  /** ISO 3166-1 alpha-2, lower-case: `us`, `de`. */
  countryCode: string;
  phone?: string | null;
}

/**
 * One line as sold: titles and prices are copied from the cart at checkout and never recomputed,
 * whatever happens to the catalog later. Amounts are integer minor units of the order's currency.
 */
export interface OrderLine {
  /** `oline_…` */
  id: string;
  variantId: string;
  productId: string | null;
  sku: string | null;
  /** The product title at the time of sale, e.g. `Linen shirt`. */
  title: string;
  /** The variant title at the time of sale, e.g. `M / Blue`; null when the product has one variant. */
  variantTitle: string | null;
  quantity: number;
  /** Price of one unit, minor units. */
  unitPrice: number;
  /** `unitPrice × quantity` (less any line discount), minor units. */
  total: number;
  /** Units already shipped (0 … quantity). */
  fulfilledQuantity: number;
  /** Units given back to stock by a cancellation. */
  canceledQuantity: number;
}

/** The shipping option chosen at checkout, copied as it was quoted. */
export interface OrderShippingMethod {
  /** The shipping module's option id. */
  optionId: string;
  name: string;
  /** Minor units. */
  amount: number;
}

/** An order, as the service returns it. Every amount is integer minor units of `currencyCode`. */
export interface Order {
  /** `order_…` */
  id: string;
  /** Human, sequential order number shown to shoppers and staff: 1001, 1002, … */
  number: number;
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  email: string;
  /** `cus_…` when a signed-in customer placed the order; null for a guest. */
  customerId: string | null;
  /** The cart the order was made from, if any. */
  cartId: string | null;
  /** ISO 4217, lower-case. */
  currencyCode: string;
  lines: OrderLine[];
  shippingAddress: OrderAddress | null;
  billingAddress: OrderAddress | null;
  shippingMethod: OrderShippingMethod | null;
  subtotal: number;
  shippingTotal: number;
  taxTotal: number;
  discountTotal: number;
  total: number;
  /** Amount captured so far (0 until capture). */
  capturedTotal: number;
  /** Amount refunded so far; never more than `capturedTotal`. */
  refundedTotal: number;
  /** The payments module's intent (`pay_…`), once checkout has authorized. */
  paymentIntentId: string | null;
  /** The inventory hold checkout made for the order (`res_…`), if any. */
  reservationId: string | null;
  createdAt: Date;
  placedAt: Date | null;
  canceledAt: Date | null;
  cancelReason: string | null;
}

/** One entry of an order's timeline (admin `GET /admin/orders/{id}`), oldest first. */
export interface OrderTimelineEntry {
  /** `oevt_…` */
  id: string;
  /** e.g. `created`, `placed`, `captured`, `fulfillment_created`, `refunded`, `canceled`. */
  kind: string;
  /** Short human sentence, e.g. `Refunded 12.00 USD: damaged item`. */
  message: string;
  /** Staff subject, `checkout`, or `system`. */
  actor: string;
  data: Record<string, unknown>;
  at: Date;
}
