import { type RawBuilder, sql } from 'kysely';

/**
 * A value for a jsonb parameter. Serialised here rather than by the driver: node-postgres would
 * turn a top-level array into a Postgres array literal, and PGlite passes strings through as is.
 */
export function jsonb(value: unknown): RawBuilder<unknown> {
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error('an event payload must be JSON-serialisable (got undefined)');
  return sql`cast(${text} as jsonb)`;
}
