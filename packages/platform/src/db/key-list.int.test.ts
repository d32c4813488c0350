import { createTestDatabaseUrl, hasService } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { keyList } from './key-list.ts';
import { openPostgresDatabase } from './open-database.ts';

// Real PostgreSQL, one connection, so pg_prepared_statements shows how that connection planned.
describe.skipIf(!hasService('postgres'))('keyList on PostgreSQL', () => {
  const drops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const drop of drops.splice(0)) await drop();
  });

  it('lets a batched statement keep its generic plan, read through the key index, where a plain array is planned at every call', async () => {
    const { url, drop } = await createTestDatabaseUrl();
    drops.push(drop);
    const db = openPostgresDatabase({ url, poolSize: 1 });
    try {
      await sql
        .raw(
          "create table public.cards (token text primary key, status text not null); insert into public.cards select 'tok_' || n, 'active' from generate_series(1, 5000) n; analyze public.cards",
        )
        .execute(db.primary);
      const batches = [
        ['tok_1'],
        ['tok_2', 'tok_3'],
        ['tok_4'],
        ['tok_5', 'tok_6', 'tok_7'],
        ['tok_8'],
        ['tok_9'],
        ['tok_10', 'tok_11'],
        ['tok_12'],
      ];
      for (const tokens of batches) {
        const listed = await sql<{ token: string }>`
          update public.cards set status = 'listed' where token = any(${keyList(tokens)}) returning token`.execute(
          db.primary,
        );
        expect(listed.rows.map((r) => r.token).sort()).toEqual([...tokens].sort());
        await sql`update public.cards set status = 'plain' where token = any(${tokens}::text[])`.execute(
          db.primary,
        );
      }
      const plans = await sql<{
        name: string;
        statement: string;
        generic_plans: string;
        custom_plans: string;
      }>`
        select name, statement, generic_plans, custom_plans from pg_prepared_statements
        where statement like '%update public.cards set%'`.execute(db.primary);
      const listed = plans.rows.find((p) => p.statement.includes("'listed'"));
      const plain = plans.rows.find((p) => p.statement.includes("'plain'"));
      // Five custom plans, then the generic one for the rest; the plain array never leaves custom plans.
      expect(Number(listed?.generic_plans)).toBe(batches.length - 5);
      expect(Number(plain?.generic_plans)).toBe(0);
      expect(Number(plain?.custom_plans)).toBe(batches.length);

      const explained = await sql
        .raw<{ 'QUERY PLAN': string }>(`explain (costs off) execute ${listed?.name}('{tok_20,tok_21}')`)
        .execute(db.primary);
      const plan = explained.rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/cards_pkey/);
      expect(plan).not.toMatch(/Seq Scan/);
    } finally {
      await db.close();
    }
  });
});
