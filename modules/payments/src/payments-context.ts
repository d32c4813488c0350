import type { Clock, Database } from '@emporium/platform';
import type { PaymentProvider } from './contract/index.ts';
import type { PaymentsTables } from './db/tables.ts';
import type { RetryPolicy } from './service/retry.ts';

/** What payments' operations share. */
export interface PaymentsContext {
  readonly db: Database<PaymentsTables>;
  readonly clock: Clock;
  /** Tried in order; the first that accepts a token handles its payment. */
  readonly providers: readonly PaymentProvider[];
  readonly retry: RetryPolicy;
  /** Called after a commit that wrote events. */
  readonly nudge: () => void;
}
