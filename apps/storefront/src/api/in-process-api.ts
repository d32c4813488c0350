import type { HttpApp } from '@emporium/platform';
import { type ApiRequest, type ApiResponse, encodeBody, parseBody, type StoreApi } from './store-api.ts';

/**
 * The monolith's adapter: every call is `app.inject` on the same Fastify app, so it runs the real
 * routes, validation and hooks of the public API without a socket.
 */
export function createInProcessApi(app: HttpApp): StoreApi {
  return {
    async request<T>(req: ApiRequest): Promise<ApiResponse<T>> {
      const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
      const body = encodeBody(req);
      const res = await app.inject({
        method: req.method,
        url: req.path,
        headers: body ? { ...headers, 'content-type': body.type } : headers,
        ...(body ? { payload: body.payload } : {}),
      });
      const flat: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      }
      const bytes = res.rawPayload;
      return {
        status: res.statusCode,
        headers: flat,
        bytes,
        body: parseBody(flat['content-type'], bytes) as T,
      };
    },
  };
}
