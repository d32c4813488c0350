import type { Clock, Database } from '@emporium/platform';
import type { ShippingTables } from './db/tables.ts';
import type { OptionsCache } from './rates/options-cache.ts';

/** What the shipping module's operations share. */
export interface ShippingContext {
  readonly db: Database<ShippingTables>;
  readonly clock: Clock;
  /** Called after a commit that wrote events (EventBus.nudge). */
  readonly nudge: () => void;
  /** The options shipping to each country; invalidated by every write of zones and options. */
  readonly options: OptionsCache;
}
