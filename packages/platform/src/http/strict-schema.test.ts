import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/create-logger.ts';
import { createMetrics } from '../metrics/create-metrics.ts';
import { createHttpApp } from './create-http-app.ts';
import type { HttpApp } from './http-app.ts';
import { findOpenObjects, StrictObject } from './strict-schema.ts';

describe('StrictObject', () => {
  it('is an object schema that forbids additional properties', () => {
    expect(StrictObject({ a: Type.String() }, { description: 'x' })).toMatchObject({
      type: 'object',
      additionalProperties: false,
      description: 'x',
    });
  });
});

describe('findOpenObjects', () => {
  it('finds nothing in strict schemas, including maps and arrays of strict objects', () => {
    const schema = StrictObject({
      address: StrictObject({ line1: Type.String() }),
      variants: Type.Array(StrictObject({ options: Type.Record(Type.String(), Type.String()) })),
      metadata: Type.Object({}, { additionalProperties: Type.String() }),
      choice: Type.Union([StrictObject({ a: Type.String() }), StrictObject({ b: Type.String() })]),
    });
    expect(findOpenObjects(schema)).toEqual([]);
  });

  it('points at every object that lets unknown properties through, however deep', () => {
    const schema = Type.Object({
      address: Type.Object({ line1: Type.String() }),
      variants: Type.Array(Type.Object({ sku: Type.String() })),
      choice: Type.Union([StrictObject({ a: Type.String() }), Type.Object({ b: Type.String() })]),
    });
    expect(findOpenObjects(schema)).toEqual(['/', '/address', '/variants/*', '/choice']);
  });

  it('follows references to shared schemas, once each', () => {
    const shared = {
      Address: Type.Object({ line1: Type.String() }),
      Node: StrictObject({ child: Type.Optional(Type.Unsafe({ $ref: 'Node#' })) }),
    };
    expect(findOpenObjects(StrictObject({ billing: Type.Unsafe({ $ref: 'Address#' }) }), shared)).toEqual([
      '/billing',
    ]);
    expect(findOpenObjects({ $ref: 'Node' }, shared)).toEqual([]);
  });

  it('accepts unevaluatedProperties: false as closing a composition', () => {
    const schema = {
      allOf: [Type.Object({ a: Type.String() }), Type.Object({ b: Type.String() })],
      unevaluatedProperties: false,
    };
    expect(findOpenObjects(schema)).toEqual([]);
  });
});

describe('the strict-body guard', () => {
  let app: HttpApp;

  afterEach(async () => {
    await app.close();
  });

  const create = async () => {
    app = await createHttpApp({
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      readiness: [],
      openapi: { title: 'test', version: '0' },
    });
    return app;
  };

  it('refuses to register a route whose body schema accepts unknown properties', async () => {
    const server = await create();
    expect(() =>
      server.post(
        '/admin/products',
        {
          schema: { body: Type.Object({ title: Type.String(), seo: Type.Object({ slug: Type.String() }) }) },
        },
        async () => ({}),
      ),
    ).toThrow(
      'POST /admin/products: the body schema accepts unknown properties at /, /seo; build its objects with StrictObject() or set additionalProperties: false',
    );
  });

  it('makes the app fail to start when a plugin registers such a route', async () => {
    const server = await create();
    server.register(
      async (plugin) => {
        plugin.put(
          '/items/:id',
          { schema: { body: Type.Object({ quantity: Type.Integer() }) } },
          async () => ({}),
        );
      },
      { prefix: '/store' },
    );
    await expect(server.ready()).rejects.toThrow(
      'PUT /store/items/:id: the body schema accepts unknown properties',
    );
  });

  it('checks body schemas given per content type', async () => {
    const server = await create();
    expect(() =>
      server.post(
        '/uploads',
        {
          schema: {
            body: { content: { 'application/json': { schema: Type.Object({ a: Type.String() }) } } },
          },
        },
        async () => ({}),
      ),
    ).toThrow('/uploads: the body schema accepts unknown properties at /');
  });

  it('follows the body schema to shared schemas added with addSchema', async () => {
    const server = await create();
    server.addSchema({ $id: 'LooseAddress', type: 'object', properties: { line1: { type: 'string' } } });
    expect(() =>
      server.post('/addresses', { schema: { body: { $ref: 'LooseAddress#' } } }, async () => ({})),
    ).toThrow('POST /addresses: the body schema accepts unknown properties at /');
  });

  it('lets strict routes through', async () => {
    const server = await create();
    server.post('/ok', { schema: { body: StrictObject({ a: Type.String() }) } }, async () => ({}));
    await expect(server.ready()).resolves.toBeDefined();
  });
});
