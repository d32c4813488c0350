import { databaseKinds, openTestDatabase } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { handleOnce, handleOnceInsert, handleOnceInsertMany } from './handle-once.ts';

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

  describe('handleOnceInsert', () => {
    beforeEach(async () => {
      await sql`create table public.rows (id text primary key, consumer text not null, at timestamptz not null, note text, data jsonb not null, n integer not null)`.execute(
        db.primary,
      );
    });
    const at = new Date('2026-12-07T10:00:00.123Z');
    const row = (id: string, consumer: string) => ({
      id,
      consumer,
      at,
      note: null,
      data: sql`cast(${JSON.stringify({ order: 'o_1', lines: [1, 2] })} as jsonb)`,
      n: 42,
    });
    const rows = async () =>
      (
        await sql<{ id: string; consumer: string; at: Date; note: null; data: unknown; n: number }>`
          select id, consumer, at, note, data, n from public.rows order by id`.execute(db.primary)
      ).rows;

    it('writes the row with the mark for the first delivery only, per consumer, every value as given', async () => {
      expect(await handleOnceInsert(db, 'notify', event, 'public.rows', row('r1', 'notify'))).toBe(true);
      expect(await handleOnceInsert(db, 'notify', event, 'public.rows', row('r2', 'notify'))).toBe(false);
      expect(await handleOnceInsert(db, 'audit', event, 'public.rows', row('r3', 'audit'))).toBe(true);
      expect(await rows()).toEqual([
        { id: 'r1', consumer: 'notify', at, note: null, data: { order: 'o_1', lines: [1, 2] }, n: 42 },
        { id: 'r3', consumer: 'audit', at, note: null, data: { order: 'o_1', lines: [1, 2] }, n: 42 },
      ]);
      // The mark is the one handleOnce reads: the two agree on what was handled.
      expect(await handleOnce(db, 'notify', event, effect('notify'))).toBe(false);
    });

    it('writes one row when the same event is delivered concurrently', async () => {
      const results = await Promise.all(
        ['r1', 'r2', 'r3', 'r4'].map((id) =>
          handleOnceInsert(db, 'notify', event, 'public.rows', row(id, 'notify')),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await rows()).toHaveLength(1);
    });

    describe('handleOnceInsertMany', () => {
      const columns = {
        id: 'text',
        consumer: 'text',
        at: 'timestamptz',
        note: 'text',
        data: 'jsonb',
        n: 'integer',
      };
      const jsonRow = (id: string, consumer: string) => ({
        id,
        consumer,
        at: at.toISOString(),
        note: null,
        data: { order: 'o_1', lines: [1, 2] },
        n: 42,
      });
      const e = (n: number) => ({ id: `evt_01jd000000000000000000000${n}` });

      it('writes each new event its row with its mark, in one call, and nothing for one handled before', async () => {
        expect(await handleOnceInsert(db, 'notify', e(1), 'public.rows', row('r1', 'notify'))).toBe(true);
        const answers = await handleOnceInsertMany(db, 'notify', 'public.rows', columns, [
          { event: e(1), row: jsonRow('r2', 'notify') },
          { event: e(2), row: jsonRow('r3', 'notify') },
          { event: e(3), row: jsonRow('r4', 'notify') },
          { event: e(3), row: jsonRow('r5', 'notify') },
        ]);
        expect(answers).toEqual([false, true, true, false]);
        expect(await rows()).toEqual(
          ['r1', 'r3', 'r4'].map((id) => ({
            id,
            consumer: 'notify',
            at,
            note: null,
            data: { order: 'o_1', lines: [1, 2] },
            n: 42,
          })),
        );
        // The marks are the ones handleOnce reads; another consumer has its own.
        expect(await handleOnce(db, 'notify', e(2), effect('notify'))).toBe(false);
        expect(
          await handleOnceInsertMany(db, 'audit', 'public.rows', columns, [
            { event: e(2), row: jsonRow('r6', 'audit') },
          ]),
        ).toEqual([true]);
      });

      it('writes one row an event when the same events are handled concurrently', async () => {
        const results = await Promise.all(
          [1, 2, 3].map((k) =>
            handleOnceInsertMany(db, 'notify', 'public.rows', columns, [
              { event: e(1), row: jsonRow(`a${k}`, 'notify') },
              { event: e(2), row: jsonRow(`b${k}`, 'notify') },
            ]),
          ),
        );
        expect(results.flat().filter(Boolean)).toHaveLength(2);
        expect(await rows()).toHaveLength(2);
      });

      it('writes no mark when a row is refused, and refuses a type it cannot name safely', async () => {
        await handleOnceInsert(db, 'notify', e(1), 'public.rows', row('r1', 'notify'));
        await expect(
          handleOnceInsertMany(db, 'notify', 'public.rows', columns, [
            { event: e(2), row: jsonRow('r2', 'notify') },
            { event: e(3), row: jsonRow('r1', 'notify') },
          ]),
        ).rejects.toThrow(/duplicate key|unique/);
        expect(await handleOnce(db, 'notify', e(2), effect('notify'))).toBe(true);
        await expect(
          handleOnceInsertMany(db, 'notify', 'public.rows', { id: 'text); drop table public.rows; --' }, [
            { event: e(4), row: { id: 'x' } },
          ]),
        ).rejects.toThrow(/not a type name/);
      });
    });

    it('writes neither the mark nor the row when the row is refused', async () => {
      await handleOnceInsert(db, 'notify', event, 'public.rows', row('r1', 'notify'));
      const other = { id: 'evt_01jd0000000000000000000001' };
      await expect(handleOnceInsert(db, 'notify', other, 'public.rows', row('r1', 'notify'))).rejects.toThrow(
        /duplicate key|unique/,
      );
      expect(await handleOnceInsert(db, 'notify', other, 'public.rows', row('r5', 'notify'))).toBe(true);
      expect((await rows()).map((r) => r.id)).toEqual(['r1', 'r5']);
    });
  });
});
