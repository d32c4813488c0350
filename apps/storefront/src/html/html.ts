/**
 * A tagged template that escapes every interpolated value unless it is already `Html`.
 *
 * Hand-written on purpose: it is twenty lines, has no dependencies, and makes the safe thing the
 * default (`${userText}` is escaped; only `html` fragments and `raw()` pass through). A template
 * engine would add a compile step, a second syntax and its own escaping rules to learn.
 *
 * @example html`<p>${product.title}</p>` // "<p>&lt;b&gt;…</p>" for a title of "<b>…"
 */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map((v: Value) => render(v)).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Trusted markup that must not be escaped (only for strings this code produced itself). */
export function raw(markup: string): Html {
  return new Html(markup);
}

/** Serialises `value` for a `<script type="application/json">` block: `<` can never close it. */
export function jsonForScript(value: unknown): Html {
  return new Html(
    JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026'),
  );
}
