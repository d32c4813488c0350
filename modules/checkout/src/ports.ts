import type { CartService } from '@emporium/cart/contract';
import type { InventoryService } from '@emporium/inventory/contract';
import type { OrdersService } from '@emporium/orders/contract';
import type { PaymentsService } from '@emporium/payments/contract';

/**
 * The services the saga drives. Those whose change a step stands for take the saga's transaction
 * (orders' pending order and placing, payments' intent, inventory's sale, the cart's completion),
 * so the change and the step that records it commit together (same database). The cart's hold
 * and the authorization are asked for on their own: the cart's current hold and the same
 * idempotency key find them again after a crash.
 */
export interface CheckoutDeps {
  carts: CartService;
  inventory: InventoryService;
  payments: PaymentsService;
  orders: OrdersService;
}
