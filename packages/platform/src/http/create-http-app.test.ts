import { Type } from 'typebox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import { createLogger } from '../logging/create-logger.ts';
import { createMetrics } from '../metrics/create-metrics.ts';
import { createHttpApp } from './create-http-app.ts';
import type { HttpApp } from './http-app.ts';
import { StrictObject } from './strict-schema.ts';

// In-process HTTP (inject), real logger writing to memory, real metrics registry. No fakes.

const Address = StrictObject({
  line1: Type.String({ minLength: 1 }),
  postal_code: Type.String({ minLength: 1 }),
  country_code: Type.String({ pattern: '^[a-z]{2}$' }),
});

const CheckoutBody = StrictObject({
  email: Type.String({ format: 'email' }),
  quantity: Type.Integer({ minimum: 1 }),
  shipping_address: Address,
});

let app: HttpApp;
let logLines: string[];

const logs = () => logLines.map((line) => JSON.parse(line) as Record<string, unknown>);

beforeEach(async () => {
  logLines = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => logLines.push(line) },
  });
  app = await createHttpApp({
    logger,
    metrics: createMetrics(),
    readiness: [],
    openapi: { title: 'Emporium test', version: '0.0.0' },
    bodyLimit: 1024,
  });
  app.post('/store/checkout', { schema: { body: CheckoutBody } }, async (request, reply) =>
    reply.code(201).send({ email: request.body.email, quantity: request.body.quantity }),
  );
  app.get(
    '/store/products',
    {
      schema: {
        querystring: StrictObject({
          limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
          cursor: Type.Optional(Type.String()),
        }),
      },
    },
    async (request) => ({ limit: request.query.limit }),
  );
  app.addSchema({ $id: 'Address', ...Address });
  app.put('/store/addresses/:id', { schema: { body: { $ref: 'Address#' } } }, async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw new Error(
      `insert into payments (pan) values ('4242424242424242') violates constraint "payments_pkey"`,
    );
  });
  app.get('/out-of-stock', async () => {
    throw new AppError('out_of_stock', 409, 'Only 2 of "Blue mug" are left.', {
      extensions: { available: 2 },
    });
  });
  await app.ready();
});

afterEach(async () => {
  await app.close();
});

const validBody = {
  email: 'ada@example.com',
  quantity: 1,
  shipping_address: { line1: '1 Main St', postal_code: '94107', country_code: 'us' },
};

