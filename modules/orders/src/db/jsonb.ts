import { type RawBuilder, sql } from 'kysely';

/** A jsonb parameter (null stays SQL null), serialised here so both drivers treat it alike. */
export function jsonb(value: unknown): RawBuilder<unknown> | null {
  if (value === null || value === undefined) return null;
  return sql`cast(${JSON.stringify(value)} as jsonb)`;
}
