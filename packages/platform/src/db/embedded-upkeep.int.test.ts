import { openTestDatabase } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from './database.ts';
import { type EmbeddedUpkeep, startEmbeddedUpkeep } from './embedded-upkeep.ts';

describe('the embedded database upkeep (PGlite has no autovacuum)', () => {
  let db: Database | undefined;
  let upkeep: EmbeddedUpkeep | undefined;
  afterEach(async () => {
    await upkeep?.stop();
    await db?.close();
    upkeep = undefined;
    db = undefined;
  });

  const table = async (name: string) => {
    await sql`select pg_stat_force_next_flush()`.execute(db?.primary ?? fail());
    const { rows } = await sql<{ n_dead_tup: number; vacuum_count: number; reltuples: number }>`
      select s.n_dead_tup::int, s.vacuum_count::int, c.reltuples::int
        from pg_stat_user_tables s join pg_class c on c.oid = s.relid
       where s.schemaname = 'public' and s.relname = ${name}`.execute(db?.primary ?? fail());
    return rows[0];
  };
  const fail = (): never => {
    throw new Error('no database');
  };

  it('vacuums and analyzes the tables whose rows died or changed, and leaves the others alone', async () => {
    db = await openTestDatabase('pglite');
    await sql
      .raw(
        `create table public.busy (id int primary key, n int);
         create table public.quiet (id int primary key);
         insert into public.busy select i, 0 from generate_series(1, 2000) i;
         insert into public.quiet values (1);`,
      )
      .execute(db.primary);
    upkeep = startEmbeddedUpkeep(db, {
      intervalMs: 3_600_000,
      onError: (err) => expect(err).toBeUndefined(),
    });
    // Freshly written, never analyzed: the planner does not know how many rows either holds.
    expect(await table('busy')).toMatchObject({ vacuum_count: 0, reltuples: -1 });
    expect(await upkeep.runOnce()).toEqual(['public.busy']);
    expect(await table('busy')).toMatchObject({ reltuples: 2000 });

    // Every row updated: 2 000 dead versions, past 50 + 20 % of the live rows.
    await sql.raw('update public.busy set n = n + 1').execute(db.primary);
    expect(await table('busy')).toMatchObject({ n_dead_tup: 2000, vacuum_count: 0 });
    expect(await upkeep.runOnce()).toEqual(['public.busy']);
    expect(await table('busy')).toMatchObject({ n_dead_tup: 0, vacuum_count: 1, reltuples: 2000 });

    // Nothing changed since: an idle shop's round tends nothing.
    expect(await upkeep.runOnce()).toEqual([]);
  });

  it('is for PGlite only', async () => {
    const postgresLike = { kind: 'postgres' } as Database;
    expect(() => startEmbeddedUpkeep(postgresLike, { onError: () => {} })).toThrow(
      /PostgreSQL has autovacuum/,
    );
  });
});
