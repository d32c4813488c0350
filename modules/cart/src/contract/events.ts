/** Events the cart module writes to the outbox in the same transaction as the change. */
export const cartEvents = {
  /** Checkout turned a cart into an order. Payload: {@link CartCompleted}. Keyed by cart id. */
  cartCompleted: 'cart.cart.completed.v1',
} as const;

/** Payload of `cart.cart.completed.v1`. */
export interface CartCompleted {
  cart_id: string;
  order_id: string;
  customer_id: string | null;
  completed_at: string;
}
