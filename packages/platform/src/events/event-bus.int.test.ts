import { hasService, openTestDatabase, requireService, serviceUrls, uniquePrefix } from '@emporium/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { sql } from 'kysely';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Database } from '../db/database.ts';
import { listDeadLetters } from './dead-letter-store.ts';
import type { EventLogger, EventMetrics } from './delivery-policy.ts';
import { createEventBus, type EventBus } from './event-bus.ts';
import type { EventEnvelope, EventHandler, NewEvent } from './event-envelope.ts';
import { eventStats } from './event-stats.ts';
import { handleOnce } from './handle-once.ts';
import { natsNames } from './nats-names.ts';
import { createNatsTransport } from './nats-transport.ts';
import type { RelayHooks } from './outbox-relay.ts';
import { createPgTransport } from './pg-transport.ts';
import type { QueueUpkeepOptions } from './queue-upkeep.ts';
import { writeEvents } from './write-events.ts';

// The contract of the event bus, run against each transport on real services: PGlite, PostgreSQL
// and a NATS JetStream server. Nothing is faked; only the handlers are test code.

interface Setup {
  name: string;
  database: 'pglite' | 'postgres';
  transport: 'pg' | 'nats';
  services: Array<'postgres' | 'nats'>;
}

const setups: Setup[] = [
  { name: 'pg transport on PGlite', database: 'pglite', transport: 'pg', services: [] },
  { name: 'pg transport on PostgreSQL', database: 'postgres', transport: 'pg', services: ['postgres'] },
  {
    name: 'NATS transport with PostgreSQL',
    database: 'postgres',
    transport: 'nats',
    services: ['postgres', 'nats'],
  },
];

const PLACED = 'orders.order.placed.v1';
const UPDATED = 'catalog.product.updated.v1';
const CAPTURED = 'payments.payment.captured.v1';

