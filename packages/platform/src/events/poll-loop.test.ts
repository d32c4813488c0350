import { describe, expect, it, vi } from 'vitest';
import { createPollLoop } from './poll-loop.ts';

describe('poll loop', () => {
  it('runs again at once when nudged instead of waiting for the interval', async () => {
    let steps = 0;
    const loop = createPollLoop({
      intervalMs: 60_000,
      step: async () => {
        steps++;
        return false;
      },
      onError: () => {},
    });
    loop.start();
    await vi.waitFor(() => expect(steps).toBe(1));
    loop.nudge();
    await vi.waitFor(() => expect(steps).toBe(2));
    await loop.stop();
  });

  it('keeps stepping while a step reports more work', async () => {
    let left = 3;
    const loop = createPollLoop({ intervalMs: 60_000, step: async () => --left > 0, onError: () => {} });
    loop.start();
    await vi.waitFor(() => expect(left).toBe(0));
    await loop.stop();
  });

  it('reports a failing step and goes on', async () => {
    const errors: unknown[] = [];
    let steps = 0;
    const loop = createPollLoop({
      intervalMs: 5,
      step: async () => {
        if (++steps === 1) throw new Error('db down');
        return false;
      },
      onError: (err) => errors.push(err),
    });
    loop.start();
    await vi.waitFor(() => expect(steps).toBeGreaterThan(1));
    await loop.stop();
    expect(errors).toEqual([new Error('db down')]);
  });

  it('resolves stop only after the step in progress has finished', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const loop = createPollLoop({
      intervalMs: 60_000,
      step: async () => {
        order.push('step started');
        await gate;
        order.push('step finished');
        return false;
      },
      onError: () => {},
    });
    loop.start();
    await vi.waitFor(() => expect(order).toEqual(['step started']));
    const stopped = loop.stop().then(() => order.push('stopped'));
    release();
    await stopped;
    expect(order).toEqual(['step started', 'step finished', 'stopped']);
  });

  it('with a nudge delay, runs one step for the nudges of that time, that long after the first', async () => {
    vi.useFakeTimers();
    try {
      let steps = 0;
      const loop = createPollLoop({
        intervalMs: 60_000,
        nudgeDelayMs: 10,
        step: async () => {
          steps++;
          return false;
        },
        onError: () => {},
      });
      loop.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(steps).toBe(1);
      for (let i = 0; i < 5; i++) loop.nudge();
      await vi.advanceTimersByTimeAsync(9);
      expect(steps).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(steps).toBe(2);
      // Nothing more was nudged: the next step waits for the interval.
      await vi.advanceTimersByTimeAsync(1_000);
      expect(steps).toBe(2);
      loop.nudge();
      await vi.advanceTimersByTimeAsync(10);
      expect(steps).toBe(3);
      await loop.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
