import { fileURLToPath } from 'node:url';
import type { EmporiumModule, MigrationSource, ModulePorts } from '@emporium/platform';
import type { CheckoutTables } from './db/tables.ts';
import { registerCheckoutRoute } from './http/checkout-route.ts';
import type { CheckoutDeps } from './ports.ts';
import { createAuthorizings } from './saga/authorizing-together.ts';
import { createCompletions } from './saga/complete-together.ts';
import { createRecoveryWorker, type RecoveryReport } from './saga/recovery-worker.ts';
import type { SagaContext } from './saga/run-saga.ts';
import { createSagaStore } from './saga/saga-store.ts';
import type { CheckoutSettings } from './settings.ts';

export { checkoutErrorCodes } from './errors.ts';
export type { CheckoutDeps } from './ports.ts';
export type { RecoveryReport } from './saga/recovery-worker.ts';
export { type CrashPoint, crashPoints } from './saga/run-saga.ts';
export { type CheckoutSettings, loadCheckoutSettings } from './settings.ts';

/** The checkout's tables in schema `checkout` (sagas and their step log). */
export const checkoutMigrations: MigrationSource = {
  module: 'checkout',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};

export interface CheckoutOptions extends Partial<CheckoutSettings> {
  /** How long the cart's stock hold is extended for a checkout. Default 10 minutes. */
  holdTtlMs?: number;
  /** How long a duplicate request (same key) waits for the first to finish. Default 10 s. */
  duplicateWaitMs?: number;
  /** Interrupted sagas recovered per batch. Default 50. */
  recoveryBatchSize?: number;
  /**
   * At most this many checkouts share a step's transaction (those reaching the step while the
   * previous batch runs: recording `authorizing`, completing). Default 32; 1 gives each checkout
   * transactions of its own.
   */
  batchSize?: number;
}

export type CheckoutModule = EmporiumModule & {
  /** One recovery pass now (tests, CLI): completes or undoes every saga whose lease lapsed. */
  recover(): Promise<RecoveryReport>;
};

/**
 * The checkout module: `POST /store/carts/{id}/checkout`, the saga behind it (hold stock → pending
 * order → authorize → commit stock, place order, complete cart; each step persisted with its
 * compensation) and the recovery worker (`start`/`stop`) that finishes or undoes checkouts a
 * crash left half-way.
 *
 * @example
 * const checkout = createCheckoutModule(ports, { carts: cart.service, inventory: inventory.service,
 *   payments: payments.service, orders: orders.service }, loadCheckoutSettings(process.env));
 */
export function createCheckoutModule(
  ports: ModulePorts,
  deps: CheckoutDeps,
  options: CheckoutOptions = {},
): CheckoutModule {
  checkOptions(options);
  const leaseMs = options.leaseMs ?? 30_000;
  const store = createSagaStore(ports.db.as<CheckoutTables>(), ports.clock, leaseMs, ports.logger);
  const outcomes = ports.metrics.counter(
    'checkout_outcomes_total',
    'Checkouts ended, by outcome (placed, card_declined, out_of_stock, …).',
    ['outcome'],
  );
  const batches = ports.metrics.counter(
    'checkout_completion_batches_total',
    'Transactions that completed approved checkouts, each with those ready at the same time (checkout_outcomes_total{outcome="placed"} over this: checkouts a transaction).',
  );
  const steps = ports.metrics.histogram(
    'checkout_step_duration_seconds',
    'Time a checkout spent in each step: started (the idempotency key recorded), stock_held (the cart priced and its stock held), authorizing (the pending order and payment recorded), authorization (the card processor asked, its answer recorded), completion (stock sold, order placed).',
    ['step'],
  );
  const maxBatch = options.batchSize ?? 32;
  const parts = { store, deps, logger: ports.logger, nudge: () => ports.bus.nudge() };
  const ctx: SagaContext = {
    store,
    deps,
    logger: ports.logger,
    holdTtlMs: options.holdTtlMs ?? 10 * 60_000,
    crashAt: options.crashAt,
    crash: () => {
      // The crash-recovery test hook: die like a power cut, without any cleanup.
      process.kill(process.pid, 'SIGKILL');
    },
    outcome: (outcome) => outcomes.inc({ outcome }),
    timed: (step, since) => steps.observe({ step }, (performance.now() - since) / 1000),
    nudge: () => ports.bus.nudge(),
    authorizings: createAuthorizings(parts, { maxBatch }),
    completions: createCompletions(
      {
        ...parts,
        committed: (completed) => {
          if (completed > 0) batches.inc();
        },
      },
      { maxBatch },
    ),
  };
  const worker = createRecoveryWorker(ctx, {
    intervalMs: options.recoveryIntervalMs ?? 5_000,
    batchSize: options.recoveryBatchSize ?? 50,
    logger: ports.logger,
  });
  if (options.crashAt) ports.logger.warn({ crashAt: options.crashAt }, 'checkout: crash test hook is set');
  return {
    name: 'checkout',
    recover: () => worker.runOnce(),
    async registerRoutes(app) {
      registerCheckoutRoute(app, ctx, deps, { duplicateWaitMs: options.duplicateWaitMs ?? 10_000 });
    },
    async start() {
      worker.start();
    },
    async stop() {
      await worker.stop();
    },
  };
}

/** A bad option is the composition root's bug: fail at start-up, naming it. */
function checkOptions(options: CheckoutOptions): void {
  const limits: Partial<Record<keyof CheckoutOptions, [number, number]>> = {
    holdTtlMs: [1_000, 24 * 3_600_000],
    duplicateWaitMs: [0, 600_000],
    recoveryBatchSize: [1, 10_000],
    batchSize: [1, 1_000],
    leaseMs: [500, 3_600_000],
    recoveryIntervalMs: [50, 3_600_000],
  };
  for (const [name, [min, max]] of Object.entries(limits) as [keyof CheckoutOptions, [number, number]][]) {
    const value = options[name];
    if (
      value !== undefined &&
      (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    ) {
      throw new Error(
        `checkout option ${name} must be an integer from ${min} to ${max}, got ${String(value)}`,
      );
    }
  }
}
