import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController } from 'fastify';
import { type Authenticator, denyAllAuthenticator } from '../auth/authenticator.ts';
import { createMemoryRateLimitStore, installRateLimits } from '../auth/rate-limit.ts';
import type { Cache } from '../cache/cache.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { Metrics } from '../metrics/create-metrics.ts';
import { compressHtml } from './compress-html.ts';
import { installErrorHandling, replyWithError } from './error-handling.ts';
import { installDrainHooks, isShuttingDown } from './graceful-shutdown.ts';
import type { HttpApp } from './http-app.ts';
import { recordHttpMetrics } from './http-metrics.ts';
import { installNulFreeJson } from './nul-free-json.ts';
import { type OpenApiInfo, registerOpenApi } from './openapi.ts';
import { registerOpsRoutes } from './ops-routes.ts';
import type { ReadinessCheck } from './readiness.ts';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.ts';
import { apiSecurityHeaders, documentSecurityHeaders } from './security-headers.ts';
import { assertStrictBody } from './strict-schema.ts';
import { createValidatorFactory } from './validator-compiler.ts';
import { createWarmResponses, putInFront } from './warm-responses.ts';

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  /** Dependencies `/readyz` checks, e.g. database, Redis, NATS. */
  readiness: readonly ReadinessCheck[];
  openapi: OpenApiInfo;
  /** Largest accepted request body in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Trust `X-Forwarded-*` from a proxy in front (client IP, protocol). Default false. */
  trustProxy?: boolean;
  /**
   * Verifies bearer tokens for `requirePermission`. Default: none is valid (until an identity
   * provider is configured, every `/admin` route answers 401).
   */
  authenticator?: Authenticator;
  /** How long each readiness check may take. Default 2000 ms. */
  readinessTimeoutMs?: number;
  /** Request rate limits on (`EMPORIUM_RATE_LIMITS`). Default true; the store is in-process until replaced. */
  rateLimits?: boolean;
  /**
   * The cache routes keep their pages in. When it can be read without waiting (the in-process
   * one), GETs of warm pages are answered from it before routing ({@link WarmResponses}).
   */
  cache?: Cache;
}

const documentHeaders = Object.entries(documentSecurityHeaders);

/**
 * Creates the platform's HTTP app (Fastify 5 with the TypeBox type provider). Register module
 * plugins on it, then `ready()` or `listen()`. It already has:
 * - validation with Ajv: unknown properties rejected (and a guard that refuses to register a route
 *   whose body schema would let them through, see {@link StrictObject}), all errors reported,
 *   formats, types coerced only for query string, path and headers;
 * - every error as an RFC 9457 `application/problem+json` document (API.md), with no internals in 5xx;
 * - `x-request-id` echoed (when well formed) or generated, on every response and log line;
 * - security headers; RED metrics per route; `/healthz`, `/readyz`, `/metrics`;
 * - the OpenAPI 3.1 document at `/openapi.json` and Swagger UI at `/docs`;
 * - graceful close (see {@link closeGracefully});
 * - with `cache`, warm cacheable pages answered before routing (see {@link WarmResponses}).
 *
 * @example
 * const app = await createHttpApp({ logger, metrics, readiness: [dbCheck], openapi: { title: 'Emporium', version } });
 * await app.register(catalogRoutes, { prefix: '/store' });
 * await app.listen({ port, host });
 */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const trustProxy = options.trustProxy ?? false;
  const app: HttpApp = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    trustProxy,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    genReqId: (req) => requestIdFrom(req.headers[REQUEST_ID_HEADER]),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: false,
    schemaController: { compilersFactory: { buildValidator: createValidatorFactory() } },
    frameworkErrors: (error, request, reply) => {
      replyWithError(error, request, reply);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('authenticator', options.authenticator ?? denyAllAuthenticator);
  installRateLimits(app, { enabled: options.rateLimits ?? true, store: createMemoryRateLimitStore() });
  installNulFreeJson(app);
  app.decorateRequest('principal', null);
  app.addHook('onRoute', function guardStrictBody(route) {
    assertStrictBody(route, this.getSchemas());
  });
  // One hook for what every response carries: the security headers and the request id.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(apiSecurityHeaders).header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // HTML documents (storefront, dashboard, sign-in pages, docs, the card field) get the rest of
  // helmet's headers and are compressed; JSON answers pass straight through (no promise per request).
  app.addHook('onSend', (request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type !== 'string' || !type.startsWith('text/html')) {
      done(null, payload);
      return;
    }
    for (const [name, value] of documentHeaders) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    compressHtml(request, reply, payload).then(
      (body) => done(null, body),
      (err: Error) => done(err),
    );
  });
  installDrainHooks(app);
  const warm = options.cache
    ? createWarmResponses({
        cache: options.cache,
        metrics: options.metrics,
        logger: options.logger,
        isShuttingDown: () => isShuttingDown(app),
        trustProxy,
      })
    : null;
  app.decorate('warmResponses', warm);
  if (warm) putInFront(app.server, warm);
  recordHttpMetrics(app, options.metrics);
  installErrorHandling(app);
  await registerOpenApi(app, options.openapi);
  registerOpsRoutes(app, {
    metrics: options.metrics,
    readiness: options.readiness,
    readinessTimeoutMs: options.readinessTimeoutMs ?? 2000,
    isShuttingDown: () => isShuttingDown(app),
  });
  return app;
}
