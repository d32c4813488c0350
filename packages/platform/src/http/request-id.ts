import { newId } from '../ids/ids.ts';

/** The header that carries the request id in both directions. */
export const REQUEST_ID_HEADER = 'x-request-id';

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of an incoming request: the caller's `x-request-id` when it is well formed (1-128 letters,
 * digits or `._:-`), so ids stay stable across a gateway and its services; otherwise a new `req_…` id.
 * Anything else is dropped rather than echoed, since the id lands in headers and every log line.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && VALID_REQUEST_ID.test(header) ? header : newId('req');
}
