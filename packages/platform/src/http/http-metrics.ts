import type { FastifyRequest } from 'fastify';
import type { Metrics } from '../metrics/create-metrics.ts';
import type { HttpApp } from './http-app.ts';

/** The route pattern (`/store/products/:handle`), or `unmatched`: raw URLs would explode cardinality. */
export function routeLabel(request: FastifyRequest): string {
  return request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
}

/** Records rate, errors and duration of every request in `metrics`. */
export function recordHttpMetrics(app: HttpApp, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: routeLabel(request),
      status_code: String(reply.statusCode),
    };
    metrics.httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
