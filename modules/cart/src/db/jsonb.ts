import { type RawBuilder, sql } from 'kysely';

/**
 * A value for a jsonb parameter, serialised here: node-postgres would turn a top-level array into
 * a Postgres array literal, and PGlite passes strings through as they are.
 */
export function jsonb<T>(value: T): RawBuilder<T> {
  return sql<T>`cast(${JSON.stringify(value)} as jsonb)`;
}

/** `jsonb(value)`, or SQL NULL for null. */
export function jsonbOrNull<T>(value: T | null): RawBuilder<T | null> {
  return value === null ? sql<null>`null` : jsonb(value);
}
