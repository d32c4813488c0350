/**
 * Natural batching, as a database's group commit does it: a call made while no batch runs starts
 * one at once (no timer, so a lone call waits for nothing); calls made while one runs wait for it
 * and then go together, up to `maxBatch` a batch. Under load, batches grow with the load, and one
 * round trip and one commit serve many callers; at rest, each call is a batch of one.
 *
 * `run` answers one settled outcome per item, in the items' order: an item may fail alone. A
 * `run` that throws fails every item of its batch with that error.
 *
 * With `distinctBy`, a batch holds at most one item of each key: a call whose key is already in
 * the batch being formed waits for the next one (one statement may then update a row once per
 * key, and a second call for the same row sees the first one's effect, as it would alone).
 *
 * Written here because the libraries of the field batch by time window or by tick (DataLoader
 * gathers one tick of loads for a keyed read), not by "while the previous batch is in flight",
 * which is what keeps a lone call's latency unchanged.
 *
 * @example
 * const finish = createBatcher((sagas: Saga[]) => finishTogether(sagas), { maxBatch: 32 });
 * const done = await finish(saga);
 */
export function createBatcher<I, O>(
  run: (items: readonly I[]) => Promise<readonly PromiseSettledResult<O>[]>,
  options: { maxBatch: number; distinctBy?: (item: I) => string },
): (item: I) => Promise<O> {
  if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) {
    throw new Error(`maxBatch must be a positive integer, got ${options.maxBatch}`);
  }
  interface Waiting {
    item: I;
    resolve: (value: O) => void;
    reject: (reason: unknown) => void;
  }
  const queue: Waiting[] = [];
  let running = false;

  const runBatch = async (batch: Waiting[]): Promise<void> => {
    let outcomes: readonly PromiseSettledResult<O>[];
    try {
      outcomes = await run(batch.map((w) => w.item));
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i];
      if (!outcome)
        w.reject(new Error(`the batch answered ${outcomes.length} outcomes for ${batch.length} items`));
      else if (outcome.status === 'fulfilled') w.resolve(outcome.value);
      else w.reject(outcome.reason);
    });
  };

  /** The next batch, taken from the queue in order (skipping keys it already holds). */
  const nextBatch = (): Waiting[] => {
    const keyOf = options.distinctBy;
    if (!keyOf) return queue.splice(0, options.maxBatch);
    const keys = new Set<string>();
    const batch: Waiting[] = [];
    for (let i = 0; i < queue.length && batch.length < options.maxBatch; ) {
      const w = queue[i] as Waiting;
      const key = keyOf(w.item);
      if (keys.has(key)) {
        i++;
        continue;
      }
      keys.add(key);
      batch.push(w);
      queue.splice(i, 1);
    }
    return batch;
  };

  const drain = async (): Promise<void> => {
    running = true;
    try {
      while (queue.length > 0) await runBatch(nextBatch());
    } finally {
      running = false;
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!running) void drain();
    });
}

/** One item's success in a batch's answer (`run` answers one settled outcome per item). */
export const fulfilled = <T>(value: T): PromiseFulfilledResult<T> => ({ status: 'fulfilled', value });
