import type { CatalogService } from '@emporium/catalog/contract';
import type { InventoryService } from '@emporium/inventory/contract';
import type { Clock, Database } from '@emporium/platform';
import type { ShippingService } from '@emporium/shipping/contract';
import type { LRUCache } from 'lru-cache';
import type { CartTables } from './db/tables.ts';
import type { CartRecord } from './service/cart-rows.ts';
import type { TaxRates } from './tax/tax-rates.ts';

/** What the cart's operations share. */
export interface CartContext {
  readonly db: Database<CartTables>;
  /** One cart with its lines from the primary, or undefined; reads asked for together share a statement. */
  readonly readCart: (id: string) => Promise<CartRecord | undefined>;
  readonly clock: Clock;
  /** Called after a commit that wrote events (EventBus.nudge). */
  readonly nudge: () => void;
  readonly catalog: CatalogService;
  readonly inventory: InventoryService;
  readonly shipping: ShippingService;
  /**
   * Carts' secret hashes by cart id, for the ownership check every cart request makes. A hash never
   * changes once its cart is made, so a remembered one is never stale and needs no invalidation;
   * held in this process (each instance its own), bounded, the least recently used forgotten.
   */
  readonly secretHashes: LRUCache<string, string>;
  /** Destinations' tax rates (cached; invalidated by the admin API's writes). */
  readonly taxRates: TaxRates;
  /** How long stock stays held for a cart after its last line change. */
  readonly reservationTtlMs: number;
  /** The currency of a cart created without one. */
  readonly defaultCurrency: string;
  /** Lines a cart may hold. */
  readonly maxLines: number;
}
