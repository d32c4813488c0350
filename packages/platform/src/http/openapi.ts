import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { HttpApp } from './http-app.ts';

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/**
 * Publishes the OpenAPI 3.1 document built from every route's schemas at `GET /openapi.json`, and
 * Swagger UI at `/docs`. Must be registered before the routes it documents. Routes opt out with
 * `schema: { hide: true }`.
 */
export async function registerOpenApi(app: HttpApp, info: OpenApiInfo): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info,
      tags: [{ name: 'ops', description: 'Health and readiness probes' }],
    },
    // Shared schemas (app.addSchema) keep their $id as their name under components.schemas.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Swagger UI needs scripts and styles from its own origin: its pages get their own CSP (hashes
    // of its inline code), replacing the API's `default-src 'none'`. Plain-HTTP development servers
    // would break under upgrade-insecure-requests.
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
