import { handleOnce, type ModuleFactory, newId, StrictObject, writeEvents } from '@emporium/platform';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { hasService } from './require-service.ts';
import { startTestPlatform, type TestPlatform } from './test-platform.ts';

/**
 * A tiny module that uses every port the way real modules will: a strict route writes a row and
 * an event in one transaction, a subscriber counts the event idempotently, a cached read.
 */
const notesModule: ModuleFactory = ({ db, bus, cache }) => ({
  name: 'notes',
  async registerRoutes(app) {
    await sql`create table if not exists public.notes (id text primary key, body text not null)`.execute(
      db.primary,
    );
    await sql`create table if not exists public.note_counts (n int not null)`.execute(db.primary);
    app.post(
      '/store/notes',
      { schema: { body: StrictObject({ body: Type.String({ minLength: 1, maxLength: 200 }) }) } },
      async (request, reply) => {
        const id = newId('note');
        await db.transaction(async (trx) => {
          await trx.insertInto('public.notes').values({ id, body: request.body.body }).execute();
          await writeEvents(trx, [{ type: 'notes.note.created.v1', key: id, payload: { id } }]);
        });
        bus.nudge();
        return reply.code(201).send({ note: { id } });
      },
    );
    app.get('/store/notes/count', async () =>
      cache.getOrSet('notes:count', 50, async () => {
        const r = await db.primary
          .selectFrom('public.note_counts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        return { count: r.n };
      }),
    );
  },
  subscribe(events) {
    events.subscribe('notes-counter', ['notes.note.created.v1'], async (event) => {
      await handleOnce(db, 'notes-counter', event, async (trx) => {
        await trx.insertInto('public.note_counts').values({ n: 1 }).execute();
      });
    });
  },
});

const setups = [
  { name: 'embedded: PGlite, LRU, database events', options: {} },
  ...(hasService('postgres') && hasService('redis') && hasService('nats')
    ? [
        {
          name: 'distributed: PostgreSQL, Redis, NATS',
          options: { database: 'postgres', cache: 'redis', events: 'nats' } as const,
        },
      ]
    : []),
];

describe.each(setups)('test platform, $name', ({ options }) => {
  let platform: TestPlatform;
  afterEach(async () => {
    await platform.close();
  });

  it('mounts a module whose route writes an event that its subscriber handles once', async () => {
    platform = await startTestPlatform({ ...options, modules: [notesModule] });
    const created = await platform.app.inject({
      method: 'POST',
      url: '/store/notes',
      payload: { body: 'hello' },
    });
    expect(created.statusCode).toBe(201);
    await expect
      .poll(
        async () =>
          (await platform.app.inject({ url: '/store/notes/count' })).json<{ count: number }>().count,
        {
          timeout: 10_000,
        },
      )
      .toBe(1);

    const rejected = await platform.app.inject({
      method: 'POST',
      url: '/store/notes',
      payload: { body: 'x', price: 0 },
    });
    expect(rejected.statusCode).toBe(422);
    expect(rejected.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: '/price' }] });
  });
});
