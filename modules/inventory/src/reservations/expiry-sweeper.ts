import type { Logger } from '@emporium/platform';

export interface ExpirySweeper {
  start(): void;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `sweep` every `intervalMs`, never two at once. A failed sweep is logged and tried again
 * at the next tick; nothing depends on its timing for correctness (see releaseExpired).
 */
export function createExpirySweeper(
  sweep: () => Promise<unknown>,
  intervalMs: number,
  logger: Logger,
): ExpirySweeper {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = (): void => {
    if (running) return;
    running = sweep()
      .then(
        () => {},
        (err: unknown) => logger.error({ err }, 'inventory: expiry sweep failed'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  return {
    start() {
      if (timer) return;
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
