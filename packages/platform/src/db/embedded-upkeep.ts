import { sql } from 'kysely';
import { createPollLoop } from '../events/poll-loop.ts';
import type { Database } from './database.ts';

export interface EmbeddedUpkeepOptions {
  /** How often the tables are looked at. Default one minute, autovacuum's own default. */
  intervalMs?: number;
  onError: (err: unknown) => void;
}

/** The embedded database's upkeep, running until stopped. */
export interface EmbeddedUpkeep {
  /** Looks at the tables now and tends those that need it; resolves to the tables tended. */
  runOnce(): Promise<string[]>;
  /** Resolves once the round in progress, if any, has finished. */
  stop(): Promise<void>;
}

/**
 * PGlite runs PostgreSQL without its background processes, so nothing ever vacuums or analyzes
 * the embedded database: dead row versions would pile up in every table and index a shop updates
 * (carts, holds, sagas, orders), and the planner would never learn what the tables hold. This does
 * autovacuum's work with autovacuum's default rule, from PostgreSQL's own counters: a table is
 * vacuumed when its dead rows exceed 50 + 20 % of its live ones, and analyzed (with the same
 * statement) when its rows changed since the last analyze exceed 50 + 10 %. Hand-written because
 * no library tends PGlite; PostgreSQL needs none of it. PGlite answers one statement at a time, so
 * the requests of that moment wait for the round: a round tends only the tables past the rule, and
 * an idle shop's rounds are one read of the counters.
 */
export function startEmbeddedUpkeep(db: Database, options: EmbeddedUpkeepOptions): EmbeddedUpkeep {
  if (db.kind !== 'pglite') throw new Error('the embedded upkeep is for PGlite; PostgreSQL has autovacuum');
  const runOnce = async (): Promise<string[]> => {
    // PGlite's one backend keeps its counters to itself until a flush it is asked for.
    await sql`select pg_stat_force_next_flush()`.execute(db.primary);
    const { rows } = await sql<{ name: string; vacuum: boolean }>`
      select format('%I.%I', schemaname, relname) as name,
             n_dead_tup > 50 + 0.2 * n_live_tup as vacuum
        from pg_stat_user_tables
       where n_dead_tup > 50 + 0.2 * n_live_tup or n_mod_since_analyze > 50 + 0.1 * n_live_tup
       order by 1`.execute(db.primary);
    if (rows.length === 0) return [];
    // One statement per kind of work: vacuum (with analyze) where rows died, analyze alone elsewhere.
    const vacuum = rows.filter((r) => r.vacuum).map((r) => r.name);
    const analyze = rows.filter((r) => !r.vacuum).map((r) => r.name);
    if (vacuum.length > 0) await sql.raw(`vacuum (analyze) ${vacuum.join(', ')}`).execute(db.primary);
    if (analyze.length > 0) await sql.raw(`analyze ${analyze.join(', ')}`).execute(db.primary);
    return rows.map((r) => r.name);
  };
  // The loop's first step runs at once; the first round waits one interval (a starting shop has
  // just been migrated and seeded, and its first requests should not wait for an analyze).
  let started = false;
  const loop = createPollLoop({
    intervalMs: options.intervalMs ?? 60_000,
    step: async () => {
      if (started) await runOnce();
      started = true;
      return false;
    },
    onError: options.onError,
  });
  loop.start();
  return { runOnce, stop: () => loop.stop() };
}
