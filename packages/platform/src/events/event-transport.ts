import type { Database } from '../db/database.ts';
import type { DeadLetter } from './dead-letter-store.ts';
import type { EventEnvelope, EventHandler, SubscribeOptions } from './event-envelope.ts';

/**
 * Carries published events to subscribed consumers, at least once, retrying failed handlers with
 * backoff and dead-lettering after the last attempt. Two implementations pass one contract suite:
 * `createPgTransport` (deliveries in Postgres; embedded mode) and `createNatsTransport`
 * (JetStream; distributed mode). Modules never see a transport: they use `EventBus`.
 */
export interface EventTransport {
  /** Recorded on dead letters. */
  readonly kind: 'pg' | 'nats';
  /**
   * Registers `handler` for `types` under the durable name `consumer`. Call before `start()`.
   * Every process that subscribes one consumer name shares its deliveries (competing workers).
   * `options.handleMany` may serve several deliveries at once where the transport claims several
   * (the Postgres transport does; NATS hands events one at a time and uses `handler`).
   */
  subscribe(
    consumer: string,
    types: readonly string[],
    handler: EventHandler,
    options?: SubscribeOptions,
  ): void;
  /** Makes the subscriptions durable (events published from now on are kept for them) and starts delivering. */
  start(): Promise<void>;
  /**
   * Hands events to every consumer subscribed to their type, durably, before resolving. Publishing
   * an event again is harmless: the transport drops or the consumer's `handleOnce` skips the copy.
   */
  publish(events: readonly EventEnvelope[]): Promise<void>;
  /**
   * Present on a transport that keeps its deliveries in a database (the Postgres transport), which
   * names it: the relay over that database's outbox calls `moveFromOutbox` instead of claiming,
   * publishing and marking (three statements and a lease).
   */
  readonly inDatabase?: {
    readonly db: Database;
    /**
     * Moves up to `limit` committed events, oldest first, from the outbox to their consumers in one
     * statement: claimed, queued and marked published together, so no crash falls in between.
     * Resolves to the events moved.
     */
    moveFromOutbox(limit: number, now: Date): Promise<EventEnvelope[]>;
  };
  /**
   * Looks for due work now instead of at the next poll (no-op where the server pushes): the work of
   * the consumers of `types` when given (events of those types were just published), else of all.
   */
  nudge(types?: readonly string[]): void;
  /** Hands a dead-lettered event back to its one consumer, with a fresh count of attempts. */
  requeue(letter: DeadLetter): Promise<void>;
  /** Resolves when the transport's backend answers (for `/readyz`); rejects when it does not. */
  ping(): Promise<void>;
  /** Stops taking new work, waits for running handlers, releases connections. */
  stop(): Promise<void>;
}
