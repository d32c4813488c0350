import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.ts';

/** A run that records its batches and answers when told to. */
function gate() {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  const run = async (items: readonly number[]) => {
    batches.push([...items]);
    await new Promise<void>((resolve) => releases.push(resolve));
    return items.map(
      (n): PromiseSettledResult<number> =>
        n < 0
          ? { status: 'rejected', reason: new Error(`negative ${n}`) }
          : { status: 'fulfilled', value: n * 10 },
    );
  };
  const releaseNext = async () => {
    // Let the awaiting calls queue before the batch in flight ends.
    await Promise.resolve();
    releases.shift()?.();
  };
  return { batches, run, releaseNext, pending: () => releases.length };
}

describe('createBatcher', () => {
  it('starts a lone call at once, alone', async () => {
    const g = gate();
    const call = createBatcher(g.run, { maxBatch: 8 });
    const answer = call(1);
    expect(g.batches).toEqual([[1]]);
    await g.releaseNext();
    await expect(answer).resolves.toBe(10);
  });

  it('sends the calls made while a batch runs together, in order, as the next batch', async () => {
    const g = gate();
    const call = createBatcher(g.run, { maxBatch: 8 });
    const answers = [call(1), call(2), call(3), call(4)];
    expect(g.batches).toEqual([[1]]);
    await g.releaseNext();
    await answers[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(g.batches).toEqual([[1], [2, 3, 4]]);
    await g.releaseNext();
    await expect(Promise.all(answers)).resolves.toEqual([10, 20, 30, 40]);
  });

  it('caps a batch at maxBatch and runs the rest after it', async () => {
    const g = gate();
    const call = createBatcher(g.run, { maxBatch: 2 });
    const answers = [1, 2, 3, 4, 5, 6].map((n) => call(n));
    while (g.batches.length < 4 || g.pending() > 0) {
      await g.releaseNext();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(g.batches).toEqual([[1], [2, 3], [4, 5], [6]]);
    await expect(Promise.all(answers)).resolves.toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('fails only the item whose outcome failed', async () => {
    const g = gate();
    const call = createBatcher(g.run, { maxBatch: 8 });
    const first = call(1);
    const answers = [call(2), call(-3), call(4)];
    await g.releaseNext();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    await g.releaseNext();
    const settled = await Promise.allSettled(answers);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('negative -3'));
  });

  it('fails every item of a batch whose run throws, and goes on with the next batch', async () => {
    let calls = 0;
    const call = createBatcher(
      async (items: readonly number[]) => {
        calls++;
        if (calls === 1) throw new Error('database gone');
        return items.map((n): PromiseSettledResult<number> => ({ status: 'fulfilled', value: n }));
      },
      { maxBatch: 8 },
    );
    const settled = await Promise.allSettled([call(1), call(2)]);
    expect(settled[0]).toEqual({ status: 'rejected', reason: new Error('database gone') });
    expect(settled[1]).toEqual({ status: 'fulfilled', value: 2 });
    await expect(call(3)).resolves.toBe(3);
  });

  it('with distinctBy, keeps a second call of a key in the batch for the next one, in order', async () => {
    const g = gate();
    const call = createBatcher(g.run, { maxBatch: 8, distinctBy: (n) => String(n % 10) });
    const answers = [1, 2, 12, 3, 22, 13].map((n) => call(n));
    while (g.batches.length < 4 || g.pending() > 0) {
      await g.releaseNext();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(g.batches).toEqual([[1], [2, 3], [12, 13], [22]]);
    await expect(Promise.all(answers)).resolves.toEqual([10, 20, 120, 30, 220, 130]);
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => createBatcher(async () => [], { maxBatch: 0 })).toThrow(/maxBatch/);
  });
});
