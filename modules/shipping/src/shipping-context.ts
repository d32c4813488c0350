import type { Clock, Database } from '@emporium/platform';
import type { ShippingTables } from './db/tables.ts';

/** What the shipping module's operations share. */
export interface ShippingContext {
  readonly db: Database<ShippingTables>;
  readonly clock: Clock;
  /** Called after a commit that wrote events (EventBus.nudge). */
  readonly nudge: () => void;
}
