import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { type IdempotencyClaim, type IdempotencyStore, isValidIdempotencyKey } from './idempotency-store.ts';

/** The request header carrying the client's key (case-insensitive on the wire). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set to `true` on a response that is a replay of the stored first response. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

export interface IdempotentRouteOptions {
  /** Answer 400 `idempotency_key_required` when the header is missing. Default false (optional key). */
  required?: boolean;
  /** The operation's name. Default: the route's method and URL pattern, e.g. `POST /admin/orders/:id/refunds`. */
  scope?: string;
  /**
   * Whose key it is. Default: the authenticated principal's subject, else `anonymous`. Store routes
   * authorised by a resource secret pass the resource id (`(req) => req.params.id` for a cart).
   */
  owner?: (request: FastifyRequest) => string;
  /** Response headers stored and replayed besides `content-type` and `location`. Lower-case. */
  headers?: readonly string[];
}

/** The route hooks `idempotent()` returns: spread them into the route options. */
export interface IdempotentRouteHooks {
  preHandler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  onSend: (request: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown>;
}

/**
 * A hash of what the request asks for: method, path with query, and the body as canonical JSON
 * (object keys sorted), so the same request with its fields in another order still matches.
 */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${url}\n${canonicalJson(body ?? null)}`)
    .digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Per-request state between the two hooks: the claim held, or that this reply is a replay. */
const state = new WeakMap<FastifyRequest, { claim?: IdempotencyClaim; replayed?: boolean }>();

/**
 * Makes a Fastify route idempotent under the `Idempotency-Key` header (API.md, "Conventions"):
 *
 * - no key: the route runs as usual (or, with `required`, 400 `idempotency_key_required`);
 *   a malformed key (not 1–255 printable ASCII characters): 400 `validation_failed`;
 * - first use of a key: the route runs once; its response (status, body, `content-type`, `location`
 *   and `headers`) is stored before it is sent — unless it is a 5xx, which releases the key so a
 *   retry runs again;
 * - same key, same method + path + body: the stored response again, with `Idempotent-Replayed: true`;
 * - same key, different request: 409 `idempotency_conflict`;
 * - same key while the first request is still running: 409 `idempotency_in_progress` with
 *   `Retry-After` (we answer at once rather than hold the connection; retrying then replays).
 *
 * Keys are scoped by route and owner and remembered 24 hours. The preHandler must run after the
 * route's authentication and ownership checks (put those in `onRequest`, or before it in a
 * `preHandler` array), so a replay is only ever shown to someone allowed to see it.
 *
 * @example
 * app.post('/admin/orders/:id/refunds', {
 *   onRequest: requirePermission('orders:write'),
 *   ...idempotent(store, { required: true }),
 *   schema: { body: RefundBody },
 * }, handler);
 */
export function idempotent(
  store: IdempotencyStore,
  options: IdempotentRouteOptions = {},
): IdempotentRouteHooks {
  const kept = new Set(['content-type', 'location', ...(options.headers ?? []).map((h) => h.toLowerCase())]);
  return {
    async preHandler(request, reply) {
      const header = request.headers[IDEMPOTENCY_KEY_HEADER];
      const key = Array.isArray(header) ? header[0] : header;
      if (key === undefined || key === '') {
        if (options.required) {
          throw new AppError(
            'idempotency_key_required',
            400,
            'This request needs an Idempotency-Key header (a unique value per intended operation, e.g. a UUID) so that a retry can never apply it twice.',
          );
        }
        return;
      }
      if (!isValidIdempotencyKey(key)) {
        throw new AppError(
          'validation_failed',
          400,
          'The Idempotency-Key header must be 1 to 255 printable ASCII characters without spaces.',
          {
            extensions: {
              errors: [
                {
                  path: '/headers/idempotency-key',
                  message: 'must be 1 to 255 printable ASCII characters without spaces',
                },
              ],
            },
          },
        );
      }
      const scope = options.scope ?? `${request.method} ${request.routeOptions.url ?? request.url}`;
      const owner = options.owner?.(request) ?? request.principal?.subject ?? 'anonymous';
      const fingerprint = requestFingerprint(request.method, request.url, request.body);
      const result = await store.claim({ scope, owner, key, fingerprint });
      switch (result.outcome) {
        case 'claimed':
          state.set(request, { claim: result.claim });
          return;
        case 'replay':
          state.set(request, { replayed: true });
          reply.code(result.response.status);
          for (const [name, value] of Object.entries(result.response.headers)) reply.header(name, value);
          reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
          return reply.send(result.response.body);
        case 'conflict':
          throw new AppError(
            'idempotency_conflict',
            409,
            'This Idempotency-Key was already used for a different request; use a new key for a new operation.',
          );
        case 'in_progress':
          reply.header('retry-after', String(result.retryAfterSeconds));
          throw new AppError(
            'idempotency_in_progress',
            409,
            'A request with this Idempotency-Key is still being processed; retry shortly to get its result.',
            { extensions: { retry_after: result.retryAfterSeconds } },
          );
      }
    },

    async onSend(request, reply, payload) {
      const claim = state.get(request)?.claim;
      if (!claim) return payload;
      state.delete(request);
      const body =
        typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
      if (reply.statusCode >= 500 || body === null) {
        await store.release(claim);
        return payload;
      }
      const headers: Record<string, string> = {};
      for (const name of kept) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      await store.complete(claim, { status: reply.statusCode, headers, body });
      return payload;
    },
  };
}
