import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Labels of the HTTP RED metrics. `route` is the route pattern or `unmatched`, never a raw URL. */
export type HttpMetricLabel = 'method' | 'route' | 'status_code';

/** The process's Prometheus metrics, served as text at `GET /metrics`. */
export interface Metrics {
  /** This process's registry (not prom-client's global one, so tests and apps never share state). */
  readonly registry: Registry;
  /**
   * Request latency in seconds, per method, route pattern and status code (rate, errors and
   * duration). One observation per answered request: `http_requests_total` is read from its count.
   */
  readonly httpRequestDuration: Histogram<HttpMetricLabel>;
  /**
   * Registers a gauge whose value is read at scrape time, e.g. the outbox backlog. A failing `collect`
   * reports NaN instead of failing the whole scrape.
   *
   * @example metrics.gauge('outbox_backlog', 'Events waiting in the outbox.', () => outbox.pending())
   */
  gauge(name: string, help: string, collect: () => Promise<number> | number): Gauge;
  /**
   * Registers a counter, e.g. `events_delivered_total` labelled `type` and `outcome`.
   *
   * @example metrics.counter('events_delivered_total', 'Events handed to subscribers.', ['type', 'outcome'])
   */
  counter<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  /**
   * Registers a histogram of durations in seconds (buckets from 1 ms to 10 s), e.g. a workflow's
   * steps. Its `_sum` over its `_count` is the mean.
   *
   * @example metrics.histogram('checkout_step_duration_seconds', 'Time in each checkout step.', ['step'])
   */
  histogram<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Histogram<L>;
}

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsOptions {
  /** Labels added to every series, e.g. `{ service: 'catalog' }` when modules run as separate services. */
  defaultLabels?: Record<string, string>;
}

/**
 * Creates a registry with Node.js process metrics (CPU, memory, GC, event-loop lag as
 * `nodejs_eventloop_lag_seconds`) and the HTTP RED metrics `http_request_duration_seconds` and
 * `http_requests_total`, which the HTTP app records for every request.
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  collectDefaultMetrics({ register: registry });

  const labelNames: readonly HttpMetricLabel[] = ['method', 'route', 'status_code'];
  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, in seconds.',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Requests answered, per method, route pattern and status code: the histogram's count, copied at
  // scrape time, so a request costs one metric update, not two (prom-client hashes the labels and
  // validates them on every update; both updates were ~3 % of a warm store page's CPU profile).
  new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered.',
    labelNames,
    registers: [registry],
    async collect() {
      const { values } = await httpRequestDuration.get();
      this.reset();
      for (const { metricName, labels, value } of values) {
        if (metricName === 'http_request_duration_seconds_count') this.inc(labels, value);
      }
    },
  });

  return {
    registry,
    httpRequestDuration,
    gauge(name, help, read) {
      return new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          try {
            this.set(await read());
          } catch {
            this.set(Number.NaN);
          }
        },
      });
    },
    counter(name, help, labelNames = []) {
      return new Counter({ name, help, labelNames, registers: [registry] });
    },
    histogram(name, help, labelNames = []) {
      return new Histogram({ name, help, labelNames, buckets: DURATION_BUCKETS, registers: [registry] });
    },
  };
}
