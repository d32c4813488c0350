import { type ApiRequest, type ApiResponse, encodeBody, parseBody, type StoreApi } from './store-api.ts';

export interface HttpApiOptions {
  /** e.g. `https://api.example.com`; paths are appended to it. */
  baseUrl: string;
  /** Per attempt. Default 5000 ms. */
  timeoutMs?: number;
  /** Extra attempts for GETs that failed on the network or with 502/503/504. Default 2. */
  retries?: number;
}

const RETRYABLE = new Set([502, 503, 504]);

/**
 * The separate-deployment adapter: `fetch` to the API's origin, with a timeout per attempt and
 * retries (backoff with jitter) for idempotent reads only — a POST is never repeated here (the
 * API's Idempotency-Key protects the retries a shopper makes).
 */
export function createHttpApi(options: HttpApiOptions): StoreApi {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5000;
  const retries = options.retries ?? 2;
  return {
    async request<T>(req: ApiRequest): Promise<ApiResponse<T>> {
      const attempts = req.method === 'GET' ? retries + 1 : 1;
      const body = encodeBody(req);
      let lastError: unknown;
      for (let attempt = 0; attempt < attempts; attempt++) {
        if (attempt > 0) await delay(100 * 2 ** attempt * (0.5 + Math.random()));
        try {
          const res = await fetch(base + req.path, {
            method: req.method,
            headers: {
              accept: 'application/json',
              ...(body ? { 'content-type': body.type } : {}),
              ...req.headers,
            },
            ...(body ? { body: body.payload } : {}),
            signal: AbortSignal.timeout(req.timeoutMs ?? timeoutMs),
            redirect: 'manual',
          });
          if (RETRYABLE.has(res.status) && attempt < attempts - 1) continue;
          const headers: Record<string, string> = {};
          res.headers.forEach((value, name) => {
            headers[name.toLowerCase()] = value;
          });
          const bytes = Buffer.from(await res.arrayBuffer());
          return { status: res.status, headers, bytes, body: parseBody(headers['content-type'], bytes) as T };
        } catch (err) {
          lastError = err;
        }
      }
      throw new Error(`The API at ${base} did not answer ${req.method} ${req.path.split('?')[0]}`, {
        cause: lastError,
      });
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
