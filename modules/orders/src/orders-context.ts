import type { InventoryService } from '@emporium/inventory/contract';
import type { PaymentsService } from '@emporium/payments/contract';
import type { Clock, Database } from '@emporium/platform';
import type { ShippingService } from '@emporium/shipping/contract';
import type { OrdersTables } from './db/tables.ts';

/** The services of other modules the orders module calls (through their contracts only). */
export interface OrdersDeps {
  payments: PaymentsService;
  shipping: ShippingService;
  inventory: InventoryService;
}

export interface OrdersContext extends OrdersDeps {
  db: Database<OrdersTables>;
  clock: Clock;
  /** Prompt delivery of events just committed (the relay's polling finds them anyway). */
  nudge: () => void;
}
