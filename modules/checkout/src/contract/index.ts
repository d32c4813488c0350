/**
 * The checkout module has no service other modules call: shoppers use
 * `POST /store/carts/{id}/checkout`, and the orders it places reach others as the orders
 * module's `order.placed` event. What it exposes is the list of steps a saga records.
 */
export type CheckoutSagaStep =
  | 'started'
  | 'reserved'
  | 'order_created'
  | 'authorizing'
  | 'authorized'
  | 'stock_committed'
  | 'placed'
  | 'done'
  | 'payment_voided'
  | 'order_cancelled'
  | 'released';
