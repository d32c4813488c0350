import type { Database } from '@emporium/platform';
import { type CompiledQuery, sql } from 'kysely';

/**
 * The plan PostgreSQL (or PGlite) uses for `query` once a prepared statement has switched to its
 * generic plan, the one planned without the parameters' values (after five executions, when it
 * looks no dearer): `EXPLAIN EXECUTE` of the query prepared under
 * `plan_cache_mode = force_generic_plan`, on one connection. The app names its statements on
 * PostgreSQL, so this is the plan a busy server runs; a predicate of a partial index given as a
 * parameter cannot use that index here.
 */
export async function genericPlanOf(db: Database, query: CompiledQuery): Promise<string> {
  return db.primary.connection().execute(async (conn) => {
    await sql`set plan_cache_mode = force_generic_plan`.execute(conn);
    let prepared = false;
    try {
      await sql.raw(`prepare generic_plan_probe as ${query.sql}`).execute(conn);
      prepared = true;
      const values = query.parameters.map(literal).join(', ');
      const { rows } = await sql
        .raw<{ 'QUERY PLAN': string }>(
          `explain (costs off) execute generic_plan_probe${values ? `(${values})` : ''}`,
        )
        .execute(conn);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      // Only the probe: the connection's own named statements (the pool's) must stay prepared.
      if (prepared) await sql`deallocate generic_plan_probe`.execute(conn);
      await sql`reset plan_cache_mode`.execute(conn);
    }
  });
}

/** A parameter as SQL text (untyped, so PREPARE's inferred type applies). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // An array as PostgreSQL's array literal text ('{"a","b"}'), as node-postgres sends it.
  if (Array.isArray(value)) return literal(`{${value.map((v) => JSON.stringify(String(v))).join(',')}}`);
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `'${text.replaceAll("'", "''")}'`;
}
