import { type TObject, type TObjectOptions, type TProperties, Type } from 'typebox';

/**
 * An object schema that rejects unknown properties (API.md: "Unknown body fields are rejected").
 * Use it for every object in a request body; the app refuses to register a route whose body lets
 * unknown properties through.
 *
 * @example
 * const Body = StrictObject({ variant_id: Type.String(), quantity: Type.Integer({ minimum: 1 }) });
 */
export function StrictObject<P extends TProperties>(properties: P, options: TObjectOptions = {}): TObject<P> {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Shared schemas by `$id` (`app.getSchemas()`), to follow `{ $ref: 'Address#' }`. */
export type SharedSchemas = Readonly<Record<string, unknown>>;

/**
 * Where a schema lets unknown properties through: JSON pointers (`*` for any key or item) to each
 * object schema with neither `additionalProperties: false` nor `unevaluatedProperties: false`.
 * Maps (`additionalProperties` or `patternProperties` given as schemas) are closed by definition.
 * References to whole shared schemas (`Address#`) are followed; pointers into them are not.
 */
export function findOpenObjects(schema: unknown, shared: SharedSchemas = {}): string[] {
  const open: string[] = [];
  const followed = new Set<string>();

  const visit = (node: unknown, at: string, closedByParent: boolean): void => {
    if (!isSchema(node)) return;
    if (typeof node.$ref === 'string') {
      const id = node.$ref.replace(/#$/, '');
      if (followed.has(id)) return;
      followed.add(id);
      visit(shared[id], at, closedByParent);
    }
    const closed =
      closedByParent ||
      node.additionalProperties === false ||
      node.unevaluatedProperties === false ||
      isSchema(node.additionalProperties) ||
      isSchema(node.patternProperties);
    if (describesObject(node) && !closed) open.push(at || '/');

    if (isSchema(node.properties)) {
      for (const [name, property] of Object.entries(node.properties)) visit(property, `${at}/${name}`, false);
    }
    visit(node.additionalProperties, `${at}/*`, false);
    if (isSchema(node.patternProperties)) {
      for (const property of Object.values(node.patternProperties)) visit(property, `${at}/*`, false);
    }
    for (const items of [node.items, node.prefixItems].flat()) visit(items, `${at}/*`, false);
    // Branches of a composition are checked as part of their parent, which may close them.
    for (const branch of [node.allOf, node.anyOf, node.oneOf].flat()) visit(branch, at, closed);
  };

  visit(schema, '', false);
  return open;
}

function describesObject(schema: Schema): boolean {
  const { type } = schema;
  if (type === 'object' || (Array.isArray(type) && type.includes('object'))) return true;
  return type === undefined && isSchema(schema.properties);
}

/** The part of a route definition the strict-body guard reads. */
export interface RouteSchemaInfo {
  method: string | string[];
  url: string;
  schema?: { body?: unknown };
}

/**
 * Throws when a route's body schema accepts unknown properties anywhere; installed as an `onRoute`
 * hook, so such a route fails at registration instead of silently accepting extra fields.
 */
export function assertStrictBody(route: RouteSchemaInfo, shared: SharedSchemas = {}): void {
  const body = route.schema?.body;
  if (body === undefined) return;
  const open = bodySchemas(body).flatMap((schema) => findOpenObjects(schema, shared));
  if (open.length === 0) return;
  const method = [route.method].flat().join(',');
  throw new Error(
    `${method} ${route.url}: the body schema accepts unknown properties at ${open.join(', ')}; ` +
      'build its objects with StrictObject() or set additionalProperties: false',
  );
}

// Fastify also accepts a body schema per content type: { content: { 'application/json': { schema } } }.
function bodySchemas(body: unknown): unknown[] {
  if (isSchema(body) && isSchema(body.content) && body.type === undefined) {
    return Object.values(body.content).map((entry) => (isSchema(entry) ? entry.schema : undefined));
  }
  return [body];
}
