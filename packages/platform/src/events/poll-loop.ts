/** A loop that runs `step` until stopped: again at once while it reports more work, else after a wait. */
export interface PollLoop {
  start(): void;
  /** Runs the next step now (or right after the current one). */
  nudge(): void;
  /** Resolves once the step in progress, if any, has finished. */
  stop(): Promise<void>;
}

export interface PollLoopOptions {
  intervalMs: number;
  /** Does one batch of work; resolves true when there is probably more. */
  step: () => Promise<boolean>;
  /** A step threw; the loop waits one interval and goes on. */
  onError: (err: unknown) => void;
  /**
   * How long after a nudge the step runs, so that the nudges of that time (commits that wrote
   * events, say) share one step instead of one each. Default 0: at once.
   */
  nudgeDelayMs?: number;
}

export function createPollLoop(options: PollLoopOptions): PollLoop {
  let running = false;
  let nudged = false;
  let wake: (() => void) | undefined;
  let delayed: ReturnType<typeof setTimeout> | undefined;
  const nudgeDelayMs = options.nudgeDelayMs ?? 0;
  let done: Promise<void> = Promise.resolve();

  const pause = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(finish, options.intervalMs);
      function finish(): void {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = finish;
    });

  const run = async (): Promise<void> => {
    while (running) {
      nudged = false;
      let more = false;
      try {
        more = await options.step();
      } catch (err) {
        options.onError(err);
      }
      if (!running) return;
      if (!more && !nudged) await pause();
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      done = run();
    },
    nudge() {
      if (nudgeDelayMs <= 0) {
        nudged = true;
        wake?.();
        return;
      }
      // A step is already due (or will be when the timer fires): it will see this nudge's work.
      if (delayed || nudged) return;
      delayed = setTimeout(() => {
        delayed = undefined;
        nudged = true;
        wake?.();
      }, nudgeDelayMs);
    },
    async stop() {
      running = false;
      clearTimeout(delayed);
      delayed = undefined;
      wake?.();
      await done;
    },
  };
}
