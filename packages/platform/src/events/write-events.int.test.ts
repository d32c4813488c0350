import { databaseKinds, openTestDatabase } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.ts';
import type { Database } from '../db/database.ts';
import { isId } from '../ids/ids.ts';
import { eventStats } from './event-stats.ts';
import { writeEvents, writeWithEvents } from './write-events.ts';

// Real PGlite and PostgreSQL; no transport involved.
describe.each(databaseKinds())('writeEvents on %s', (kind) => {
  let db: Database;
  beforeEach(async () => {
    db = await openTestDatabase(kind);
  });
  afterEach(async () => {
    await db.close();
  });

  const outbox = () =>
    db.primary
      .selectFrom('platform.outbox')
      .select(['id', 'type', 'key', 'payload', 'headers', 'occurred_at', 'published_at'])
      .orderBy('id')
      .execute();

  it('writes envelopes with ids, the clock time, key, headers and JSON payloads of any shape', async () => {
    const clock = new ManualClock(new Date('2026-03-01T10:00:00.000Z'));
    const written = await db.transaction((trx) =>
      writeEvents(
        trx,
        [
          {
            type: 'catalog.product.updated.v1',
            key: 'prod_1',
            payload: { price: { amount: 1999, currency: 'EUR' } },
          },
          {
            type: 'catalog.product.deleted.v1',
            payload: ['prod_2', 'prod_3'],
            headers: { requestId: 'req_1' },
          },
        ],
        clock,
      ),
    );

    expect(written.map((e) => isId(e.id, 'evt'))).toEqual([true, true]);
    expect((written[0]?.id ?? '') < (written[1]?.id ?? '')).toBe(true);
    expect(written[0]).toMatchObject({ occurredAt: '2026-03-01T10:00:00.000Z', key: 'prod_1', headers: {} });
    expect(written[1]).not.toHaveProperty('key');
    expect(await outbox()).toEqual([
      {
        id: written[0]?.id,
        type: 'catalog.product.updated.v1',
        key: 'prod_1',
        payload: { price: { amount: 1999, currency: 'EUR' } },
        headers: {},
        occurred_at: new Date('2026-03-01T10:00:00.000Z'),
        published_at: null,
      },
      {
        id: written[1]?.id,
        type: 'catalog.product.deleted.v1',
        key: null,
        payload: ['prod_2', 'prod_3'],
        headers: { requestId: 'req_1' },
        occurred_at: new Date('2026-03-01T10:00:00.000Z'),
        published_at: null,
      },
    ]);
    expect((await eventStats(db)).outboxPending).toBe(2);
  });

  it('rejects a type that does not read <module>.<entity>.<past-tense>.v<n>, and the transaction writes nothing', async () => {
    await expect(
      db.transaction((trx) =>
        writeEvents(trx, [
          { type: 'catalog.product.updated.v1', payload: {} },
          { type: 'ProductUpdated', payload: {} },
        ]),
      ),
    ).rejects.toThrow(/ProductUpdated.*<module>\.<entity>\.<past-tense>\.v<n>/);
    expect(await outbox()).toEqual([]);
  });

  it('writes nothing for no events', async () => {
    expect(await db.transaction((trx) => writeEvents(trx, []))).toEqual([]);
    expect(await outbox()).toEqual([]);
  });

  describe('writeWithEvents', () => {
    beforeEach(async () => {
      await sql`create table public.notes (id text primary key, body text not null)`.execute(db.primary);
    });
    const notes = () => db.primary.selectFrom('public.notes').selectAll().orderBy('id').execute();
    const clock = new ManualClock(new Date('2026-03-02T08:00:00.000Z'));

    it('writes the row and its events in one statement, answering the returned rows', async () => {
      const rows = await writeWithEvents(
        db.primary,
        db.primary.insertInto('public.notes').values({ id: 'n1', body: 'first' }).returningAll(),
        [
          { type: 'notes.note.created.v1', key: 'n1', payload: { id: 'n1', tags: ['a', 'b'] } },
          { type: 'notes.note.counted.v1', payload: [1, 2], headers: { requestId: 'req_2' } },
        ],
        clock,
      );
      expect(rows).toEqual([{ id: 'n1', body: 'first' }]);
      const events = await outbox();
      expect(events.map((e) => isId(e.id, 'evt'))).toEqual([true, true]);
      expect(events.map(({ id: _id, ...rest }) => rest)).toEqual([
        {
          type: 'notes.note.created.v1',
          key: 'n1',
          payload: { id: 'n1', tags: ['a', 'b'] },
          headers: {},
          occurred_at: new Date('2026-03-02T08:00:00.000Z'),
          published_at: null,
        },
        {
          type: 'notes.note.counted.v1',
          key: null,
          payload: [1, 2],
          headers: { requestId: 'req_2' },
          occurred_at: new Date('2026-03-02T08:00:00.000Z'),
          published_at: null,
        },
      ]);
    });

    it('copies the payload fields named in fromWritten from the row the write returned', async () => {
      await db.primary.insertInto('public.notes').values({ id: 'n1', body: 'first' }).execute();
      const rows = await writeWithEvents(
        db.primary,
        db.primary
          .updateTable('public.notes')
          .set({ body: 'edited' })
          .where('id', '=', 'n1')
          .returning(['id', 'body']),
        [{ type: 'notes.note.edited.v1', key: 'n1', payload: { id: 'n1', by: 'ada', body: 'stale' } }],
        clock,
        { fields: { body: 'body', note_id: 'id' } },
      );
      expect(rows).toEqual([{ id: 'n1', body: 'edited' }]);
      expect((await outbox()).map((e) => e.payload)).toEqual([
        { id: 'n1', by: 'ada', body: 'edited', note_id: 'n1' },
      ]);
    });

    it('with byKey, writes each event only with the row of its key, its fields from that row', async () => {
      await db.primary
        .insertInto('public.notes')
        .values([
          { id: 'n1', body: 'one' },
          { id: 'n2', body: 'two' },
          { id: 'n3', body: 'three' },
        ])
        .execute();
      const edited = (id: string) => ({ type: 'notes.note.edited.v1', key: id, payload: { id } });
      const rows = await writeWithEvents(
        db.primary,
        db.primary
          .updateTable('public.notes')
          .set((eb) => ({ body: eb.fn('upper', ['body']) }))
          .where('id', 'in', ['n1', 'n3', 'n4'])
          .returning(['id', 'body']),
        // n2 is not written (not in the update), n4 does not exist: neither gets its event.
        [edited('n1'), edited('n2'), edited('n3'), edited('n4')],
        clock,
        { byKey: 'id', fields: { body: 'body' } },
      );
      expect(rows.map((r) => r.id).sort()).toEqual(['n1', 'n3']);
      expect((await outbox()).map((e) => [e.key, e.payload])).toEqual([
        ['n1', { id: 'n1', body: 'ONE' }],
        ['n3', { id: 'n3', body: 'THREE' }],
      ]);
    });

    it('writes no event when the write changes no row (a guarded update that does not apply)', async () => {
      await db.primary.insertInto('public.notes').values({ id: 'n1', body: 'first' }).execute();
      const rows = await writeWithEvents(
        db.primary,
        db.primary
          .updateTable('public.notes')
          .set({ body: 'second' })
          .where('id', '=', 'n1')
          .where('body', '=', 'not this')
          .returningAll(),
        [{ type: 'notes.note.changed.v1', key: 'n1', payload: {} }],
      );
      expect(rows).toEqual([]);
      expect(await outbox()).toEqual([]);
      expect(await notes()).toEqual([{ id: 'n1', body: 'first' }]);
    });

    it('writes no event when the write fails, and no row when an event is refused', async () => {
      await db.primary.insertInto('public.notes').values({ id: 'n1', body: 'first' }).execute();
      const insert = (id: string) =>
        db.primary.insertInto('public.notes').values({ id, body: 'again' }).returningAll();
      await expect(
        writeWithEvents(db.primary, insert('n1'), [{ type: 'notes.note.created.v1', payload: {} }]),
      ).rejects.toMatchObject({ code: '23505' });
      await expect(
        writeWithEvents(db.primary, insert('n2'), [{ type: 'NoteCreated', payload: {} }]),
      ).rejects.toThrow(/NoteCreated/);
      expect(await outbox()).toEqual([]);
      expect(await notes()).toEqual([{ id: 'n1', body: 'first' }]);
    });
  });
});
