import { randomUUID } from 'node:crypto';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { recordDeadLetter } from './dead-letter-store.ts';
import type { EventEnvelope } from './event-envelope.ts';
import { jsonb } from './jsonb.ts';
import type { EventTables } from './tables.ts';

/** A delivery claimed by one worker until `leaseEnd`. */
export interface ClaimedDelivery {
  consumer: string;
  envelope: EventEnvelope;
  /** Including this one. */
  attempts: number;
  token: string;
}

/**
 * One delivery per subscribed consumer of each envelope in `envelopes` (a relation `e` with a jsonb
 * column `envelope`); a delivery already queued is left as it is.
 */
const queueDeliveries = (envelopes: RawBuilder<unknown>, now: Date) => sql`
  insert into platform.event_deliveries (consumer, event_id, type, envelope, next_attempt_at)
  select s.consumer, e.envelope->>'id', s.type, e.envelope, ${now}
    from ${envelopes}
    join platform.event_subscriptions s on s.type = e.envelope->>'type'
  on conflict (consumer, event_id) do nothing`;

/**
 * The SQL of the Postgres transport: one row in `platform.event_deliveries` per consumer and
 * event still to handle. Every statement is a transaction of its own, so a handler never runs
 * while a transaction (or, on PGlite, the one connection) is held.
 */
export class DeliveryQueue {
  readonly #db: Database<EventTables>;
  readonly #k: Kysely<EventTables>;

  constructor(db: Database) {
    this.#db = db.as<EventTables>();
    this.#k = this.#db.primary;
  }

  async subscribe(consumer: string, types: readonly string[]): Promise<void> {
    if (types.length === 0) return;
    await this.#k
      .insertInto('platform.event_subscriptions')
      .values(types.map((type) => ({ type, consumer })))
      .onConflict((oc) => oc.columns(['type', 'consumer']).doNothing())
      .execute();
  }

  /** One delivery per subscribed consumer; a delivery already queued is left as it is. */
  async enqueue(events: readonly EventEnvelope[], now: Date): Promise<void> {
    if (events.length === 0) return;
    await queueDeliveries(sql`jsonb_array_elements(${jsonb(events)}) as e(envelope)`, now).execute(this.#k);
  }

  /**
   * Moves up to `limit` committed, unclaimed outbox rows (oldest first) to one delivery per
   * subscribed consumer and marks them published, in one statement: the rows are locked by the
   * update (SKIP LOCKED lets relays in several processes share the work), so each is queued once.
   * The envelope is built as the relay builds it from a row (`key` only when set).
   */
  async moveFromOutbox(limit: number, now: Date): Promise<EventEnvelope[]> {
    const { rows } = await sql<{ envelope: EventEnvelope }>`
      with moved as (
        update platform.outbox set published_at = ${now}, relay_locked_until = null
         where id in (
               select id from platform.outbox
                where published_at is null
                  and (relay_locked_until is null or relay_locked_until <= ${now})
                order by id
                limit ${limit}
                  for update skip locked)
        returning jsonb_build_object(
                    'id', id,
                    'type', type,
                    'occurredAt', to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                    'payload', payload,
                    'headers', headers)
                  || case when key is null then '{}'::jsonb else jsonb_build_object('key', key) end
                  as envelope),
      queued as (${queueDeliveries(sql`moved as e`, now)})
      select envelope from moved`.execute(this.#k);
    return rows.map((r) => r.envelope).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /**
   * Claims up to `limit` due deliveries of `consumer` for `types`, in event order, counting the
   * attempt now so that a worker dying mid-handler still uses one up. SKIP LOCKED lets several
   * workers claim side by side without waiting for or taking each other's rows.
   */
  async claim(
    consumer: string,
    types: readonly string[],
    limit: number,
    now: Date,
    leaseEnd: Date,
  ): Promise<ClaimedDelivery[]> {
    const token = randomUUID();
    const { rows } = await sql<{ event_id: string; envelope: EventEnvelope; attempts: number }>`
      update platform.event_deliveries
         set attempts = attempts + 1, locked_until = ${leaseEnd}, lease_token = ${token}
       where consumer = ${consumer} and event_id in (
             select event_id from platform.event_deliveries
              where consumer = ${consumer}
                and type in (${sql.join(types)})
                and next_attempt_at <= ${now}
                and (locked_until is null or locked_until <= ${now})
              order by event_id
              limit ${limit}
                for update skip locked)
      returning event_id, envelope, attempts`.execute(this.#k);
    return rows
      .sort((a, b) => (a.event_id < b.event_id ? -1 : 1))
      .map((r) => ({ consumer, envelope: r.envelope, attempts: r.attempts, token }));
  }

  /**
   * Done: the rows go (unless a lease expired and another worker holds the row now). One claim's
   * deliveries (one consumer, one lease token) in one statement.
   */
  async complete(deliveries: readonly ClaimedDelivery[]): Promise<void> {
    const [first] = deliveries;
    if (!first) return;
    if (deliveries.some((d) => d.consumer !== first.consumer || d.token !== first.token)) {
      throw new Error('complete takes the deliveries of one claim');
    }
    await this.#k
      .deleteFrom('platform.event_deliveries')
      .where('consumer', '=', first.consumer)
      .where('lease_token', '=', first.token)
      .where(
        'event_id',
        'in',
        deliveries.map((d) => d.envelope.id),
      )
      .execute();
  }

  /** Gives back a claim that was never attempted (the worker is stopping). */
  async release(d: ClaimedDelivery): Promise<void> {
    await this.#k
      .updateTable('platform.event_deliveries')
      .set((eb) => ({ attempts: eb('attempts', '-', 1), locked_until: null, lease_token: null }))
      .where((eb) => eb.and(owned(d)))
      .execute();
  }

  async retryAt(d: ClaimedDelivery, at: Date, error: string): Promise<void> {
    await this.#k
      .updateTable('platform.event_deliveries')
      .set({ next_attempt_at: at, locked_until: null, lease_token: null, last_error: error })
      .where((eb) => eb.and(owned(d)))
      .execute();
  }

  /** Moves the delivery to the dead letters in one transaction; returns the dead letter's id. */
  deadLetter(d: ClaimedDelivery, error: string, at: Date): Promise<string> {
    return this.#db.transaction(async (trx) => {
      await trx
        .deleteFrom('platform.event_deliveries')
        .where((eb) => eb.and(owned(d)))
        .execute();
      return recordDeadLetter(trx, {
        consumer: d.consumer,
        envelope: d.envelope,
        attempts: d.attempts,
        lastError: error,
        transport: 'pg',
        at,
      });
    });
  }

  /** Queues the event again for one consumer with no attempts used. */
  async requeue(consumer: string, envelope: EventEnvelope, now: Date): Promise<void> {
    const fresh = {
      attempts: 0,
      next_attempt_at: now,
      locked_until: null,
      lease_token: null,
      last_error: null,
    };
    await this.#k
      .insertInto('platform.event_deliveries')
      .values({ consumer, event_id: envelope.id, type: envelope.type, envelope: jsonb(envelope), ...fresh })
      .onConflict((oc) => oc.columns(['consumer', 'event_id']).doUpdateSet(fresh))
      .execute();
  }
}

/** Matches the row only while this claim still holds it (its lease may have passed to another worker). */
const owned = (d: ClaimedDelivery) => ({
  consumer: d.consumer,
  event_id: d.envelope.id,
  lease_token: d.token,
});
