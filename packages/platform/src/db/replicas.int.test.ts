import { createTestDatabaseUrl, hasService } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from './open-database.ts';

// Real PostgreSQL. Two separate databases stand in for a primary and its replica, each marked, so
// the test sees which one answered a query (a streaming replica would hold the same data).
describe.skipIf(!hasService('postgres'))('read replicas', () => {
  const drops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const drop of drops.splice(0)) await drop();
  });

  it('sends replica() reads to the replicas in turn and every write to the primary', async () => {
    const urls = [];
    for (const role of ['primary', 'replica-a', 'replica-b']) {
      const { url, drop } = await createTestDatabaseUrl();
      drops.push(drop);
      const single = openPostgresDatabase({ url, poolSize: 1 });
      await sql
        .raw(`create table public.whoami (name text); insert into public.whoami values ('${role}')`)
        .execute(single.primary);
      await single.close();
      urls.push(url);
    }
    const [primaryUrl, ...replicaUrls] = urls as [string, ...string[]];
    const db = openPostgresDatabase({ url: primaryUrl, replicaUrls, poolSize: 2 });
    try {
      const who = async (k: typeof db.primary) =>
        (await k.selectFrom('public.whoami').select('name').executeTakeFirstOrThrow()).name as string;
      const seen = [await who(db.replica()), await who(db.replica()), await who(db.replica())];
      expect(new Set(seen)).toEqual(new Set(['replica-a', 'replica-b']));
      expect(await who(db.primary)).toBe('primary');
      await db.transaction((trx) => trx.insertInto('public.whoami').values({ name: 'written' }).execute());
      const onPrimary = await db.primary.selectFrom('public.whoami').select('name').execute();
      expect(onPrimary.map((r) => r.name)).toContain('written');
      await db.ping();
    } finally {
      await db.close();
    }
  });
});
