export { createMetrics, type HttpMetricLabel, type Metrics, type MetricsOptions } from './create-metrics.ts';
