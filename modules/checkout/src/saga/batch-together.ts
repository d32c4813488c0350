import { createBatcher, fulfilled, type Logger } from '@emporium/platform';

/**
 * A saga step done for the checkouts that reach it at the same time, together (createBatcher):
 * `together` does the step for a batch in one transaction and answers each checkout's outcome, in
 * the batch's order. When it throws for a batch of several (one checkout's trouble: an order that
 * cannot be placed, a saga another driver moved on, a bad input), the batch has rolled back and
 * each checkout does the step again alone, so that the error reaches only the checkout it belongs
 * to.
 */
export function batchTogether<I, O>(
  logger: Logger,
  step: string,
  together: (batch: readonly I[]) => Promise<O[]>,
  options: { maxBatch: number; distinctBy?: (item: I) => string },
): (item: I) => Promise<O> {
  return createBatcher(async (batch: readonly I[]) => {
    try {
      return (await together(batch)).map(fulfilled);
    } catch (err) {
      if (batch.length === 1) throw err;
      logger.warn(
        { err, checkouts: batch.length, step },
        'checkout: a batch failed; doing each checkout alone',
      );
      return Promise.allSettled(
        batch.map(async (one) => {
          const [outcome] = await together([one]);
          if (outcome === undefined) throw new Error(`checkout: no outcome for a batch of one (${step})`);
          return outcome;
        }),
      );
    }
  }, options);
}
