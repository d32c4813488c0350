import { createTestDatabaseUrl, hasService } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from './open-database.ts';

// Real PostgreSQL, one connection, so pg_prepared_statements shows what that connection prepared.
describe.skipIf(!hasService('postgres'))('prepared statements on PostgreSQL', () => {
  const drops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const drop of drops.splice(0)) await drop();
  });

  it('prepares a parameterised statement once per connection, and recovers when a migration changes its table', async () => {
    const { url, drop } = await createTestDatabaseUrl();
    drops.push(drop);
    const db = openPostgresDatabase({ url, poolSize: 1 });
    try {
      // Several commands in one text without parameters: still the simple protocol (migrations).
      await sql
        .raw(
          "create table public.t (id int primary key, name text); insert into public.t values (1, 'a'), (2, 'b')",
        )
        .execute(db.primary);
      const byId = (id: number) =>
        db.primary.selectFrom('public.t').selectAll().where('id', '=', id).executeTakeFirst();
      expect(await byId(1)).toEqual({ id: 1, name: 'a' });
      expect(await byId(2)).toEqual({ id: 2, name: 'b' });
      const prepared = await sql<{ statement: string }>`
        select statement from pg_prepared_statements where statement like '%"public"."t"%'`.execute(
        db.primary,
      );
      expect(prepared.rows).toHaveLength(1);

      // Another instance's migration adds a column: the prepared `select *` cannot return the new
      // shape. That attempt fails as a transient error would; the next one prepares afresh.
      await sql.raw('alter table public.t add column extra int').execute(db.primary);
      await expect(byId(1)).rejects.toMatchObject({ code: '0A000' });
      expect(await byId(1)).toEqual({ id: 1, name: 'a', extra: null });
    } finally {
      await db.close();
    }
  });

  it("runs a batch's statement unnamed, planned for its keys and the table as it is, and keeps a lone key's prepared", async () => {
    const { url, drop } = await createTestDatabaseUrl();
    drops.push(drop);
    const db = openPostgresDatabase({ url, poolSize: 1 });
    try {
      await sql.raw('create table public.g (id int primary key, note text)').execute(db.primary);
      await sql.raw("insert into public.g select i, 'n' from generate_series(1, 20) i").execute(db.primary);
      const some = (ids: number[]) =>
        sql<{ id: number }>`select id from public.g where id = any(${ids}::int[])`.execute(db.primary);
      const one = (id: number) =>
        sql<{ id: number }>`select id from public.g where id = ${id}`.execute(db.primary);
      // Past the sixth run, where PostgreSQL would settle a named statement on its generic plan.
      for (let run = 0; run < 8; run++) {
        await some([1, 2, 3]);
        await one(run + 1);
      }
      await sql
        .raw("insert into public.g select i, 'n' from generate_series(21, 50000) i")
        .execute(db.primary);
      expect((await some([3, 49999])).rows.map((r) => r.id).sort()).toEqual([3, 49999]);
      expect((await one(49999)).rows).toEqual([{ id: 49999 }]);
      const prepared = await sql<{ statement: string; generic_plans: number }>`
        select statement, generic_plans::int from pg_prepared_statements
         where statement like '%from public.g where id%'`.execute(db.primary);
      expect(prepared.rows).toEqual([
        { statement: 'select id from public.g where id = $1', generic_plans: expect.any(Number) },
      ]);
      expect(prepared.rows[0]?.generic_plans).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });
});
