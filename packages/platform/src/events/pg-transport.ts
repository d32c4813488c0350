import type { Database } from '../db/database.ts';
import {
  type DeliveryOptions,
  errorMessage,
  resolveDeliveryPolicy,
  retryDelayMs,
} from './delivery-policy.ts';
import { type ClaimedDelivery, DeliveryQueue } from './delivery-queue.ts';
import { type Attempt, reportDeadLetter, reportDelivered, reportRetry } from './delivery-report.ts';
import type { EventBatchHandler, EventHandler } from './event-envelope.ts';
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

  const attemptOf = (d: ClaimedDelivery): Attempt => ({
    consumer: d.consumer,
    event: d.envelope,
    attempt: d.attempts,
  });

  /** A handler failed `d`: retried after its backoff, or dead-lettered after the last attempt. */
  async function failed(d: ClaimedDelivery, err: unknown): Promise<void> {
    const error = errorMessage(err);
    if (d.attempts >= policy.maxAttempts) {
      reportDeadLetter(policy, attemptOf(d), error, await queue.deadLetter(d, error, clock.now()));
      return;
    }
    const delay = retryDelayMs(policy, d.attempts);
    await queue.retryAt(d, later(delay), error);
    reportRetry(policy, attemptOf(d), error, delay);
    wakeAfter(d.consumer, delay);
  }

  /**
   * Runs the consumer's handler of the delivery's type; true when it succeeded (the delivery is then
   * completed with its batch).
   */
  async function deliver(d: ClaimedDelivery, handlers: ReadonlyMap<string, EventHandler>): Promise<boolean> {
    const handler = handlers.get(d.envelope.type);
    if (!handler) return false;
    try {
      await handler(d.envelope, { consumer: d.consumer, attempt: d.attempts });
    } catch (err) {
      await failed(d, err);
      return false;
    }
    reportDelivered(policy, attemptOf(d));
    return true;
  }

  /**
   * Runs a batch handler over consecutive deliveries; answers those that succeeded. When it throws,
   * each delivery goes to the one-event handler instead, so that an error reaches only its event.
   */
  async function deliverMany(
    consumer: string,
    run: readonly ClaimedDelivery[],
    handleMany: EventBatchHandler,
    handlers: ReadonlyMap<string, EventHandler>,
  ): Promise<ClaimedDelivery[]> {
    let outcomes: readonly PromiseSettledResult<void>[];
    try {
      outcomes = await handleMany(
        run.map((d) => d.envelope),
        { consumer },
      );
      if (outcomes.length !== run.length) {
        throw new Error(`handleMany answered ${outcomes.length} outcomes for ${run.length} events`);
      }
    } catch (err) {
      policy.logger.warn(
        { consumer, events: run.length, error: errorMessage(err) },
        'event batch handler failed; handling each event alone',
      );
      const handled: ClaimedDelivery[] = [];
      for (const d of run) if (await deliver(d, handlers)) handled.push(d);
      return handled;
    }
    const handled: ClaimedDelivery[] = [];
    for (const [i, d] of run.entries()) {
      const outcome = outcomes[i];
      if (outcome?.status === 'fulfilled') {
        reportDelivered(policy, attemptOf(d));
        handled.push(d);
      } else await failed(d, outcome?.reason);
    }
    return handled;
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
    const batchHandlers = registry.batchHandlers(consumer);
    // The handled deliveries of a batch are deleted together at its end (one statement, not one
    // each); a crash before that hands them out again after the lease, which `handleOnce` absorbs.
    const handled: ClaimedDelivery[] = [];
    try {
      for (let i = 0; i < batch.length; ) {
        if (state !== 'running') {
          for (const rest of batch.slice(i)) await queue.release(rest);
          return false;
        }
        const d = batch[i] as ClaimedDelivery;
        // Consecutive deliveries of one batch handler go to it together, in event order.
        const handleMany = batchHandlers.get(d.envelope.type);
        let end = i + 1;
        while (
          handleMany &&
          end < batch.length &&
          batchHandlers.get(batch[end]?.envelope.type ?? '') === handleMany
        ) {
          end++;
        }
        if (handleMany && end - i > 1) {
          handled.push(...(await deliverMany(consumer, batch.slice(i, end), handleMany, handlers)));
        } else if (await deliver(d, handlers)) handled.push(d);
        i = end;
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
    subscribe(consumer, types, handler, options) {
      if (state !== 'idle') throw new Error('subscribe every consumer before starting the event transport');
      registry.add(consumer, types, handler, options);
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
