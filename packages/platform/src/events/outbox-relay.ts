import { type Selectable, sql } from 'kysely';
import type { Clock } from '../clock/clock.ts';
import type { Database } from '../db/database.ts';
import type { EventEnvelope } from './event-envelope.ts';
import type { EventTransport } from './event-transport.ts';
import type { EventTables, OutboxTable } from './tables.ts';

/** Test seams of the relay. */
export interface RelayHooks {
  /**
   * Runs after the transport accepted a batch and before the batch is marked published.
   * Throwing here simulates the process crashing at that point: the rows stay claimed until
   * their lease ends, and are then published again. With a transport in the outbox's database the
   * batch is moved and marked in one statement, so this runs after both and a throw loses nothing.
   */
  afterPublish?: (events: readonly EventEnvelope[]) => void | Promise<void>;
}

export interface OutboxRelayOptions {
  /** Rows claimed per round. Default 100. */
  batchSize?: number;
  /** How long a claim keeps other relays off the rows, in ms. Default 30 s. */
  leaseMs?: number;
  hooks?: RelayHooks;
}

/**
 * Moves committed events from `platform.outbox` to the transport, at least once. Each round claims
 * unpublished rows in id order under a lease (one short statement with SKIP LOCKED, so relays in
 * several processes share the work), publishes them with no transaction open, then marks them
 * published. A relay that dies in between leaves the lease to expire; the rows are then published
 * again and the transport or the consumers' `handleOnce` drop the copy. A transport whose
 * deliveries are in the same database (`inDatabase`) takes a batch in one statement instead.
 */
export class OutboxRelay {
  readonly #source: Database;
  readonly #db: Database<EventTables>;
  readonly #transport: EventTransport;
  readonly #clock: Clock;
  readonly #batchSize: number;
  readonly #leaseMs: number;
  readonly #hooks: RelayHooks;

  constructor(db: Database, transport: EventTransport, clock: Clock, options: OutboxRelayOptions = {}) {
    this.#source = db;
    this.#db = db.as<EventTables>();
    this.#transport = transport;
    this.#clock = clock;
    this.#batchSize = options.batchSize ?? 100;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#hooks = options.hooks ?? {};
  }

  get batchSize(): number {
    return this.#batchSize;
  }

  /** One round; resolves to the events published. */
  async relayOnce(): Promise<readonly EventEnvelope[]> {
    const inDatabase = this.#transport.inDatabase;
    if (inDatabase?.db === this.#source) {
      // The deliveries are in the outbox's own database: one statement moves a batch, no lease.
      const moved = await inDatabase.moveFromOutbox(this.#batchSize, this.#clock.now());
      if (moved.length > 0) await this.#hooks.afterPublish?.(moved);
      return moved;
    }
    const events = await this.#claim();
    if (events.length === 0) return events;
    const ids = events.map((e) => e.id);
    try {
      await this.#transport.publish(events);
    } catch (err) {
      // Not a crash: let the next round (here or elsewhere) try again without waiting for the lease.
      await this.#db.primary
        .updateTable('platform.outbox')
        .set({ relay_locked_until: null })
        .where('id', 'in', ids)
        .execute();
      throw err;
    }
    await this.#hooks.afterPublish?.(events);
    await this.#db.primary
      .updateTable('platform.outbox')
      .set({ published_at: this.#clock.now(), relay_locked_until: null })
      .where('id', 'in', ids)
      .execute();
    return events;
  }

  async #claim(): Promise<EventEnvelope[]> {
    const now = this.#clock.now();
    const leaseEnd = new Date(now.getTime() + this.#leaseMs);
    const { rows } = await sql<Selectable<OutboxTable>>`
      update platform.outbox set relay_locked_until = ${leaseEnd}
       where id in (
             select id from platform.outbox
              where published_at is null
                and (relay_locked_until is null or relay_locked_until <= ${now})
              order by id
              limit ${this.#batchSize}
                for update skip locked)
      returning *`.execute(this.#db.primary);
    return rows.sort((a, b) => (a.id < b.id ? -1 : 1)).map(toEnvelope);
  }
}

function toEnvelope(row: Selectable<OutboxTable>): EventEnvelope {
  return {
    id: row.id,
    type: row.type,
    occurredAt: row.occurred_at.toISOString(),
    ...(row.key === null ? {} : { key: row.key }),
    payload: row.payload,
    headers: row.headers,
  };
}
