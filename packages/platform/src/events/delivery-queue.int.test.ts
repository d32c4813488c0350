import { databaseKinds, openTestDatabase } from '@emporium/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.ts';
import type { Database } from '../db/database.ts';
import { DeliveryQueue } from './delivery-queue.ts';
import type { EventEnvelope } from './event-envelope.ts';
import { writeEvents } from './write-events.ts';

// The Postgres transport's queue on real PGlite and PostgreSQL, with times passed explicitly.
describe.each(databaseKinds())('delivery queue on %s', (kind) => {
  let db: Database;
  let queue: DeliveryQueue;
  beforeEach(async () => {
    db = await openTestDatabase(kind);
    queue = new DeliveryQueue(db);
  });
  afterEach(async () => {
    await db.close();
  });

  const TYPE = 'orders.order.placed.v1';
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const event = (n: number): EventEnvelope => ({
    id: `evt_01jd00000000000000000000${n.toString().padStart(2, '0')}`,
    type: TYPE,
    occurredAt: at(0).toISOString(),
    payload: { n },
    headers: {},
  });

  it('queues one delivery per subscribed consumer and ignores a republished event', async () => {
    await queue.subscribe('search', [TYPE]);
    await queue.subscribe('notify', [TYPE]);
    await queue.subscribe('other', ['catalog.product.updated.v1']);
    await queue.enqueue([event(1)], at(0));
    await queue.enqueue([event(1)], at(1));
    const rows = await db.primary
      .selectFrom('platform.event_deliveries')
      .select(['consumer', 'event_id', 'attempts', 'next_attempt_at'])
      .orderBy('consumer')
      .execute();
    expect(rows).toEqual([
      { consumer: 'notify', event_id: event(1).id, attempts: 0, next_attempt_at: at(0) },
      { consumer: 'search', event_id: event(1).id, attempts: 0, next_attempt_at: at(0) },
    ]);
  });

  it('moves committed outbox events to their consumers in one statement, oldest first, each once', async () => {
    await queue.subscribe('search', [TYPE]);
    await queue.subscribe('notify', [TYPE, 'catalog.product.updated.v1']);
    const written = await db.transaction((trx) =>
      writeEvents(
        trx,
        [
          { type: TYPE, key: 'order_1', payload: { n: 1, note: null }, headers: { traceparent: 't' } },
          { type: 'catalog.product.updated.v1', payload: { n: 2 } },
          { type: TYPE, key: 'order_3', payload: { n: 3 } },
        ],
        new ManualClock(new Date('2026-01-01T10:00:00.123Z')),
      ),
    );

    // The envelopes are those written (no `key` when there is none; payload nulls kept).
    const first = await queue.moveFromOutbox(2, at(5));
    expect(first).toEqual(written.slice(0, 2));
    expect(first[1]).not.toHaveProperty('key');
    const second = await queue.moveFromOutbox(2, at(6));
    expect(second).toEqual(written.slice(2));
    expect(await queue.moveFromOutbox(2, at(7))).toEqual([]);

    const outbox = await db.primary
      .selectFrom('platform.outbox')
      .select(['id', 'published_at', 'relay_locked_until'])
      .orderBy('id')
      .execute();
    expect(outbox.map((r) => [r.published_at, r.relay_locked_until])).toEqual([
      [at(5), null],
      [at(5), null],
      [at(6), null],
    ]);
    const deliveries = await db.primary
      .selectFrom('platform.event_deliveries')
      .select(['consumer', 'event_id', 'envelope'])
      .orderBy('event_id')
      .orderBy('consumer')
      .execute();
    const [a, b, c] = written;
    expect(deliveries).toEqual([
      { consumer: 'notify', event_id: a?.id, envelope: a },
      { consumer: 'search', event_id: a?.id, envelope: a },
      { consumer: 'notify', event_id: b?.id, envelope: b },
      { consumer: 'notify', event_id: c?.id, envelope: c },
      { consumer: 'search', event_id: c?.id, envelope: c },
    ]);
  });

  it('leaves outbox rows another relay holds under a lease until the lease ends', async () => {
    await queue.subscribe('search', [TYPE]);
    const [held] = await db.transaction((trx) => writeEvents(trx, [{ type: TYPE, payload: { n: 1 } }]));
    await db.primary
      .updateTable('platform.outbox')
      .set({ relay_locked_until: at(10) })
      .where('id', '=', held?.id ?? '')
      .execute();
    expect(await queue.moveFromOutbox(10, at(9))).toEqual([]);
    expect(await queue.moveFromOutbox(10, at(10))).toEqual([held]);
  });

  it('leases claimed deliveries: others skip them until the lease ends, then the old holder no longer owns them', async () => {
    await queue.subscribe('search', [TYPE]);
    await queue.enqueue([event(2), event(1), event(3)], at(0));

    const first = await queue.claim('search', [TYPE], 2, at(0), at(10));
    expect(first.map((d) => [d.envelope.id, d.attempts])).toEqual([
      [event(1).id, 1],
      [event(2).id, 1],
    ]);
    expect((await queue.claim('search', [TYPE], 5, at(5), at(15))).map((d) => d.envelope.id)).toEqual([
      event(3).id,
    ]);

    // The first worker died: after its lease, another claims event 1 again (second attempt).
    const second = await queue.claim('search', [TYPE], 1, at(10), at(20));
    expect(second.map((d) => [d.envelope.id, d.attempts])).toEqual([[event(1).id, 2]]);
    const [stale] = first;
    if (stale) await queue.complete([stale]); // the dead worker's late "done" must not remove the new claim
    const [fresh] = second;
    if (fresh) await queue.retryAt(fresh, at(30), 'Error: still failing');
    expect(
      await db.primary
        .selectFrom('platform.event_deliveries')
        .select(['attempts', 'next_attempt_at', 'locked_until', 'last_error'])
        .where('event_id', '=', event(1).id)
        .executeTakeFirst(),
    ).toEqual({
      attempts: 2,
      next_attempt_at: at(30),
      locked_until: null,
      last_error: 'Error: still failing',
    });
    // Event 1 waits for its retry time; the abandoned claims of 2 and 3 are due again.
    expect((await queue.claim('search', [TYPE], 5, at(29), at(39))).map((d) => d.envelope.id)).toEqual([
      event(2).id,
      event(3).id,
    ]);
  });

  it('moves a delivery to the dead letters and queues it again, fresh, on requeue', async () => {
    await queue.subscribe('search', [TYPE]);
    await queue.enqueue([event(1)], at(0));
    const [claimed] = await queue.claim('search', [TYPE], 1, at(0), at(10));
    if (!claimed) throw new Error('nothing claimed');
    const id = await queue.deadLetter(claimed, 'Error: boom', at(1));
    expect(id).toMatch(/^dlq_/);
    expect(await db.primary.selectFrom('platform.event_deliveries').selectAll().execute()).toEqual([]);

    await queue.requeue('search', event(1), at(2));
    const again = await queue.claim('search', [TYPE], 1, at(2), at(12));
    expect(again.map((d) => [d.envelope, d.attempts])).toEqual([[event(1), 1]]);
  });
});
