import type { Clock, Database, Logger } from '@emporium/platform';
import type { Acquirer } from './acquirer/acquirer.ts';
import type { CvcStore } from './cards/cvc-store.ts';
import type { VaultTables } from './db/tables.ts';
import type { KeyRing } from './keys/key-ring.ts';

/** What the vault's operations share. */
export interface VaultContext {
  readonly db: Database<VaultTables>;
  readonly clock: Clock;
  readonly keys: KeyRing;
  readonly cvcs: CvcStore;
  readonly acquirer: Acquirer;
  readonly logger: Logger;
  /** How long an unsaved token can be used. */
  readonly tokenTtlMs: number;
  /** Called after a commit that wrote events. */
  readonly nudge: () => void;
}
