import { Ajv, type AnySchema, type Options } from 'ajv';
// ajv-formats is CommonJS: `default` is the plugin both to TypeScript and at run time.
import formats from 'ajv-formats';
import type { FastifySchemaCompiler, FastifyServerOptions } from 'fastify';

type ValidatorFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>['buildValidator'];

const sharedOptions: Options = {
  allErrors: true,
  removeAdditional: false,
  useDefaults: true,
  // Unknown keywords are schema typos; fail at start-up rather than validate less than intended.
  strictSchema: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  addUsedSchema: false,
};

/**
 * Fastify's validator factory with two Ajv instances: one for bodies, which are JSON and must already
 * have the right types (`"1"` is not a number), and one for the query string, path parameters and
 * headers, which arrive as text and are coerced (`?limit=5` → 5, `?id=a` → `['a']` for arrays).
 * Both reject unknown properties rather than strip them, report every problem, and know the
 * ajv-formats formats (`email`, `uri`, `date-time`, `uuid`, …).
 */
export function createValidatorFactory(): ValidatorFactory {
  const factory = (externalSchemas: Record<string, AnySchema>): FastifySchemaCompiler<AnySchema> => {
    const forBody = createAjv({ ...sharedOptions, coerceTypes: false }, externalSchemas);
    const forText = createAjv({ ...sharedOptions, coerceTypes: 'array' }, externalSchemas);
    return ({ schema, httpPart }) => compile(httpPart === 'body' ? forBody : forText, schema);
  };
  // Fastify's type for this hook still describes @fastify/ajv-compiler's internals; at run time it
  // is called with the shared schemas and must return a compiler taking the route definition.
  return factory as unknown as ValidatorFactory;
}

function createAjv(options: Options, externalSchemas: Record<string, AnySchema>): Ajv {
  const ajv = new Ajv(options);
  formats.default(ajv);
  // OpenAPI's annotation keyword; documentation only.
  ajv.addKeyword('example');
  for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema);
  return ajv;
}

function compile(ajv: Ajv, schema: AnySchema) {
  // One Ajv instance cannot compile two schemas with the same $id; reuse the first.
  const id = typeof schema === 'object' && typeof schema.$id === 'string' ? schema.$id : undefined;
  return (id && ajv.getSchema(id)) || ajv.compile(schema);
}
