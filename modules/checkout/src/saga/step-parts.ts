import type { Logger } from '@emporium/platform';
import type { CheckoutDeps } from '../ports.ts';
import type { SagaStore } from './saga-store.ts';

/** What a batched step works with. */
export interface StepParts {
  store: SagaStore;
  deps: CheckoutDeps;
  logger: Logger;
  /** Wakes the event relay once a batch committed its events. */
  nudge: () => void;
}
