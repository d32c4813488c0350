/** What a redacted value is replaced with in the logs. */
export const REDACTED = '[redacted]';

// Compared after normalisation (lower case, letters and digits only), so `client_secret`,
// `clientSecret`, `Client-Secret` and `CLIENT_SECRET` are one entry.
const SENSITIVE_KEYS = new Set(
  [
    'password',
    'password_hash',
    'secret',
    'client_secret',
    'token',
    'access_token',
    'refresh_token',
    'id_token',
    'authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'x-api-key',
    'api_key',
    'number',
    'card_number',
    'pan',
    'cvc',
    'cvv',
    'totp',
    'otp',
    'code_verifier',
  ].map(normalizeKey),
);

// In query strings `code` is an OAuth authorization code; as an object key it is mostly an error code.
const SENSITIVE_QUERY_KEYS = new Set([...SENSITIVE_KEYS, 'code']);

// Deep enough for `{ req: { body: { payment: { card: { number } } } } }`, shallow enough to bound the cost.
const MAX_DEPTH = 8;

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

// Field names repeat (every request's child logger binds `request_id`): each is normalised once.
// Bounded, since logged objects may carry keys from outside.
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 10_000;

/** True when a field of this name holds a secret, credential or card data and must never be logged. */
export function isSensitiveKey(key: string): boolean {
  let sensitive = verdicts.get(key);
  if (sensitive === undefined) {
    sensitive = SENSITIVE_KEYS.has(normalizeKey(key));
    if (verdicts.size < MAX_VERDICTS) verdicts.set(key, sensitive);
  }
  return sensitive;
}

/**
 * Returns `value` with every sensitive field (see {@link isSensitiveKey}) of plain objects and arrays
 * replaced by `[redacted]`, at any depth up to 8. Copy-on-write: the caller's objects are never
 * mutated, and untouched branches are shared. Class instances (requests, errors, buffers) are left
 * alone; their serializers decide what is logged.
 */
export function redactSensitive<T>(value: T): T {
  return redactValue(value, 0) as T;
}

function redactValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const redacted = redactValue(item, depth + 1);
      if (redacted !== item) {
        copy ??= [...value];
        copy[i] = redacted;
      }
    });
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;

  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const redacted = isSensitiveKey(key) && item !== undefined ? REDACTED : redactValue(item, depth + 1);
    if (redacted !== item) {
      copy ??= { ...record };
      copy[key] = redacted;
    }
  }
  return copy ?? value;
}

/** A request URL with the values of sensitive query parameters (`?token=…`, `?code=…`) redacted. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = pair.slice(0, eq);
      return SENSITIVE_QUERY_KEYS.has(normalizeKey(safeDecode(name))) ? `${name}=${REDACTED}` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const URL_CREDENTIALS = /\b([a-z][a-z\d+.-]*:\/\/[^\s/?#@:]*):[^\s/?#@]+@/gi;

/** Masks the password of URLs with credentials: `postgres://app:[redacted]@db:5432/shop`. */
export function maskUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, `$1:${REDACTED}@`);
}
