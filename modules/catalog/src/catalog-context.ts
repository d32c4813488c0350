import type { InventoryService } from '@emporium/inventory/contract';
import type { Cache, Clock, Database, EventBus, Logger } from '@emporium/platform';
import type { CatalogTables } from './db/tables.ts';

/** What the catalog's internals run on: the ports it uses and the services it depends on. */
export interface CatalogContext {
  readonly db: Database<CatalogTables>;
  readonly cache: Cache;
  readonly clock: Clock;
  /** Only `nudge`: the catalog writes events with `writeEvents` and wakes the relay after commit. */
  readonly bus: Pick<EventBus, 'nudge'>;
  readonly logger: Pick<Logger, 'warn'>;
  /** Only `available`: the store shows whether a variant can be bought now. */
  readonly inventory: Pick<InventoryService, 'available'>;
  /** Currency of the store's `price` when a request names none (lower-case ISO 4217). */
  readonly defaultCurrency: string;
  /** How long the store reuses a product's availability, in ms; 0 asks the inventory every time. */
  readonly availabilityTtlMs: number;
}