describe('validation', () => {
  it('accepts a valid body', async () => {
    const res = await app.inject({ method: 'POST', url: '/store/checkout', payload: validBody });
    expect(res.statusCode).toBe(201);
  });

  it('rejects an unknown body field with a 422 problem naming it', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/store/checkout',
      payload: { ...validBody, foo: 1, shipping_address: { ...validBody.shipping_address, bar: 2 } },
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const problem = res.json();
    expect(problem).toMatchObject({
      type: 'https://emporium.dev/problems/validation_failed',
      title: 'Validation failed',
      status: 422,
      code: 'validation_failed',
      request_id: res.headers['x-request-id'],
      instance: '/store/checkout',
    });
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { path: '/foo', message: 'is not allowed' },
        { path: '/shipping_address/bar', message: 'is not allowed' },
      ]),
    );
    expect(problem.detail).toContain('/foo is not allowed');
  });

  it('refuses text holding the NUL character, which the database cannot store, naming the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/store/checkout',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        ...validBody,
        shipping_address: { ...validBody.shipping_address, line1: '1 Main\u0000 St' },
      }),
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: '/shipping_address/line1', message: 'must not contain the NUL character' }],
    });
    // The six characters backslash-u-0-0-0-0 are text like any other.
    const literal = await app.inject({
      method: 'POST',
      url: '/store/checkout',
      payload: {
        ...validBody,
        shipping_address: { ...validBody.shipping_address, line1: '1 Main \\u0000 St' },
      },
    });
    expect(literal.statusCode).toBe(201);
  });

  it('reports a missing required field at its own path', async () => {
    const { postal_code: _, ...address } = validBody.shipping_address;
    const res = await app.inject({
      method: 'POST',
      url: '/store/checkout',
      payload: { ...validBody, shipping_address: address },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ path: '/shipping_address/postal_code', message: 'is required' }]);
    expect(res.json().detail).toBe('The request body is invalid: /shipping_address/postal_code is required.');
  });

  it('reports every invalid field at once, formats included', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/store/checkout',
      payload: { ...validBody, email: 'not-an-email', quantity: 0 },
    });
    expect(res.json().errors).toEqual([
      { path: '/email', message: 'must match format "email"' },
      { path: '/quantity', message: 'must be >= 1' },
    ]);
  });

  it('does not coerce body types', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/store/checkout',
      payload: { ...validBody, quantity: '2' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ path: '/quantity', message: 'must be integer' }]);
  });

  it('coerces query string values and applies defaults', async () => {
    expect((await app.inject({ url: '/store/products?limit=5' })).json()).toEqual({ limit: 5 });
    expect((await app.inject({ url: '/store/products' })).json()).toEqual({ limit: 20 });
  });

  it.each(['0', '101', 'ten'])('rejects limit=%s in the query string with a 400 problem', async (limit) => {
    const res = await app.inject({ url: `/store/products?limit=${limit}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: '/limit' }] });
    expect(res.json().detail).toMatch(/^The query string is invalid: \/limit must be/);
  });

  it('validates bodies against shared schemas referenced by $id', async () => {
    const ok = await app.inject({
      method: 'PUT',
      url: '/store/addresses/1',
      payload: validBody.shipping_address,
    });
    expect(ok.statusCode).toBe(200);
    const bad = await app.inject({
      method: 'PUT',
      url: '/store/addresses/1',
      payload: { ...validBody.shipping_address, country_code: 'USA' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([
      { path: '/country_code', message: 'must match pattern "^[a-z]{2}$"' },
    ]);
  });

  it('rejects unknown query parameters', async () => {
    const res = await app.inject({ url: '/store/products?limt=5' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: '/limt', message: 'is not allowed' }]);
  });
});

describe('malformed requests', () => {
  it('answers malformed JSON with a 400 problem', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/store/checkout',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": "ada@example.com",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toMatchObject({
      code: 'malformed_request',
      status: 400,
      detail: 'The request body is not valid JSON.',
    });
  });

  it('refuses prototype pollution attempts', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/store/checkout',
      headers: { 'content-type': 'application/json' },
      payload: '{"__proto__": {"admin": true}}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('malformed_request');
  });

  it('answers an oversized body with 413', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/store/checkout',
      payload: { ...validBody, email: `${'a'.repeat(2000)}@example.com` },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('payload_too_large');
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/store/checkout',
      headers: { 'content-type': 'application/xml' },
      payload: '<checkout/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('malformed_request');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await app.inject({ url: '/store/nope?token=secret' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({
      code: 'not_found',
      detail: 'No endpoint matches GET /store/nope.',
      instance: '/store/nope',
    });
  });
});

describe('errors', () => {
  it('answers an unexpected error with a generic 500 and logs it with the request id, card masked', async () => {
    const res = await app.inject({ url: '/boom', headers: { 'x-request-id': 'trace-123' } });

    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      type: 'https://emporium.dev/problems/internal_error',
      title: 'Internal error',
      status: 500,
      detail:
        'Something went wrong on our side. If it keeps happening, contact support and quote request id trace-123.',
      code: 'internal_error',
      instance: '/boom',
      request_id: 'trace-123',
    });
    for (const leak of ['insert', 'payments', '4242', 'constraint', 'Error', 'at ']) {
      expect(res.body).not.toContain(leak);
    }

    const logged = logs().find((line) => line.msg === 'request failed');
    expect(logged).toMatchObject({ level: 'error', request_id: 'trace-123' });
    const err = logged?.err as { message: string; stack: string };
    expect(err.message).toContain("values ('•••• 4242')");
    expect(err.stack).toContain('•••• 4242');
    expect(logLines.join('')).not.toContain('4242424242424242');
  });

  it('answers an AppError with its status, code, detail and extensions', async () => {
    const res = await app.inject({ url: '/out-of-stock' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      type: 'https://emporium.dev/problems/out_of_stock',
      title: 'Out of stock',
      status: 409,
      code: 'out_of_stock',
      detail: 'Only 2 of "Blue mug" are left.',
      available: 2,
    });
  });
});

describe('request ids', () => {
  it('echoes a valid incoming x-request-id and logs every line of the request with it', async () => {
    const res = await app.inject({ url: '/store/products', headers: { 'x-request-id': 'gw-42' } });
    expect(res.headers['x-request-id']).toBe('gw-42');
    const lines = logs().filter((line) => line.request_id !== undefined);
    expect(lines.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    expect(lines.every((line) => line.request_id === 'gw-42')).toBe(true);
  });

  it('generates one when the incoming id is missing or malformed, also on errors', async () => {
    const generated = await app.inject({ url: '/nope' });
    const replaced = await app.inject({ url: '/boom', headers: { 'x-request-id': 'bad id\r\n' } });
    expect(generated.headers['x-request-id']).toMatch(/^req_[0-9a-z]{26}$/);
    expect(replaced.headers['x-request-id']).toMatch(/^req_[0-9a-z]{26}$/);
    expect(replaced.json().request_id).toBe(replaced.headers['x-request-id']);
  });
});

describe('security headers', () => {
  it('sends API security headers on every response, errors included', async () => {
    for (const url of ['/store/products', '/nope', '/boom']) {
      const { headers } = await app.inject({ url });
      expect(headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['cross-origin-resource-policy']).toBe('same-site');
      expect(headers['x-powered-by']).toBeUndefined();
      // Headers that only mean something to an HTML document stay off JSON answers.
      expect(headers['cross-origin-opener-policy']).toBeUndefined();
      expect(headers['x-dns-prefetch-control']).toBeUndefined();
    }
  });

  it('adds the document headers to HTML answers, without overriding what the route set', async () => {
    const { headers } = await app.inject({ url: '/docs' });
    expect(headers['content-type']).toMatch(/^text\/html/);
    expect(headers).toMatchObject({
      'cross-origin-opener-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
      'x-content-type-options': 'nosniff',
    });
    expect(headers['content-security-policy']).not.toBe("default-src 'none';frame-ancestors 'none'");
    // HTML is compressed (the storefront's page-weight test covers it); JSON is left as it is.
    const json = await app.inject({ url: '/openapi.json', headers: { 'accept-encoding': 'br' } });
    expect(json.headers['content-encoding']).toBeUndefined();
  });
});

describe('OpenAPI', () => {
  it('publishes an OpenAPI 3.1 document listing the registered routes and their schemas', async () => {
    const res = await app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Emporium test', version: '0.0.0' });
    const checkout = doc.paths['/store/checkout'].post;
    expect(checkout.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['email', 'quantity', 'shipping_address'],
    });
    expect(doc.paths['/store/products'].get.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'limit', in: 'query' })]),
    );
    expect(doc.paths['/healthz'].get.tags).toEqual(['ops']);
    expect(doc.components.schemas.Address).toMatchObject({ additionalProperties: false });
    expect(doc.paths['/metrics']).toBeUndefined();
    expect(doc.paths['/openapi.json']).toBeUndefined();
  });

  it('serves Swagger UI at /docs with a CSP that lets it run', async () => {
    const res = await app.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    const script = await app.inject({ url: '/docs/static/swagger-initializer.js' });
    expect(script.statusCode).toBe(200);
  });
});
