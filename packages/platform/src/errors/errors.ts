/**
 * Every public error code the platform itself can answer with. Modules keep their own list in
 * their `errors.ts`; docs/errors.md documents them all and a test keeps the two in step.
 */
export const platformErrorCodes = {
  validation_failed: 'The request body, query or path did not match the schema; `errors` lists each field.',
  malformed_request: 'The request body is not valid JSON or has an unsupported content type.',
  not_found: 'No resource or route matches the request.',
  payload_too_large: 'The request body is larger than the server accepts.',
  unauthorized: 'No valid credentials were presented.',
  forbidden: 'The credentials do not carry the permission this action needs.',
  rate_limited: 'Too many requests; retry after the number of seconds in `Retry-After`.',
  idempotency_conflict: 'The Idempotency-Key was used before with a different request.',
  idempotency_in_progress:
    'A request with the same Idempotency-Key is still running; retry after `Retry-After` seconds.',
  idempotency_key_required: 'This route needs an Idempotency-Key header.',
  service_unavailable: 'The server is shutting down or a dependency is unreachable.',
  internal_error: 'An unexpected error; the response carries a request id to report.',
} as const;

export type PlatformErrorCode = keyof typeof platformErrorCodes;
