import type { Database } from '../db/database.ts';
import {
  type DeliveryOptions,
  errorMessage,
  resolveDeliveryPolicy,
  retryDelayMs,
} from './delivery-policy.ts';
import { type ClaimedDelivery, DeliveryQueue } from './delivery-queue.ts';
import { type Attempt, reportDeadLetter, reportDelivered, reportRetry } from './delivery-report.ts';
import type { EventHandler } from './event-envelope.ts';
import type { EventTransport } from './event-transport.ts';
import { createPollLoop, type PollLoop } from './poll-loop.ts';
import { SubscriptionRegistry } from './subscription-registry.ts';

export interface PgTransportOptions extends DeliveryOptions {
  /** How often each consumer looks for due deliveries when nothing nudges it. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Deliveries one consumer claims at once, then handles one after another. Default 16. */
  batchSize?: number;
  /**
   * How long a claim lasts, in ms: the deliveries of a worker that died are retried once it ends,
   * and a handler still running by then may see its event delivered again. Default 60 s.
   */
  leaseMs?: number;
}

/**
 * The transport of embedded mode, also usable on PostgreSQL: deliveries are rows in the same
 * database, one per subscribed consumer and event, handled by a polling worker per consumer.
 * Within one consumer, events are handled in event order as long as none fails (a retry waits
 * for its backoff while later events go ahead).
 */
export function createPgTransport(db: Database, options: PgTransportOptions = {}): EventTransport {
  const policy = resolveDeliveryPolicy(options);
  const { clock } = policy;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 16;
  const leaseMs = options.leaseMs ?? 60_000;
  const queue = new DeliveryQueue(db);
  const registry = new SubscriptionRegistry();
  const loops = new Map<string, PollLoop>();
  const retryTimers = new Set<NodeJS.Timeout>();
  let state: 'idle' | 'running' | 'stopped' = 'idle';

  const later = (ms: number) => new Date(clock.now().getTime() + ms);

  /** Runs the handler; true when it succeeded (the delivery is then completed with its batch). */
  async function deliver(d: ClaimedDelivery, handler: EventHandler): Promise<boolean> {
    const attempt: Attempt = { consumer: d.consumer, event: d.envelope, attempt: d.attempts };
    try {
      await handler(d.envelope, { consumer: d.consumer, attempt: d.attempts });
    } catch (err) {
      const error = errorMessage(err);
      if (d.attempts >= policy.maxAttempts) {
        reportDeadLetter(policy, attempt, error, await queue.deadLetter(d, error, clock.now()));
        return false;
      }
      const delay = retryDelayMs(policy, d.attempts);
      await queue.retryAt(d, later(delay), error);
      reportRetry(policy, attempt, error, delay);
      wakeAfter(d.consumer, delay);
      return false;
    }
    reportDelivered(policy, attempt);
    return true;
  }

  /** Wakes the consumer when its retry falls due, however long the poll interval. */
  function wakeAfter(consumer: string, ms: number): void {
    const timer = setTimeout(() => {
      retryTimers.delete(timer);
      loops.get(consumer)?.nudge();
    }, ms);
    timer.unref();
    retryTimers.add(timer);
  }

  async function work(consumer: string, handlers: ReadonlyMap<string, EventHandler>): Promise<boolean> {
    const batch = await queue.claim(consumer, [...handlers.keys()], batchSize, clock.now(), later(leaseMs));
    // The handled deliveries of a batch are deleted together at its end (one statement, not one
    // each); a crash before that hands them out again after the lease, which `handleOnce` absorbs.
    const handled: ClaimedDelivery[] = [];
    try {
      for (const [i, d] of batch.entries()) {
        if (state !== 'running') {
          for (const rest of batch.slice(i)) await queue.release(rest);
          return false;
        }
        const handler = handlers.get(d.envelope.type);
        if (handler && (await deliver(d, handler))) handled.push(d);
      }
    } finally {
      await queue.complete(handled);
    }
    return batch.length === batchSize;
  }

  /** The consumers with a handler for one of `types`. */
  function consumersOf(types: readonly string[]): string[] {
    return [...registry.consumers()]
      .filter(([, handlers]) => types.some((type) => handlers.has(type)))
      .map(([consumer]) => consumer);
  }

  return {
    kind: 'pg',
    ping: () => db.ping(),
    subscribe(consumer, types, handler) {
      if (state !== 'idle') throw new Error('subscribe every consumer before starting the event transport');
      registry.add(consumer, types, handler);
    },
    async start() {
      if (state !== 'idle') throw new Error(`the event transport is already ${state}`);
      state = 'running';
      for (const [consumer, handlers] of registry.consumers()) {
        await queue.subscribe(consumer, [...handlers.keys()]);
      }
      for (const [consumer, handlers] of registry.consumers()) {
        const loop = createPollLoop({
          intervalMs: pollIntervalMs,
          step: () => work(consumer, handlers),
          onError: (err) =>
            policy.logger.error(
              { consumer, error: errorMessage(err) },
              'event delivery failed; will poll again',
            ),
        });
        loops.set(consumer, loop);
        loop.start();
      }
    },
    async publish(events) {
      await queue.enqueue(events, clock.now());
    },
    inDatabase: { db, moveFromOutbox: (limit, now) => queue.moveFromOutbox(limit, now) },
    nudge(types) {
      if (types === undefined) {
        for (const loop of loops.values()) loop.nudge();
        return;
      }
      for (const consumer of consumersOf(types)) loops.get(consumer)?.nudge();
    },
    async requeue(letter) {
      await queue.requeue(letter.consumer, letter.envelope, clock.now());
      loops.get(letter.consumer)?.nudge();
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      await Promise.all([...loops.values()].map((loop) => loop.stop()));
    },
  };
}
