import type { FastifySchemaValidationError } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { createProblem, type Problem } from './problem.ts';
import {
  describeValidationFailure,
  type RequestPart,
  toFieldErrors,
  validationStatus,
} from './validation-errors.ts';

/** Where the error happened, for the problem's `request_id` and `instance` members. */
export interface ProblemContext {
  requestId: string;
  /** The request path, without the query string (which may carry tokens). */
  instance: string;
}

// Fastify's own client errors, by code, with details we choose rather than its internal messages.
const fastifyErrors: Record<string, { status: number; code: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'malformed_request',
    detail: 'The request body is not valid JSON.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'malformed_request',
    detail: 'The request body is empty; send a JSON document or omit the Content-Type header.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'malformed_request',
    detail: 'The Content-Type of the request body is not supported; send application/json.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    detail: 'The request body is larger than this server accepts.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'malformed_request',
    detail: 'The request body does not match its Content-Length header.',
  },
  FST_ERR_BAD_URL: { status: 400, code: 'malformed_request', detail: 'The request URL is not valid.' },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'malformed_request',
    detail: 'A segment of the request URL is too long.',
  },
};

const badRequest = { code: 'malformed_request', detail: 'The request could not be understood.' };

// Other client errors (from plugins or Node) by status; their messages are not shown to callers.
const clientErrors: Record<number, { code: string; detail: string }> = {
  400: badRequest,
  401: { code: 'unauthorized', detail: 'Sign in or send valid credentials to use this endpoint.' },
  403: { code: 'forbidden', detail: 'Your credentials do not allow this action.' },
  404: { code: 'not_found', detail: 'The requested resource was not found.' },
  405: { code: 'method_not_allowed', detail: 'This endpoint does not support the request method.' },
  413: { code: 'payload_too_large', detail: 'The request body is larger than this server accepts.' },
  414: { code: 'malformed_request', detail: 'The request URL is too long.' },
  415: { code: 'malformed_request', detail: 'The Content-Type of the request body is not supported.' },
  429: { code: 'rate_limited', detail: 'Too many requests; wait a moment and try again.' },
  431: { code: 'malformed_request', detail: 'The request headers are too large.' },
};

/**
 * Maps any error to the problem the client sees. Known errors keep their status, code and detail;
 * anything unexpected becomes a 500 `internal_error` whose detail is generic, so no message, stack
 * or SQL from inside the server ever reaches a response.
 */
export function problemFromError(error: unknown, context: ProblemContext): Problem {
  const base = { requestId: context.requestId, instance: context.instance };

  if (error instanceof AppError) {
    return createProblem({
      ...base,
      status: error.status,
      code: error.code,
      detail: error.detail,
      extensions: error.extensions,
    });
  }

  const validation = validationFailure(error);
  if (validation) {
    const errors = toFieldErrors(validation.issues);
    return createProblem({
      ...base,
      status: validationStatus(validation.part),
      code: 'validation_failed',
      detail: describeValidationFailure(validation.part, errors),
      extensions: { errors },
    });
  }

  const code = stringProperty(error, 'code');
  const known = code === undefined ? undefined : fastifyErrors[code];
  if (known) return createProblem({ ...base, ...known });

  const status = numberProperty(error, 'statusCode') ?? 500;
  const clientError = clientErrors[status];
  if (clientError) return createProblem({ ...base, status, ...clientError });
  if (status >= 400 && status < 500) return createProblem({ ...base, status: 400, ...badRequest });
  if (status === 503) {
    return createProblem({
      ...base,
      status,
      code: 'service_unavailable',
      detail: 'The service is temporarily unavailable; try again shortly.',
    });
  }
  return internalError(context);
}

/** The answer to an unexpected failure: nothing about the cause, only the id to quote. */
export function internalError(context: ProblemContext): Problem {
  return createProblem({
    requestId: context.requestId,
    instance: context.instance,
    status: 500,
    code: 'internal_error',
    detail: `Something went wrong on our side. If it keeps happening, contact support and quote request id ${context.requestId}.`,
  });
}

function validationFailure(
  error: unknown,
): { part: RequestPart; issues: FastifySchemaValidationError[] } | undefined {
  if (typeof error !== 'object' || error === null || !('validation' in error)) return undefined;
  const issues = error.validation;
  const part = stringProperty(error, 'validationContext');
  if (!Array.isArray(issues) || !isRequestPart(part)) return undefined;
  return { part, issues };
}

function isRequestPart(part: string | undefined): part is RequestPart {
  return part === 'body' || part === 'querystring' || part === 'params' || part === 'headers';
}

function stringProperty(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const property: unknown = (value as Record<string, unknown>)[key];
  return typeof property === 'string' ? property : undefined;
}

function numberProperty(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const property: unknown = (value as Record<string, unknown>)[key];
  return typeof property === 'number' ? property : undefined;
}
