import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/create-logger.ts';
import { createMetrics } from '../metrics/create-metrics.ts';
import { createHttpApp } from './create-http-app.ts';
import type { HttpApp } from './http-app.ts';
import type { ReadinessCheck } from './readiness.ts';

// In-process HTTP (inject); real logger (to memory) and metrics registry; readiness checks are stubs.

let app: HttpApp | undefined;
let logLines: string[] = [];

async function start(readiness: ReadinessCheck[] = []): Promise<HttpApp> {
  logLines = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => logLines.push(line) },
  });
  app = await createHttpApp({
    logger,
    metrics: createMetrics(),
    readiness,
    readinessTimeoutMs: 100,
    openapi: { title: 'test', version: '0' },
  });
  app.get(
    '/store/products/:handle',
    { schema: { params: Type.Object({ handle: Type.String() }) } },
    async (request) => ({ handle: request.params.handle }),
  );
  await app.ready();
  return app;
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('GET /healthz', () => {
  it('answers ok while the process is up', async () => {
    const res = await (await start()).inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /readyz', () => {
  it('answers ok with each dependency when all of them answer', async () => {
    const server = await start([
      { name: 'database', check: async () => {} },
      { name: 'nats', check: async () => {} },
    ]);
    const res = await server.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', checks: { database: 'ok', nats: 'ok' } });
  });

  it('answers 503 naming the dependency that failed, without its error or URL', async () => {
    const server = await start([
      { name: 'database', check: async () => {} },
      {
        name: 'redis',
        check: async () => {
          throw new Error('connect ECONNREFUSED redis://:hunter2@10.0.0.7:6379');
        },
      },
    ]);
    const res = await server.inject({ url: '/readyz' });

    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toMatchObject({
      code: 'service_unavailable',
      status: 503,
      detail: 'Not ready: redis is not reachable.',
      checks: { database: 'ok', redis: 'failed' },
    });
    expect(res.body).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|hunter2/);

    const logged = logLines.join('');
    expect(logged).toContain('readiness check failed');
    expect(logged).toContain('redis://:[redacted]@10.0.0.7:6379');
    expect(logged).not.toContain('hunter2');
  });

  it('reports a dependency that does not answer in time', async () => {
    const server = await start([{ name: 'nats', check: () => new Promise(() => {}) }]);
    const res = await server.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks).toEqual({ nats: 'timed_out' });
  });
});

describe('GET /metrics', () => {
  it('exposes RED metrics by route pattern, never by raw URL, and event-loop lag', async () => {
    const server = await start();
    await server.inject({ url: '/store/products/blue-mug' });
    await server.inject({ url: '/store/products/red-mug' });
    await server.inject({ url: '/no/such/route/abc123' });

    const res = await server.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/store/products/:handle",status_code="200"} 2',
    );
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status_code="404"} 1');
    expect(text).not.toContain('blue-mug');
    expect(text).not.toContain('abc123');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});
