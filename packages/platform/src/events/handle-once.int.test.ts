import { databaseKinds, openTestDatabase } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { handleOnce } from './handle-once.ts';

// Real PGlite and PostgreSQL: the processed-events record is what makes consumers idempotent.
describe.each(databaseKinds())('handleOnce on %s', (kind) => {
  let db: Database;
  beforeEach(async () => {
    db = await openTestDatabase(kind);
    await sql`create table public.effects (id serial primary key, consumer text not null)`.execute(
      db.primary,
    );
  });
  afterEach(async () => {
    await db.close();
  });

  const event = { id: 'evt_01jd0000000000000000000000' };
  const effect = (consumer: string) => async (trx: Parameters<Parameters<typeof handleOnce>[3]>[0]) => {
    await trx.insertInto('public.effects').values({ consumer }).execute();
  };
  const effects = async () =>
    (await db.primary.selectFrom('public.effects').select('consumer').orderBy('id').execute()).map(
      (r) => r.consumer,
    );

  it('runs the effect for the first delivery only, per consumer', async () => {
    expect(await handleOnce(db, 'search', event, effect('search'))).toBe(true);
    expect(await handleOnce(db, 'search', event, effect('search'))).toBe(false);
    expect(await handleOnce(db, 'notify', event, effect('notify'))).toBe(true);
    expect(await effects()).toEqual(['search', 'notify']);
  });

  it('records nothing when the effect fails, so the next delivery runs it', async () => {
    await expect(
      handleOnce(db, 'search', event, async (trx) => {
        await effect('search')(trx);
        throw new Error('index unavailable');
      }),
    ).rejects.toThrow('index unavailable');
    expect(await effects()).toEqual([]);
    expect(await handleOnce(db, 'search', event, effect('search'))).toBe(true);
    expect(await effects()).toEqual(['search']);
  });

  it('runs the effect once when the same event is delivered concurrently', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => handleOnce(db, 'search', event, effect('search'))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await effects()).toEqual(['search']);
  });
});
