import type { CartService } from '@emporium/cart/contract';
import type { InventoryService } from '@emporium/inventory/contract';
import type { OrdersService } from '@emporium/orders/contract';
import type { PaymentsService } from '@emporium/payments/contract';

/**
 * The services the saga drives, one per step. The orders service takes the saga's transaction,
 * so an order change and the step that records it commit together (same database); the others
 * are called on their own and their effect is recorded right after they answer.
 */
export interface CheckoutDeps {
  carts: CartService;
  inventory: InventoryService;
  payments: PaymentsService;
  orders: OrdersService;
}
