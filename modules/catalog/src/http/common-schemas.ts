import { StrictObject } from '@emporium/platform';
import { Type } from 'typebox';

const HANDLE_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';
export const HANDLE = new RegExp(HANDLE_PATTERN);

/** A URL handle: lower-case letters and digits in hyphen-separated words. */
export const Handle = Type.String({
  pattern: HANDLE_PATTERN,
  maxLength: 100,
  description: 'URL-safe and unique, e.g. `blue-linen-shirt`. Generated from the title when absent.',
});

/** Text a person typed: not blank. */
export const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });

export const IdParams = StrictObject({ id: Type.String({ maxLength: 64 }) });

/** `limit` 1–100 (default 20) and an opaque `cursor`, as API.md's lists take them. */
export const pageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
};
