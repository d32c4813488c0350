/**
 * The storefront's only way to the platform: the public HTTP API of API.md. Two adapters share
 * this port: in-process (`app.inject` on the monolith's own Fastify app, no network) and `fetch`
 * to an `API_URL` when the storefront is deployed on its own.
 */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** Absolute path with its query string, e.g. `/store/products?q=shirt`. */
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as `application/x-www-form-urlencoded` instead (the OAuth token endpoint). */
  form?: Record<string, string>;
  /** Sent as these bytes with this content type instead (an image upload). */
  raw?: { type: string; data: Buffer };
  /** Per attempt, overriding the adapter's default (a large upload takes longer). */
  timeoutMs?: number;
}

/** Content type and bytes of a request's body, if it has one. */
export function encodeBody(req: ApiRequest): { type: string; payload: string | Buffer } | undefined {
  if (req.raw) return { type: req.raw.type, payload: req.raw.data };
  if (req.form)
    return { type: 'application/x-www-form-urlencoded', payload: new URLSearchParams(req.form).toString() };
  if (req.body !== undefined) return { type: 'application/json', payload: JSON.stringify(req.body) };
  return undefined;
}

export interface ApiResponse<T = unknown> {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  body: T;
  /** The raw bytes (images). */
  bytes: Buffer;
}

export interface StoreApi {
  request<T = unknown>(request: ApiRequest): Promise<ApiResponse<T>>;
}

/** An RFC 9457 problem as the API reports it. */
export interface Problem {
  status: number;
  code?: string;
  title?: string;
  detail?: string;
  errors?: Array<{ path: string; message: string }>;
  [extra: string]: unknown;
}

export function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && typeof (body as Problem).status === 'number';
}

/** Builds `path?query` from defined, non-empty values; arrays repeat the name. */
export function withQuery(
  path: string,
  query: Record<string, string | number | boolean | string[] | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const v of value) params.append(name, v);
    else params.append(name, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export function parseBody(type: string | undefined, bytes: Buffer): unknown {
  if (bytes.length === 0 || !type || !/json/.test(type)) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
