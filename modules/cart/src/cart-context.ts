import type { CatalogService } from '@emporium/catalog/contract';
import type { InventoryService } from '@emporium/inventory/contract';
import type { Clock, Database } from '@emporium/platform';
import type { ShippingService } from '@emporium/shipping/contract';
import type { CartTables } from './db/tables.ts';

/** What the cart's operations share. */
export interface CartContext {
  readonly db: Database<CartTables>;
  readonly clock: Clock;
  /** Called after a commit that wrote events (EventBus.nudge). */
  readonly nudge: () => void;
  readonly catalog: CatalogService;
  readonly inventory: InventoryService;
  readonly shipping: ShippingService;
  /** How long stock stays held for a cart after its last line change. */
  readonly reservationTtlMs: number;
  /** The currency of a cart created without one. */
  readonly defaultCurrency: string;
  /** Lines a cart may hold. */
  readonly maxLines: number;
}