async function withJetStream<T>(
  fn: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>,
): Promise<T> {
  const nc = await connect({ servers: serviceUrls.nats });
  try {
    return await fn(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

function recordingMetrics(): EventMetrics & { count(kind: string, consumer: string): number } {
  const calls: string[] = [];
  return {
    delivered: (consumer) => calls.push(`delivered ${consumer}`),
    failed: (consumer) => calls.push(`failed ${consumer}`),
    deadLettered: (consumer) => calls.push(`deadLettered ${consumer}`),
    count: (kind, consumer) => calls.filter((c) => c === `${kind} ${consumer}`).length,
  };
}

describe.each(setups)('$name', (setup) => {
  describe.skipIf(!setup.services.every((s) => hasService(s)))('event bus contract', () => {
    let db: Database;
    let prefix: string;
    let buses: EventBus[] = [];

    beforeEach(async () => {
      for (const s of setup.services) requireService(s);
      db = await openTestDatabase(setup.database);
      prefix = uniquePrefix('events');
      await sql`create table public.effects (id serial primary key, consumer text not null, event_id text not null)`.execute(
        db.primary,
      );
    });

    afterEach(async () => {
      await Promise.all(buses.map((bus) => bus.stop()));
      buses = [];
      if (setup.transport === 'nats') {
        await withJetStream((jsm) => jsm.streams.delete(natsNames(prefix).stream).catch(() => false));
      }
      await db.close();
    });

    interface BusOptions {
      hooks?: RelayHooks;
      relayLeaseMs?: number;
      maxAttempts?: number;
      backoff?: { baseMs: number; capMs: number };
      random?: () => number;
      logger?: EventLogger;
      metrics?: EventMetrics;
      /** Relay and consumers look for work on their own this often (default 25 ms). */
      pollIntervalMs?: number;
      queueUpkeep?: QueueUpkeepOptions;
    }

    function makeBus(options: BusOptions = {}): EventBus {
      const delivery = {
        maxAttempts: options.maxAttempts ?? 5,
        backoff: options.backoff ?? { baseMs: 10, capMs: 50 },
        random: options.random,
        logger: options.logger,
        metrics: options.metrics,
      };
      const transport =
        setup.transport === 'nats'
          ? createNatsTransport({ db, servers: serviceUrls.nats, subjectPrefix: prefix, ...delivery })
          : createPgTransport(db, { ...delivery, pollIntervalMs: options.pollIntervalMs ?? 25 });
      const bus = createEventBus({
        db,
        transport,
        pollIntervalMs: options.pollIntervalMs ?? 25,
        relayLeaseMs: options.relayLeaseMs,
        hooks: options.hooks,
        logger: options.logger,
        queueUpkeep: options.queueUpkeep,
      });
      buses.push(bus);
      return bus;
    }

    const write = (events: NewEvent[]) => db.transaction((trx) => writeEvents(trx, events));

    /** A handler whose effect is one row in public.effects per event, made idempotent by handleOnce. */
    const recordEffect =
      (consumer: string, onFirstTime?: () => void): EventHandler =>
      async (event) => {
        const first = await handleOnce(db, consumer, event, async (trx) => {
          await trx.insertInto('public.effects').values({ consumer, event_id: event.id }).execute();
        });
        if (first) onFirstTime?.();
      };

    const effects = async (consumer: string): Promise<string[]> =>
      (
        await db.primary
          .selectFrom('public.effects')
          .select('event_id')
          .where('consumer', '=', consumer)
          .orderBy('id')
          .execute()
      ).map((r) => r.event_id as string);

    /** True once no delivery waits or runs anywhere (the transport has nothing left to hand out). */
    async function settled(): Promise<boolean> {
      if ((await eventStats(db)).deliveriesPending > 0) return false;
      if (setup.transport === 'pg') return true;
      return withJetStream(async (jsm) => {
        for await (const c of jsm.consumers.list(natsNames(prefix).stream)) {
          if (c.num_pending > 0 || c.num_ack_pending > 0) return false;
        }
        return true;
      });
    }

    it('never delivers an event written in a rolled-back transaction', async () => {
      const bus = makeBus();
      const seen: string[] = [];
      bus.subscribe('auditor', [PLACED], async (e) => {
        seen.push(e.id);
      });
      await bus.start();

      let lost: EventEnvelope[] = [];
      await expect(
        db.transaction(async (trx) => {
          lost = await writeEvents(trx, [{ type: PLACED, payload: { orderId: 'ord_lost' } }]);
          throw new Error('order rejected');
        }),
      ).rejects.toThrow('order rejected');
      const [kept] = await write([{ type: PLACED, payload: { orderId: 'ord_kept' } }]);
      bus.nudge();

      // The later, committed event arriving proves delivery works; the lost one (an earlier id,
      // so relayed first) would have arrived before it.
      await vi.waitFor(() => expect(seen).toContain(kept?.id));
      expect(lost).toHaveLength(1);
      expect(seen).toEqual([kept?.id]);
      const outbox = await db.primary.selectFrom('platform.outbox').select('id').execute();
      expect(outbox).toEqual([{ id: kept?.id }]);
    });

    it('has a committed event take effect exactly once although the relay crashed after publishing it (before marking it, where those are two steps)', async () => {
      let publishes = 0;
      let firstTimes = 0;
      let calls = 0;
      const bus = makeBus({
        relayLeaseMs: 300,
        hooks: {
          afterPublish: async () => {
            publishes++;
            if (publishes > 1) return;
            // Let the first copy be handled completely, then "crash" before marking it published.
            await vi.waitFor(async () => expect(firstTimes === 1 && (await settled())).toBe(true), {
              timeout: 5000,
            });
            throw new Error('relay crashed');
          },
        },
      });
      const indexer = recordEffect('indexer', () => firstTimes++);
      bus.subscribe('indexer', [UPDATED], (event, context) => {
        calls++;
        return indexer(event, context);
      });
      await bus.start();

      const [event] = await write([{ type: UPDATED, key: 'prod_1', payload: { productId: 'prod_1' } }]);
      bus.nudge();

      await vi.waitFor(async () => expect((await eventStats(db)).outboxPending).toBe(0), { timeout: 5000 });
      await vi.waitFor(async () => expect(await settled()).toBe(true), { timeout: 5000 });
      expect(await effects('indexer')).toEqual([event?.id]);
      expect(firstTimes).toBe(1);
      if (setup.transport === 'pg') {
        // Queued and marked published in one statement: the crash came after both, so nothing was
        // published twice and the consumer saw the event once.
        expect(publishes).toBe(1);
        expect(calls).toBe(1);
      } else {
        expect(publishes).toBe(2);
        // JetStream dropped the copy by its message id.
        const info = await withJetStream((jsm) => jsm.streams.info(natsNames(prefix).stream));
        expect(info.state.messages).toBe(1);
        expect(calls).toBe(1);
      }
    });

    it('retries a handler that fails twice with growing waits, then succeeds on the third attempt', async () => {
      const metrics = recordingMetrics();
      const bus = makeBus({ metrics, backoff: { baseMs: 40, capMs: 1000 }, random: () => 0.999 });
      const attempts: Array<{ attempt: number; at: number }> = [];
      const mailer = recordEffect('mailer');
      bus.subscribe('mailer', [PLACED], async (event, context) => {
        attempts.push({ attempt: context.attempt, at: performance.now() });
        if (context.attempt <= 2) throw new Error('smtp timeout');
        await mailer(event, context);
      });
      await bus.start();

      const [event] = await write([{ type: PLACED, payload: { orderId: 'ord_1' } }]);
      bus.nudge();

      await vi.waitFor(async () => expect(await effects('mailer')).toEqual([event?.id]), { timeout: 5000 });
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      const [first, second, third] = attempts.map((a) => a.at) as [number, number, number];
      // Full jitter pinned near its ceiling: ~40 ms, then ~80 ms (timers may round by a millisecond).
      expect(second - first).toBeGreaterThanOrEqual(37);
      expect(third - second).toBeGreaterThanOrEqual(77);
      expect(metrics.count('failed', 'mailer')).toBe(2);
      expect(metrics.count('delivered', 'mailer')).toBe(1);
      expect(metrics.count('deadLettered', 'mailer')).toBe(0);
      expect(await listDeadLetters(db)).toEqual([]);
    });

    it('dead-letters an event after the last attempt, reports it, and processes it once replayed with the handler fixed', async () => {
      const lines: string[] = [];
      const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
      const metrics = recordingMetrics();
      const bus = makeBus({ maxAttempts: 3, logger, metrics });
      let fixed = false;
      let auditCalls = 0;
      const ledger = recordEffect('ledger');
      const audit = recordEffect('audit');
      bus.subscribe('ledger', [CAPTURED], async (event, context) => {
        if (!fixed) throw new Error('ledger offline');
        await ledger(event, context);
      });
      bus.subscribe('audit', [CAPTURED], async (event, context) => {
        auditCalls++;
        await audit(event, context);
      });
      await bus.start();

      const payload = { paymentId: 'pay_1', note: 'payload-marker-5f3a' };
      const [event] = await write([{ type: CAPTURED, payload }]);
      bus.nudge();

      await vi.waitFor(async () => expect(await listDeadLetters(db)).toHaveLength(1), { timeout: 5000 });
      const [letter] = await listDeadLetters(db);
      expect(letter).toMatchObject({
        consumer: 'ledger',
        eventId: event?.id,
        type: CAPTURED,
        attempts: 3,
        lastError: 'Error: ledger offline',
        transport: setup.transport,
        replayedAt: null,
      });
      expect(letter?.envelope.payload).toEqual(payload);
      expect(metrics.count('failed', 'ledger')).toBe(3);
      expect(metrics.count('deadLettered', 'ledger')).toBe(1);
      // The audit consumer deletes what it handled at the end of its claimed batch, which on a
      // busy machine may come after the ledger's last attempt: no delivery is left once it has.
      await vi.waitFor(
        async () => expect(await eventStats(db)).toMatchObject({ deadLetters: 1, deliveriesPending: 0 }),
        { timeout: 5000 },
      );

      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged.filter((l) => l.level === 50)).toEqual([
        expect.objectContaining({
          eventId: event?.id,
          type: CAPTURED,
          consumer: 'ledger',
          attempts: 3,
          error: 'Error: ledger offline',
          deadLetterId: letter?.id,
        }),
      ]);
      expect(lines.join('\n')).not.toContain('payload-marker');

      fixed = true;
      await expect(bus.replayDeadLetter(letter?.id ?? '')).resolves.toMatchObject({ status: 'replayed' });
      await vi.waitFor(async () => expect(await effects('ledger')).toEqual([event?.id]), { timeout: 5000 });
      await vi.waitFor(async () => expect(await settled()).toBe(true), { timeout: 5000 });

      expect(await listDeadLetters(db)).toEqual([]);
      const [replayed] = await listDeadLetters(db, { includeReplayed: true });
      expect(replayed?.replayedAt).toEqual(expect.any(String));
      expect(await eventStats(db)).toMatchObject({ deadLetters: 0 });
      // The replay went to the consumer that gave up, not to every consumer of the type.
      expect(auditCalls).toBe(1);
      expect(await effects('audit')).toEqual([event?.id]);
      await expect(bus.replayDeadLetter(letter?.id ?? '')).resolves.toMatchObject({
        status: 'already_replayed',
      });
      await expect(bus.replayDeadLetter('dlq_missing')).resolves.toEqual({ status: 'not_found' });
    });

    it('hands a batch handler the events it claims together, in order, and retries only the one it fails', async () => {
      const metrics = recordingMetrics();
      const bus = makeBus({ metrics });
      const batches: string[][] = [];
      const alone: string[] = [];
      const handled: string[] = [];
      let failedOnce = false;
      bus.subscribe(
        'mailer',
        [PLACED],
        async (event) => {
          alone.push(event.id);
          handled.push(event.id);
        },
        {
          handleMany: async (events) => {
            batches.push(events.map((e) => e.id));
            return events.map((e): PromiseSettledResult<void> => {
              if ((e.payload as { n: number }).n === 2 && !failedOnce) {
                failedOnce = true;
                return { status: 'rejected', reason: new Error('mailbox full') };
              }
              handled.push(e.id);
              return { status: 'fulfilled', value: undefined };
            });
          },
        },
      );
      // Written before the start: the relay moves them together and the consumer claims them together.
      const written = await write([0, 1, 2, 3, 4].map((n) => ({ type: PLACED, payload: { n } })));
      await bus.start();
      bus.nudge();

      const ids = written.map((e) => e.id);
      await vi.waitFor(() => expect([...handled].sort()).toEqual([...ids].sort()), { timeout: 5000 });
      await vi.waitFor(async () => expect(await settled()).toBe(true), { timeout: 5000 });
      if (setup.transport === 'pg') {
        // One claim, one call, in event order; the failed event came back alone, to the one-event handler.
        expect(batches).toEqual([ids]);
        expect(alone).toEqual([ids[2]]);
      } else {
        // JetStream hands events one at a time: the batch handler is not used.
        expect(batches).toEqual([]);
      }
      expect(metrics.count('delivered', 'mailer')).toBe(5);
      expect(metrics.count('failed', 'mailer')).toBe(setup.transport === 'pg' ? 1 : 0);
    });

    it('hands each event to the one-event handler when the batch handler throws', async () => {
      const bus = makeBus();
      const alone: string[] = [];
      let calls = 0;
      bus.subscribe(
        'mailer',
        [PLACED],
        async (event) => {
          alone.push(event.id);
        },
        {
          handleMany: async () => {
            calls++;
            throw new Error('the batch statement failed');
          },
        },
      );
      const written = await write([0, 1, 2].map((n) => ({ type: PLACED, payload: { n } })));
      await bus.start();
      bus.nudge();
      await vi.waitFor(() => expect(alone).toEqual(written.map((e) => e.id)), { timeout: 5000 });
      // Tried once, for the claim (the Postgres transport); JetStream never calls it.
      expect(calls).toBe(setup.transport === 'pg' ? 1 : 0);
      await vi.waitFor(async () => expect(await settled()).toBe(true), { timeout: 5000 });
    });

    it('delivers events to each consumer in the order written, and to every consumer of a type', async () => {
      // The Postgres transport orders across all of a consumer's types; NATS within each type.
      const types = setup.transport === 'pg' ? [PLACED, UPDATED] : [PLACED];
      const bus = makeBus();
      const search: string[] = [];
      const notify: string[] = [];
      bus.subscribe('search', types, async (e) => {
        search.push(e.id);
      });
      bus.subscribe('notify', [PLACED], async (e) => {
        notify.push(e.id);
      });
      await bus.start();

      const written: EventEnvelope[] = [];
      written.push(
        ...(await write(
          [0, 1, 2, 3].map((n) => ({ type: types[n % types.length] ?? PLACED, payload: { n } })),
        )),
      );
      for (const n of [4, 5, 6])
        written.push(...(await write([{ type: types[n % types.length] ?? PLACED, payload: { n } }])));
      bus.nudge();

      const placed = written.filter((e) => e.type === PLACED).map((e) => e.id);
      await vi.waitFor(() => expect(search).toHaveLength(written.length), { timeout: 5000 });
      await vi.waitFor(() => expect(notify).toHaveLength(placed.length), { timeout: 5000 });
      expect(search).toEqual(written.map((e) => e.id));
      expect(notify).toEqual(placed);
    });

    it('wakes the consumers of what it relays at once, with nothing polling meanwhile, and handles every event once', async () => {
      const bus = makeBus({ pollIntervalMs: 600_000 });
      bus.subscribe('notify', [PLACED], recordEffect('notify'));
      bus.subscribe('search', [UPDATED, CAPTURED], recordEffect('search'));
      bus.subscribe('audit', [PLACED, CAPTURED], recordEffect('audit'));
      await bus.start();
      // More than a consumer claims at once (16), of types each consumer has only some of.
      const types = [PLACED, UPDATED, CAPTURED];
      const written = await write(
        Array.from({ length: 45 }, (_, n) => ({ type: types[n % 3] ?? PLACED, payload: { n } })),
      );
      bus.nudge();
      // Order across types is not every transport's promise (the test above checks what is).
      const of = (...wanted: string[]) =>
        written
          .filter((e) => wanted.includes(e.type))
          .map((e) => e.id)
          .sort();
      const handled = async (consumer: string) => (await effects(consumer)).sort();
      await vi.waitFor(
        async () => {
          expect(await handled('notify')).toEqual(of(PLACED));
          expect(await handled('search')).toEqual(of(UPDATED, CAPTURED));
          expect(await handled('audit')).toEqual(of(PLACED, CAPTURED));
          expect(await settled()).toBe(true);
        },
        { timeout: 10_000, interval: 50 },
      );
    });

    it('publishes each event once when several relays run against one database', async () => {
      let published = 0;
      const hooks: RelayHooks = {
        afterPublish: (events) => {
          published += events.length;
        },
      };
      const first = makeBus({ hooks });
      const second = makeBus({ hooks });
      for (const bus of [first, second]) bus.subscribe('indexer', [UPDATED], recordEffect('indexer'));
      await first.start();
      await second.start();

      const batches = await Promise.all(
        [0, 1, 2, 3, 4].map((b) =>
          write([0, 1, 2, 3, 4, 5].map((n) => ({ type: UPDATED, key: `prod_${b}_${n}`, payload: { b, n } }))),
        ),
      );
      first.nudge();
      second.nudge();

      const ids = batches.flat().map((e) => e.id);
      await vi.waitFor(async () => expect((await effects('indexer')).sort()).toEqual([...ids].sort()), {
        timeout: 5000,
      });
      expect(published).toBe(ids.length);
    });

    it('vacuums the event tables once enough events went through them, and not before', async () => {
      const bus = makeBus({ queueUpkeep: { everyEvents: 40, minIntervalMs: 0 } });
      bus.subscribe('auditor', [PLACED], recordEffect('auditor'));
      await bus.start();
      /** Vacuums run on the event tables by anyone but autovacuum, as PostgreSQL counts them. */
      const vacuums = async () => {
        const { rows } = await sql<{ relname: string; vacuum_count: number }>`
          select relname, vacuum_count::int from pg_stat_user_tables
           where schemaname = 'platform' and relname in ('outbox', 'event_deliveries') order by relname`.execute(
          db.primary,
        );
        return rows;
      };
      const placed = (n: number) => Array.from({ length: n }, () => ({ type: PLACED, payload: {} }));

      await write(placed(30));
      bus.nudge();
      await vi.waitFor(async () => expect(await effects('auditor')).toHaveLength(30), { timeout: 5000 });
      expect(await vacuums()).toEqual([
        { relname: 'event_deliveries', vacuum_count: 0 },
        { relname: 'outbox', vacuum_count: 0 },
      ]);

      await write(placed(20));
      bus.nudge();
      await vi.waitFor(
        async () =>
          expect(await vacuums()).toEqual([
            { relname: 'event_deliveries', vacuum_count: 1 },
            { relname: 'outbox', vacuum_count: 1 },
          ]),
        { timeout: 5000 },
      );
      await vi.waitFor(async () => expect(await effects('auditor')).toHaveLength(50), { timeout: 5000 });
    });

    it('lets stop wait for a handler that is running', async () => {
      const bus = makeBus();
      const order: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const slow = recordEffect('slow');
      bus.subscribe('slow', [PLACED], async (event, context) => {
        order.push('handler started');
        await gate;
        await slow(event, context);
        order.push('handler finished');
      });
      await bus.start();
      const [event] = await write([{ type: PLACED, payload: {} }]);
      bus.nudge();
      await vi.waitFor(() => expect(order).toEqual(['handler started']), { timeout: 5000 });

      const stopping = bus.stop().then(() => order.push('stopped'));
      setTimeout(release, 50);
      await stopping;
      expect(order).toEqual(['handler started', 'handler finished', 'stopped']);
      expect(await effects('slow')).toEqual([event?.id]);
    });
  });
});
