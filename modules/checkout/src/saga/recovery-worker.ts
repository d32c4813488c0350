import type { Logger } from '@emporium/platform';
import { recoverSaga, type SagaContext } from './run-saga.ts';
import type { Saga } from './saga-store.ts';

export interface RecoveryWorker {
  start(): void;
  /** Stops the timer and waits for the pass in progress. */
  stop(): Promise<void>;
  /** One pass now: takes over every lapsed saga (in batches) and drives it to its end. */
  runOnce(): Promise<RecoveryReport>;
}

export interface RecoveryReport {
  recovered: number;
  failed: number;
}

/**
 * Finds sagas left half-way by a process that died (their lease lapsed), takes each over and
 * completes or undoes it (see `recoverSaga`). Several server processes may run it at once: a saga
 * is claimed with `FOR UPDATE SKIP LOCKED` and a fresh lease, so only one of them drives it. A saga
 * whose recovery fails stays unfinished and is tried again once its new lease lapses.
 */
export function createRecoveryWorker(
  ctx: SagaContext,
  options: { intervalMs: number; batchSize: number; logger: Logger },
): RecoveryWorker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  const recoverOne = async (saga: Saga): Promise<boolean> => {
    try {
      const done = await recoverSaga(ctx, saga);
      options.logger.info(
        { sagaId: saga.id, from: saga.step, status: done.status, code: done.failureCode ?? undefined },
        'checkout: recovered an interrupted checkout',
      );
      return true;
    } catch (err) {
      options.logger.error(
        { err, sagaId: saga.id, step: saga.step },
        'checkout: recovery of a checkout failed; will retry',
      );
      return false;
    }
  };

  const runOnce = async (): Promise<RecoveryReport> => {
    const report = { recovered: 0, failed: 0 };
    for (;;) {
      const claimed = await ctx.store.claimLapsed(options.batchSize);
      for (const saga of claimed) {
        if (await recoverOne(saga)) report.recovered++;
        else report.failed++;
      }
      if (claimed.length < options.batchSize) return report;
    }
  };

  const tick = (): void => {
    if (running) return;
    running = runOnce()
      .catch((err: unknown) => options.logger.error({ err }, 'checkout: recovery pass failed'))
      .finally(() => {
        running = undefined;
      });
  };

  return {
    start() {
      if (timer) return;
      tick();
      timer = setInterval(tick, options.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
    runOnce,
  };
}
