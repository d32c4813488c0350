import type { EmporiumModule, ModulePorts } from '@emporium/platform';
import type { VaultService } from '@emporium/vault/contract';
import type { PaymentProvider, PaymentsService } from './contract/index.ts';
import type { PaymentsTables } from './db/tables.ts';
import type { PaymentsContext } from './payments-context.ts';
import { createVaultProvider } from './providers/vault-provider.ts';
import { createPaymentsService } from './service/payments-service.ts';
import type { RetryPolicy } from './service/retry.ts';

export { paymentsErrorCodes } from './errors.ts';
export { paymentsMigrations } from './payments-migrations.ts';
export { createVaultProvider } from './providers/vault-provider.ts';
export type { RetryPolicy } from './service/retry.ts';

export interface PaymentsOptions {
  /** The card vault: the built-in provider forwards `tok_…` tokens through it. */
  vault?: VaultService;
  /** Further providers (hosted-fields providers), tried before the vault's. */
  providers?: readonly PaymentProvider[];
  /** Retries of transient provider failures. Default: 4 tries, 100 ms doubling, at most 2 s. */
  retry?: Partial<RetryPolicy>;
}

export type PaymentsModule = EmporiumModule & { service: PaymentsService };

/**
 * Payments: payment intents (authorize, capture, cancel, refund) behind the provider port; it sees
 * tokens only. Other modules get `service` (PaymentsService). Its migrations are `paymentsMigrations`.
 *
 * @example
 * const vault = createVaultModule(ports, settings);
 * const payments = createPaymentsModule(ports, { vault: vault.service });
 */
export function createPaymentsModule(ports: ModulePorts, options: PaymentsOptions = {}): PaymentsModule {
  const providers = [
    ...(options.providers ?? []),
    ...(options.vault ? [createVaultProvider(options.vault)] : []),
  ];
  if (providers.length === 0) throw new Error('payments needs the vault or at least one provider');
  const retry: RetryPolicy = { maxTries: 4, baseDelayMs: 100, maxDelayMs: 2_000, ...options.retry };
  if (!Number.isInteger(retry.maxTries) || retry.maxTries < 1 || retry.maxTries > 10) {
    throw new Error(`payments option retry.maxTries must be an integer from 1 to 10, got ${retry.maxTries}`);
  }
  const ctx: PaymentsContext = {
    db: ports.db.as<PaymentsTables>(),
    clock: ports.clock,
    providers,
    retry,
    nudge: () => ports.bus.nudge(),
  };
  return { name: 'payments', service: createPaymentsService(ctx) };
}
