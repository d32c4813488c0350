import { describe, expect, it } from 'vitest';
import { checkReadiness } from './readiness.ts';

describe('checkReadiness', () => {
  it('is ready when every dependency answers', async () => {
    const report = await checkReadiness(
      [
        { name: 'database', check: async () => {} },
        { name: 'redis', check: async () => {} },
      ],
      100,
    );
    expect(report).toEqual({ ready: true, checks: { database: 'ok', redis: 'ok' }, failures: [] });
  });

  it('names the dependencies that failed or did not answer in time', async () => {
    const refused = new Error('connect ECONNREFUSED');
    const report = await checkReadiness(
      [
        { name: 'database', check: async () => {} },
        { name: 'redis', check: () => Promise.reject(refused) },
        { name: 'nats', check: () => new Promise(() => {}) },
      ],
      50,
    );
    expect(report.ready).toBe(false);
    expect(report.checks).toEqual({ database: 'ok', redis: 'failed', nats: 'timed_out' });
    expect(report.failures.map((f) => f.name)).toEqual(['redis', 'nats']);
    expect(report.failures[0]?.error).toBe(refused);
  });

  it('treats a check that throws synchronously as failed', async () => {
    const report = await checkReadiness(
      [
        {
          name: 'broken',
          check: () => {
            throw new Error('boom');
          },
        },
      ],
      50,
    );
    expect(report.checks).toEqual({ broken: 'failed' });
  });

  it('is ready when nothing needs checking', async () => {
    expect((await checkReadiness([], 50)).ready).toBe(true);
  });
});
