import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './create-metrics.ts';

describe('createMetrics', () => {
  it('exposes process metrics, including event-loop lag, on its own registry', async () => {
    const metrics = createMetrics();
    const text = await metrics.registry.metrics();
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('process_resident_memory_bytes');
    expect(await globalRegistry.metrics()).not.toContain('nodejs_eventloop_lag_seconds');
  });

  it('lets two instances live side by side', () => {
    expect(() => [createMetrics(), createMetrics()]).not.toThrow();
  });

  it('records HTTP requests by method, route pattern and status code', async () => {
    const metrics = createMetrics({ defaultLabels: { service: 'monolith' } });
    const labels = { method: 'GET', route: '/store/products/:handle', status_code: '200' };
    metrics.httpRequestDuration.observe(labels, 0.012);
    metrics.httpRequestDuration.observe({ ...labels, status_code: '404' }, 0.002);
    let text = await metrics.registry.metrics();
    expect(text).toContain(
      'http_request_duration_seconds_count{service="monolith",method="GET",route="/store/products/:handle",status_code="200"} 1',
    );
    expect(text).toContain(
      'http_requests_total{method="GET",route="/store/products/:handle",status_code="200",service="monolith"} 1',
    );
    // The total follows the histogram between scrapes, without double counting.
    metrics.httpRequestDuration.observe(labels, 0.02);
    metrics.httpRequestDuration.observe(labels, 0.03);
    text = await metrics.registry.metrics();
    expect(text).toContain(
      'http_requests_total{method="GET",route="/store/products/:handle",status_code="200",service="monolith"} 3',
    );
    expect(text).toContain(
      'http_requests_total{method="GET",route="/store/products/:handle",status_code="404",service="monolith"} 1',
    );
  });

  it('reads gauges at scrape time and reports NaN when reading fails', async () => {
    const metrics = createMetrics();
    let backlog = 3;
    metrics.gauge('outbox_backlog', 'Events waiting in the outbox.', async () => backlog);
    metrics.gauge('broken_gauge', 'Always fails.', () => {
      throw new Error('db down');
    });
    expect(await metrics.registry.metrics()).toContain('outbox_backlog 3');
    backlog = 7;
    const text = await metrics.registry.metrics();
    expect(text).toContain('outbox_backlog 7');
    expect(text).toContain('broken_gauge Nan');
  });

  it('creates duration histograms whose sum over count is the mean', async () => {
    const metrics = createMetrics();
    const steps = metrics.histogram('checkout_step_duration_seconds', 'Time in each step.', ['step']);
    steps.observe({ step: 'completion' }, 0.004);
    steps.observe({ step: 'completion' }, 0.03);
    const text = await metrics.registry.metrics();
    expect(text).toContain('checkout_step_duration_seconds_bucket{le="0.005",step="completion"} 1');
    expect(text).toContain('checkout_step_duration_seconds_bucket{le="0.05",step="completion"} 2');
    expect(text).toContain('checkout_step_duration_seconds_sum{step="completion"} 0.034');
    expect(text).toContain('checkout_step_duration_seconds_count{step="completion"} 2');
  });

  it('creates labelled counters', async () => {
    const metrics = createMetrics({ defaultLabels: { service: 'monolith' } });
    const delivered = metrics.counter('events_delivered_total', 'Events delivered.', ['type', 'outcome']);
    delivered.inc({ type: 'ordering.order.placed.v1', outcome: 'ok' });
    expect(await metrics.registry.metrics()).toContain(
      'events_delivered_total{type="ordering.order.placed.v1",outcome="ok",service="monolith"} 1',
    );
  });
});
