import type { FastifySchemaValidationError } from 'fastify';
import type { FieldError } from '../errors/app-error.ts';

/** The part of the request a schema validated, as Fastify names it. */
export type RequestPart = 'body' | 'querystring' | 'params' | 'headers';

// Bound the work and the response size; the first problems are enough to fix a request.
const MAX_ISSUES_READ = 500;
const MAX_FIELD_ERRORS = 50;
const PARTS_IN_DETAIL = 3;

const partNames: Record<RequestPart, string> = {
  body: 'request body',
  querystring: 'query string',
  params: 'URL path',
  headers: 'request headers',
};

/**
 * Turns Ajv's errors into `{ path, message }` pairs with JSON-pointer paths. A missing or unknown
 * property is reported at its own path (`/email: is required`, `/foo: is not allowed`), not at its
 * parent's, so a client can put the message next to the right field. A value that matches no
 * alternative of a union gets one message listing the alternatives rather than one per branch.
 */
export function toFieldErrors(allIssues: readonly FastifySchemaValidationError[]): FieldError[] {
  const issues = allIssues.slice(0, MAX_ISSUES_READ);
  const alternatives = alternativesByPath(issues);
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const options = alternatives.get(issue.instancePath);
    if (options && isAlternative(issue)) continue;
    const error =
      options && isUnion(issue) ? { path: issue.instancePath, message: oneOf(options) } : toFieldError(issue);
    const key = `${error.path}\u0000${error.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(error);
    if (errors.length === MAX_FIELD_ERRORS) break;
  }
  return errors;
}

const isUnion = (issue: FastifySchemaValidationError) =>
  issue.keyword === 'anyOf' || issue.keyword === 'oneOf';
const isAlternative = (issue: FastifySchemaValidationError) =>
  issue.keyword === 'const' || issue.keyword === 'enum' || issue.keyword === 'type';

// For each path where a union of plain values failed, what its branches accept there: `"draft"`, `null`,
// `string`. Unions with a branch that failed deeper (an object missing a field) keep the detailed errors.
function alternativesByPath(issues: readonly FastifySchemaValidationError[]): Map<string, string[]> {
  const alternatives = new Map<string, string[]>();
  for (const union of issues.filter(isUnion)) {
    const path = union.instancePath;
    const branches = issues.filter(
      (issue) =>
        issue !== union && (issue.instancePath === path || issue.instancePath.startsWith(`${path}/`)),
    );
    if (
      branches.length > 0 &&
      branches.every((issue) => issue.instancePath === path && isAlternative(issue))
    ) {
      alternatives.set(path, branches.flatMap(acceptedValues));
    }
  }
  return alternatives;
}

function acceptedValues({ keyword, params }: FastifySchemaValidationError): string[] {
  if (keyword === 'const') return [JSON.stringify(params.allowedValue)];
  if (keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return params.allowedValues.map((value) => JSON.stringify(value));
  }
  return [params.type].flat().map(String);
}

function oneOf(options: readonly string[]): string {
  return `must be one of: ${[...new Set(options)].join(', ')}`;
}

function toFieldError(issue: FastifySchemaValidationError): FieldError {
  const { keyword, instancePath, params } = issue;
  if (keyword === 'required' && typeof params.missingProperty === 'string') {
    return { path: `${instancePath}/${escapePointer(params.missingProperty)}`, message: 'is required' };
  }
  if (keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return { path: `${instancePath}/${escapePointer(params.additionalProperty)}`, message: 'is not allowed' };
  }
  if (keyword === 'enum' || keyword === 'const') {
    return { path: instancePath, message: oneOf(acceptedValues(issue)) };
  }
  return { path: instancePath, message: issue.message ?? 'is invalid' };
}

function escapePointer(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** A sentence naming the first few problems, e.g. `The request body is invalid: /email is required.` */
export function describeValidationFailure(part: RequestPart, errors: readonly FieldError[]): string {
  const listed = errors.slice(0, PARTS_IN_DETAIL).map((e) => `${e.path || '(root)'} ${e.message}`);
  const more =
    errors.length > PARTS_IN_DETAIL ? ` and ${errors.length - PARTS_IN_DETAIL} more (see errors)` : '';
  return `The ${partNames[part]} is invalid: ${listed.join('; ')}${more}.`;
}

/** Bodies that fail their schema are 422 (well-formed but unprocessable); other parts are 400. */
export function validationStatus(part: RequestPart): number {
  return part === 'body' ? 422 : 400;
}
