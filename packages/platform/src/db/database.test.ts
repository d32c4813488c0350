import { databaseKinds, openTestDatabase } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from './database.ts';

// Contract suite of the database port: real PGlite (in memory, from the run's template) and real
// PostgreSQL (a database of its own). No fakes.
describe.each(databaseKinds())('database port on %s', (kind) => {
  let db: Database;
  beforeEach(async () => {
    db = await openTestDatabase(kind);
    await sql`create table public.notes (id serial primary key, body text not null)`.execute(db.primary);
  });
  afterEach(async () => {
    await db.close();
  });

  const bodies = async () =>
    (await db.primary.selectFrom('public.notes').select('body').orderBy('id').execute()).map((r) => r.body);

  it('keeps the writes of a committed transaction and none of a rolled-back one', async () => {
    await db.transaction(async (trx) => {
      await trx.insertInto('public.notes').values({ body: 'kept' }).execute();
    });
    await expect(
      db.transaction(async (trx) => {
        await trx.insertInto('public.notes').values({ body: 'lost' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await bodies()).toEqual(['kept']);
  });

  it('never lets a concurrent caller write into an open transaction', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started!: () => void;
    const inside = new Promise<void>((r) => {
      started = r;
    });
    const tx = db.transaction(async (trx) => {
      await trx.insertInto('public.notes').values({ body: 'in-tx' }).execute();
      started();
      await gate;
      throw new Error('roll back');
    });
    await inside;
    const outside = db.primary.insertInto('public.notes').values({ body: 'outside' }).execute();
    release();
    await expect(tx).rejects.toThrow('roll back');
    await outside;
    expect(await bodies()).toEqual(['outside']);
  });

  it('refuses the root handle inside a transaction with a message naming the fix', async () => {
    await expect(
      db.transaction(async () => {
        await db.primary.selectFrom('public.notes').selectAll().execute();
      }),
    ).rejects.toThrow(/use the handle passed to the callback/);
    await expect(db.transaction(() => db.transaction(async () => 1))).rejects.toThrow(/use the handle/);
    // The port is still usable afterwards.
    expect(await bodies()).toEqual([]);
  });

  it('returns counts as numbers and runs a parameterless script of several statements', async () => {
    await sql`insert into public.notes (body) values ('a'); insert into public.notes (body) values ('b');`.execute(
      db.primary,
    );
    const r = await db.primary
      .selectFrom('public.notes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(r.n).toBe(2);
  });

  it('retries a serializable transaction that lost a write conflict, and both land', async () => {
    await db.primary.insertInto('public.notes').values({ body: '0' }).execute();
    const bump = () =>
      db.transaction(
        async (trx) => {
          const row = await trx
            .selectFrom('public.notes')
            .select('body')
            .where('id', '=', 1)
            .executeTakeFirstOrThrow();
          await trx
            .updateTable('public.notes')
            .set({ body: String(Number(row.body) + 1) })
            .where('id', '=', 1)
            .execute();
        },
        { isolation: 'serializable' },
      );
    await Promise.all([bump(), bump(), bump()]);
    expect(await bodies()).toEqual(['3']);
  });

  it('answers ping, and reads through replica() see the same data when no replica is set', async () => {
    await db.ping();
    await db.primary.insertInto('public.notes').values({ body: 'x' }).execute();
    expect(await db.replica().selectFrom('public.notes').select('body').execute()).toEqual([{ body: 'x' }]);
  });
});
