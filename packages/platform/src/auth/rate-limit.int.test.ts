import { requireService, uniquePrefix } from '@emporium/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.ts';
import { createMemoryRateLimitStore, createRedisRateLimitStore } from './rate-limit.ts';

describe('rate limit stores', () => {
  it('in process: counts hits per key within a window, then starts a new window', async () => {
    const clock = new ManualClock();
    const store = createMemoryRateLimitStore(clock);
    expect(await store.hit('login:ip:1', 60_000)).toEqual({ count: 1, resetMs: 60_000 });
    clock.advance(10_000);
    expect(await store.hit('login:ip:1', 60_000)).toEqual({ count: 2, resetMs: 50_000 });
    expect((await store.hit('login:ip:2', 60_000)).count).toBe(1);
    clock.advance(50_000);
    expect((await store.hit('login:ip:1', 60_000)).count).toBe(1);
  });

  // Real Redis: two instances (two processes behind a load balancer) share one count.
  const stores: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
  });
  it('on Redis: instances share the count, and the window carries its expiry', async () => {
    const url = requireService('redis');
    const keyPrefix = `${uniquePrefix('rl')}:`;
    const a = createRedisRateLimitStore({ url, keyPrefix });
    const b = createRedisRateLimitStore({ url, keyPrefix });
    stores.push(a, b);
    expect((await a.hit('checkout:ip:1', 60_000)).count).toBe(1);
    const second = await b.hit('checkout:ip:1', 60_000);
    expect(second.count).toBe(2);
    expect(second.resetMs).toBeGreaterThan(0);
    expect(second.resetMs).toBeLessThanOrEqual(60_000);
  });
});
