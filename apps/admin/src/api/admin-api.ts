import type { HttpApp } from '@emporium/platform';
import {
  type ApiRequest,
  type ApiResponse,
  createHttpApi,
  createInProcessApi,
  type StoreApi,
} from '@emporium/storefront';

/**
 * The dashboard's only way to the platform: the public admin HTTP API (API.md), called with the
 * signed-in staff member's access token. The transport is the storefront's API port (the same two
 * adapters: `app.inject` in the monolith, `fetch` for a separate deployment); this adds the token.
 */
export interface AdminApi {
  /** `token`: the staff access token, sent as `Authorization: Bearer`; omitted for `/auth` calls. */
  request<T = unknown>(request: ApiRequest, token?: string): Promise<ApiResponse<T>>;
  /** POSTs raw bytes (an image to `/admin/media`) with `contentType` and the staff member's token. */
  upload<T = unknown>(
    path: string,
    bytes: Buffer,
    contentType: string,
    token: string,
  ): Promise<ApiResponse<T>>;
}

export type { ApiRequest, ApiResponse };

/** Wraps a transport so each call carries the staff member's bearer token. */
export function adminApiOver(transport: StoreApi): AdminApi {
  const api: AdminApi = {
    request<T>(req: ApiRequest, token?: string) {
      const headers = token ? { ...req.headers, authorization: `Bearer ${token}` } : req.headers;
      return transport.request<T>(headers ? { ...req, headers } : req);
    },
    upload<T>(path: string, bytes: Buffer, contentType: string, token: string) {
      // Not retried (a POST); 30 s covers a 10 MB image decoded and re-encoded by the API.
      return api.request<T>(
        { method: 'POST', path, raw: { type: contentType, data: bytes }, timeoutMs: 30_000 },
        token,
      );
    },
  };
  return api;
}

/** The monolith's adapter: `app.inject` on the same Fastify app (real routes, hooks and checks). */
export function createInProcessAdminApi(app: HttpApp): AdminApi {
  return adminApiOver(createInProcessApi(app));
}

/** A separately deployed dashboard: `fetch` to the API's origin (timeouts; retries for GETs only). */
export function createHttpAdminApi(baseUrl: string): AdminApi {
  return adminApiOver(createHttpApi({ baseUrl }));
}

/** An RFC 9457 problem as the API reports it. */
export interface Problem {
  status: number;
  code?: string;
  detail?: string;
  errors?: Array<{ path: string; message: string }>;
}

export function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && typeof (body as Problem).status === 'number';
}

/** A sentence for staff from a failed call. */
export function problemText(res: ApiResponse<unknown>, fallback: string): string {
  if (!isProblem(res.body)) return fallback;
  const first = res.body.errors?.[0];
  const detail = res.body.detail ?? fallback;
  return first ? `${detail} (${first.path || 'body'}: ${first.message})` : detail;
}

/** `path?query` from the defined, non-empty values. */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.append(name, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}
