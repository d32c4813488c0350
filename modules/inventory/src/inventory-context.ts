import type { Clock, Database } from '@emporium/platform';
import type { InventoryTables } from './db/tables.ts';

/** What the inventory's operations share. */
export interface InventoryContext {
  readonly db: Database<InventoryTables>;
  readonly clock: Clock;
  /** Called after a commit that wrote events, for prompt delivery (EventBus.nudge). */
  readonly nudge: () => void;
  /** How long a hold lasts when `reserve` is not told. */
  readonly reservationTtlMs: number;
  readonly metrics: InventoryMetrics;
}

/** Counters the module reports; no-ops where nobody collects them. */
export interface InventoryMetrics {
  reservation(outcome: 'held' | 'out_of_stock'): void;
  expired(reservations: number): void;
}

export const noMetrics: InventoryMetrics = { reservation: () => {}, expired: () => {} };
