import type { Clock, Database, Logger } from '@emporium/platform';
import type { CustomerOrdersPort, IdentityNotifier } from './contract/index.ts';
import type { FieldCrypto } from './crypto/field-crypto.ts';

/** What the identity module's parts share; `crypto` needs the data key, loaded at start. */
export interface IdentityContext {
  readonly db: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly notifier: IdentityNotifier;
  readonly orders: CustomerOrdersPort | undefined;
  /** Where the shop's pages live (links in emails): the issuer's origin. */
  readonly publicOrigin: string;
  /** Available once the keys are loaded (`ready()` of the module). */
  crypto(): FieldCrypto;
}
