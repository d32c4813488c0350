import { validationFailed } from '../errors/app-error.ts';
import type { HttpApp } from './http-app.ts';

/** The JSON escape of U+0000; JSON can carry the character only this way. */
const ESCAPED_NUL = '\\u0000';

/**
 * JSON bodies whose text holds no NUL character (U+0000). PostgreSQL stores none in `text` or
 * `jsonb`, so such a body passed the schema and then failed at the database, as a 500 after the
 * route's checks. A body without the escape (nearly all) costs one search of its text; otherwise
 * its strings and keys are checked, and one holding the character is refused with a 422 naming it.
 * Parsing itself stays Fastify's (prototype and constructor poisoning refused).
 */
export function installNulFreeJson(app: HttpApp): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    void parse(request, text, (err: Error | null, value?: unknown) => {
      if (err || !text.includes(ESCAPED_NUL)) {
        done(err, value);
        return;
      }
      const path = nulAt(value, '');
      if (path === undefined) {
        done(null, value);
        return;
      }
      done(
        validationFailed(
          `The request body is invalid: ${path || '/'} contains the NUL character (\\u0000), which cannot be stored; remove it and send the request again.`,
          [{ path: path || '/', message: 'must not contain the NUL character' }],
        ),
        undefined,
      );
    });
  });
}

/** The JSON pointer of the first string or key in `value` holding U+0000, or undefined. */
function nulAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulAt(item, `${path}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const here = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (key.includes('\u0000')) return here;
      const found = nulAt(item, here);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
