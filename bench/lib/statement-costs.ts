// What one scenario's SQL cost PostgreSQL, statement by statement, from pg_stat_statements (a
// contrib extension PostgreSQL must preload: `shared_preload_libraries = 'pg_stat_statements'` in
// postgresql.conf, then a restart). Opt-in (`--statements`): the benchmarks run on a stock server.
// Unload it again before comparing runs: preloaded with `track_planning` on and its table full (each
// scratch database's statements are new entries), it slowed every backend, pgbench's too
// (2 984 tps without it against 1 386–2 296 with it, on one machine the same evening).
import pg from 'pg';

export interface StatementCost {
  calls: number;
  meanUs: number;
  totalMs: number;
  query: string;
}

export interface StatementTotals {
  statements: StatementCost[];
  totalMs: number;
  totalCalls: number;
  /** Time spent planning the statements: 0 unless `pg_stat_statements.track_planning` is on. */
  planMs: number;
}

export interface StatementCosts {
  /** Forgets what the database's statements cost so far (call right before the measured window). */
  reset(): Promise<void>;
  /**
   * The `limit` statements that took PostgreSQL the most time since `reset`, with the time and the
   * number of calls of all statements (each call is a round trip; BEGIN and COMMIT included).
   */
  top(limit: number): Promise<StatementTotals>;
  close(): Promise<void>;
}

/** Statement costs of the database at `url` (check `assertStatementStats` first). */
export async function statementCosts(url: string): Promise<StatementCosts> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query('create extension if not exists pg_stat_statements');
  const dbid = (
    await db.query<{ oid: number }>('select oid from pg_database where datname = current_database()')
  ).rows[0]?.oid;
  return {
    async reset() {
      await db.query('select pg_stat_statements_reset(0, $1, 0)', [dbid]);
    },
    async top(limit) {
      const { rows } = await db.query<{ calls: string; mean: number; total: number; query: string }>(
        `select calls, mean_exec_time as mean, total_exec_time as total, query
           from pg_stat_statements where dbid = $1 order by total_exec_time desc limit $2`,
        [dbid, limit],
      );
      const all = await db.query<{ total: number | null; calls: string | null; plan: number | null }>(
        `select sum(total_exec_time) as total, sum(calls) as calls, sum(total_plan_time) as plan
           from pg_stat_statements where dbid = $1`,
        [dbid],
      );
      return {
        statements: rows.map((r) => ({
          calls: Number(r.calls),
          meanUs: Math.round(r.mean * 1000),
          totalMs: Math.round(r.total),
          query: r.query.replace(/\s+/g, ' ').trim(),
        })),
        totalMs: Math.round(all.rows[0]?.total ?? 0),
        totalCalls: Number(all.rows[0]?.calls ?? 0),
        planMs: Math.round(all.rows[0]?.plan ?? 0),
      };
    },
    close: () => db.end(),
  };
}

/** Fails at once, with what to change, when PostgreSQL at `url` does not preload pg_stat_statements. */
export async function assertStatementStats(url: string): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ libs: string }>(
      "select current_setting('shared_preload_libraries') as libs",
    );
    if (!(rows[0]?.libs ?? '').split(/[\s,]+/).includes('pg_stat_statements')) {
      throw new Error(
        "--statements needs PostgreSQL started with shared_preload_libraries = 'pg_stat_statements' (add it to postgresql.conf and restart PostgreSQL)",
      );
    }
  } finally {
    await db.end();
  }
}
