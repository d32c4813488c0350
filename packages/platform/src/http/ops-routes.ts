import { Type } from 'typebox';
import type { Metrics } from '../metrics/create-metrics.ts';
import { problemContext } from './error-handling.ts';
import type { HttpApp } from './http-app.ts';
import { createProblem, ProblemSchema, sendProblem } from './problem.ts';
import { checkReadiness, type ReadinessCheck } from './readiness.ts';

export interface OpsRoutesOptions {
  metrics: Metrics;
  readiness: readonly ReadinessCheck[];
  readinessTimeoutMs: number;
  isShuttingDown: () => boolean;
}

const CheckOutcomes = Type.Record(Type.String(), Type.String());

/**
 * `GET /healthz` (the process is alive), `GET /readyz` (every dependency answers; 503 problem naming
 * the ones that do not, or during shutdown) and `GET /metrics` (Prometheus text). Probes and scrapes
 * come every few seconds, so their requests are logged at warn level only.
 */
export function registerOpsRoutes(app: HttpApp, options: OpsRoutesOptions): void {
  app.get(
    '/healthz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['ops'],
        summary: 'Liveness: the process is up',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['ops'],
        summary: 'Readiness: every dependency answers',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), checks: CheckOutcomes }),
          503: {
            description: 'Not ready: a dependency does not answer, or the server is shutting down',
            content: {
              'application/problem+json': {
                schema: Type.Intersect([ProblemSchema, Type.Object({ checks: CheckOutcomes })]),
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const notReady = (detail: string, checks: Record<string, string>) =>
        sendProblem(
          reply,
          createProblem({
            ...problemContext(request),
            status: 503,
            code: 'service_unavailable',
            detail,
            extensions: { checks },
          }),
        );

      if (options.isShuttingDown()) return notReady('The server is shutting down.', {});
      const report = await checkReadiness(options.readiness, options.readinessTimeoutMs);
      if (report.ready) return { status: 'ok' as const, checks: report.checks };

      for (const { name, error } of report.failures) {
        request.log.warn({ err: error, check: name, outcome: report.checks[name] }, 'readiness check failed');
      }
      const names = report.failures.map((f) => f.name);
      return notReady(
        `Not ready: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not reachable.`,
        report.checks,
      );
    },
  );

  app.get('/metrics', { logLevel: 'warn', schema: { hide: true } }, async (_request, reply) => {
    reply.type(options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
}
