import { type Clock, systemClock } from '../clock/clock.ts';
import type { Database } from '../db/database.ts';
import { type DeliveryOptions, type EventLogger, errorMessage, silentLogger } from './delivery-policy.ts';
import type { EventHandler, SubscribeOptions } from './event-envelope.ts';
import type { EventTransport } from './event-transport.ts';
import { OutboxRelay, type RelayHooks } from './outbox-relay.ts';
import { createPgTransport } from './pg-transport.ts';
import { createPollLoop } from './poll-loop.ts';
import { createQueueUpkeep, type QueueUpkeepOptions } from './queue-upkeep.ts';
import { type ReplayResult, replayDeadLetter } from './replay-dead-letter.ts';

/**
 * The event bus one process runs: the outbox relay plus a transport and its subscriptions.
 * Modules write events with `writeEvents` in their own transactions and subscribe handlers here;
 * the composition root starts and stops it.
 */
export interface EventBus {
  readonly transport: EventTransport;
  /**
   * Calls `handler` for every event of `types` published from the first start on, at least once,
   * under the durable name `consumer` (keep it stable across releases). Before `start()` only.
   * `options.handleMany` handles several of the consumer's events at once where the transport
   * claims several (see EventBatchHandler): one statement for a claim's events, say.
   *
   * @example
   * bus.subscribe('notify-order-emails', ['orders.order.placed.v1'], async (event) => {
   *   await handleOnce(db, 'notify-order-emails', event, (trx) => queueEmail(trx, event));
   * });
   */
  subscribe(
    consumer: string,
    types: readonly string[],
    handler: EventHandler,
    options?: SubscribeOptions,
  ): void;
  /**
   * Registers the subscriptions durably, then starts delivering and relaying. Rejects (and leaves
   * the bus stopped) when the transport cannot start, e.g. NATS is unreachable.
   */
  start(): Promise<void>;
  /** Stops relaying and delivering, waiting for handlers already running (graceful shutdown). */
  stop(): Promise<void>;
  /** Relays now: call after committing a transaction that wrote events. */
  nudge(): void;
  /** See `replayDeadLetter`. */
  replayDeadLetter(id: string): Promise<ReplayResult>;
}

export interface EventBusOptions extends DeliveryOptions {
  db: Database;
  /**
   * Default: `createPgTransport(db, options)` (embedded mode). When given, the delivery options
   * (maxAttempts, backoff, metrics, …) belong to the transport; the bus uses only clock and logger.
   */
  transport?: EventTransport;
  /** How often the relay looks at the outbox when not nudged (and the Postgres transport at its queue). Default 1000 ms. */
  pollIntervalMs?: number;
  /** Outbox rows published per round. Default 100. */
  relayBatchSize?: number;
  /**
   * How long the relay waits after a nudge before its round, in ms, so that the commits of that
   * time share one round (under load, one a commit would cost a statement each). Default 10.
   */
  relayDelayMs?: number;
  /** How long a relay's claim on outbox rows lasts, in ms. Default 30 s. */
  relayLeaseMs?: number;
  /** Test seam: see `RelayHooks`. */
  hooks?: RelayHooks;
  /** When the bus vacuums the event tables (see createQueueUpkeep). */
  queueUpkeep?: QueueUpkeepOptions;
}

export function createEventBus(options: EventBusOptions): EventBus {
  const { db } = options;
  const clock: Clock = options.clock ?? systemClock;
  const logger: EventLogger = options.logger ?? silentLogger;
  const transport = options.transport ?? createPgTransport(db, options);
  const relay = new OutboxRelay(db, transport, clock, {
    ...(options.relayBatchSize === undefined ? {} : { batchSize: options.relayBatchSize }),
    ...(options.relayLeaseMs === undefined ? {} : { leaseMs: options.relayLeaseMs }),
    ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
  });
  const upkeep = createQueueUpkeep(
    db,
    clock,
    (err) => logger.error({ error: errorMessage(err) }, 'vacuuming the event tables failed; will try again'),
    options.queueUpkeep,
  );
  const loop = createPollLoop({
    intervalMs: options.pollIntervalMs ?? 1000,
    nudgeDelayMs: options.relayDelayMs ?? 10,
    step: async () => {
      const published = await relay.relayOnce();
      if (published.length > 0) transport.nudge([...new Set(published.map((e) => e.type))]);
      upkeep.relayed(published.length);
      return published.length === relay.batchSize;
    },
    onError: (err) => logger.error({ error: errorMessage(err) }, 'outbox relay failed; will try again'),
  });
  let state: 'idle' | 'starting' | 'running' | 'stopped' = 'idle';

  return {
    transport,
    subscribe(consumer, types, handler, options) {
      transport.subscribe(consumer, types, handler, options);
    },
    async start() {
      if (state !== 'idle') throw new Error(`the event bus is already ${state}`);
      state = 'starting';
      try {
        // Subscriptions first: events relayed before a consumer's subscription exists never reach it.
        await transport.start();
      } catch (err) {
        state = 'stopped';
        await transport.stop();
        throw err;
      }
      if (state !== 'starting') return; // stopped while starting
      state = 'running';
      loop.start();
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      await loop.stop();
      await upkeep.stop();
      await transport.stop();
    },
    nudge() {
      loop.nudge();
    },
    replayDeadLetter(id) {
      return replayDeadLetter(db, transport, id, clock);
    },
  };
}
