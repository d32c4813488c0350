import type { CartService, CheckoutCart } from '@emporium/cart/contract';
import type { InventoryService } from '@emporium/inventory/contract';
import type { PaymentsService } from '@emporium/payments/contract';
import type { Money } from '@emporium/platform';

/** The order as checkout answers it to the shopper (`{ order: { id, number, status, total, … } }`). */
export interface CheckoutOrder {
  id: string;
  number: string | number;
  status: string;
  total: Money;
  [field: string]: unknown;
}

/**
 * What checkout needs from the orders module. Every call is idempotent, because the saga repeats
 * a step whose outcome a crash hid.
 */
export interface OrdersPort {
  /**
   * Creates the pending order for a checkout (idempotent by `checkoutId`: a second call answers
   * the first order and its secret).
   */
  createPending(checkoutId: string, cart: CheckoutCart): Promise<{ order: CheckoutOrder; secret: string }>;
  /** The pending order a checkout created, if it got that far. */
  findByCheckout(checkoutId: string): Promise<CheckoutOrder | undefined>;
  /** Pending → placed (writes `order.placed` in the same transaction). Idempotent. */
  markPlaced(orderId: string, payment: { paymentId: string }): Promise<CheckoutOrder>;
  /** Pending → cancelled. Idempotent; a placed order is left alone. */
  cancelPending(orderId: string, reason: string): Promise<void>;
}

/** The services the saga drives, one per step. */
export interface CheckoutDeps {
  carts: CartService;
  inventory: InventoryService;
  payments: PaymentsService;
  orders: OrdersPort;
}
