import type { FastifyRequest } from 'fastify';

/** A form body as @fastify/formbody parses it: names to strings (arrays when repeated). */
export type FormBody = Record<string, string | string[] | undefined>;

export function formBody(request: FastifyRequest): FormBody {
  const body = request.body;
  return typeof body === 'object' && body !== null ? (body as FormBody) : {};
}

/** One trimmed field, at most `max` characters; '' when absent. */
export function field(body: FormBody, name: string, max = 200): string {
  const v = body[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.trim().slice(0, max) : '';
}

/** A whole number in [min, max], or null. */
export function intField(body: FormBody, name: string, min: number, max: number): number | null {
  const s = field(body, name, 12);
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n >= min && n <= max ? n : null;
}
