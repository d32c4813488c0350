/**
 * Small typed readers for environment settings. Each returns the parsed value or a sentence that
 * says what was expected; `readSettings` collects every problem before failing, so a person fixes
 * them all in one go. (Written here rather than pulled in: env-schema and friends print ajv
 * messages, not sentences naming the variable, and we need `NAME_FILE` support for secrets anyway.)
 */
type Env = Readonly<Record<string, string | undefined>>;

export type Reader<T> = (raw: string | undefined) => { value: T } | { problem: string };

const show = (raw: string): string => JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);

export const integer =
  (opts: { min: number; max: number; default?: number }): Reader<number> =>
  (raw) => {
    if (raw === undefined || raw === '') {
      return opts.default === undefined ? { problem: 'is required' } : { value: opts.default };
    }
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < opts.min || n > opts.max) {
      return { problem: `must be an integer from ${opts.min} to ${opts.max} (got ${show(raw)})` };
    }
    return { value: n };
  };

export const text =
  (opts: { default?: string; pattern?: RegExp; describe?: string } = {}): Reader<string> =>
  (raw) => {
    if (raw === undefined || raw === '') {
      return opts.default === undefined ? { problem: 'is required' } : { value: opts.default };
    }
    if (opts.pattern && !opts.pattern.test(raw)) {
      return {
        problem: `must be ${opts.describe ?? `a string matching ${opts.pattern}`} (got ${show(raw)})`,
      };
    }
    return { value: raw };
  };

export const oneOf =
  <const T extends string>(values: readonly T[], fallback: T): Reader<T> =>
  (raw) => {
    if (raw === undefined || raw === '') return { value: fallback };
    const v = raw.trim().toLowerCase();
    return (values as readonly string[]).includes(v)
      ? { value: v as T }
      : { problem: `must be one of ${values.join(', ')} (got ${show(raw)})` };
  };

export const flag =
  (fallback: boolean): Reader<boolean> =>
  (raw) => {
    if (raw === undefined || raw === '') return { value: fallback };
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'on', 'yes'].includes(v)) return { value: true };
    if (['0', 'false', 'off', 'no'].includes(v)) return { value: false };
    return { problem: `must be 1/on or 0/off (got ${show(raw)})` };
  };

/** A URL whose scheme is one of `protocols` (without the colon). Optional unless `required`. */
export const url =
  (protocols: readonly string[]): Reader<string | undefined> =>
  (raw) => {
    if (raw === undefined || raw.trim() === '') return { value: undefined };
    return parseUrl(raw.trim(), protocols);
  };

export const urlList =
  (protocols: readonly string[]): Reader<string[]> =>
  (raw) => {
    if (raw === undefined || raw.trim() === '') return { value: [] };
    const out: string[] = [];
    for (const part of raw
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const r = parseUrl(part, protocols);
      if ('problem' in r) return { problem: `has an entry that ${r.problem.replace(/^must be/, 'is not')}` };
      out.push(r.value);
    }
    return { value: out };
  };

function parseUrl(raw: string, protocols: readonly string[]): { value: string } | { problem: string } {
  const expected = `a ${protocols.map((p) => `${p}://`).join(' or ')} URL`;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // Never echo a URL that may carry a password: name only its shape.
    return { problem: `must be ${expected} (the value is not a URL)` };
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (!protocols.includes(scheme)) return { problem: `must be ${expected} (got a ${scheme}:// URL)` };
  return { value: raw };
}

/**
 * Reads every setting of `spec` from `env`; returns the frozen result or the list of problems,
 * each a phrase that starts with the variable's name.
 */
export function readSettings<S extends Record<string, Reader<unknown>>>(
  spec: S,
  env: Env,
):
  | { config: Readonly<{ [K in keyof S]: S[K] extends Reader<infer T> ? T : never }> }
  | { problems: string[] } {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, read] of Object.entries(spec)) {
    const r = read(env[name]);
    if ('problem' in r) problems.push(`${name} ${r.problem}`);
    else out[name] = r.value;
  }
  if (problems.length > 0) return { problems };
  return { config: Object.freeze(out) as never };
}
