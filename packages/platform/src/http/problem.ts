import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';

/** Media type of every error response (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Problem `type` URIs are this base plus the code, e.g. `https://emporium.dev/problems/out_of_stock`. */
export const PROBLEM_TYPE_BASE = 'https://emporium.dev/problems/';

/**
 * An RFC 9457 problem document as API.md specifies it: the standard members, our stable snake_case
 * `code`, the `request_id` to quote to support, and extension members such as `errors`.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  /** A sentence the caller (often a shopper) can read and act on. Never internals. */
  detail: string;
  code: string;
  instance?: string;
  request_id: string;
  [extension: string]: unknown;
}

/** JSON Schema of {@link Problem}, for routes to declare their error responses in OpenAPI. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ pattern: '^[a-z][a-z0-9_]*$' }),
    instance: Type.Optional(Type.String()),
    request_id: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details.' },
);

export interface ProblemInput {
  status: number;
  code: string;
  detail: string;
  requestId: string;
  instance?: string;
  extensions?: Readonly<Record<string, unknown>>;
}

const standardMembers = new Set(['type', 'title', 'status', 'detail', 'code', 'instance', 'request_id']);

/** Builds a problem document: standard members first, then extensions, which never override them. */
export function createProblem(input: ProblemInput): Problem {
  const problem: Problem = {
    type: `${PROBLEM_TYPE_BASE}${input.code}`,
    title: titleOf(input.code),
    status: input.status,
    detail: input.detail,
    code: input.code,
    ...(input.instance === undefined ? {} : { instance: input.instance }),
    request_id: input.requestId,
  };
  for (const [name, value] of Object.entries(input.extensions ?? {})) {
    if (!standardMembers.has(name)) problem[name] = value;
  }
  return problem;
}

/** `out_of_stock` → `Out of stock`: one title per code, as RFC 9457 asks of a problem type. */
function titleOf(code: string): string {
  const words = code.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Sends a problem as `application/problem+json`. The body is serialized here so that no route
 * response schema can drop members from it.
 */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply
    .code(problem.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .header('cache-control', 'no-store')
    .send(JSON.stringify(problem));
}
