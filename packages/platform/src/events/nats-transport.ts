import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type JetStreamPublishOptions,
  type JsMsg,
  jetstreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, headers, type NatsConnection, nanos, nuid } from '@nats-io/transport-node';
import type { Database } from '../db/database.ts';
import { recordDeadLetter } from './dead-letter-store.ts';
import {
  type DeliveryOptions,
  errorMessage,
  resolveDeliveryPolicy,
  retryDelayMs,
} from './delivery-policy.ts';
import { type Attempt, reportDeadLetter, reportDelivered, reportRetry } from './delivery-report.ts';
import type { EventEnvelope, EventHandler } from './event-envelope.ts';
import type { EventTransport } from './event-transport.ts';
import { natsNames } from './nats-names.ts';
import { SubscriptionRegistry } from './subscription-registry.ts';
import type { EventTables } from './tables.ts';

export interface NatsTransportOptions extends DeliveryOptions {
  /** Where dead letters are recorded. */
  db: Database;
  /** e.g. `nats://127.0.0.1:4222` (the NATS_URL setting). */
  servers: string | string[];
  /** First subject tokens: events go to `<prefix>.events.<type>`. */
  subjectPrefix: string;
  /** Default `<prefix>_events` (dots replaced). */
  streamName?: string;
  /** How long JetStream remembers message ids to drop republished events. Default 2 min. */
  duplicateWindowMs?: number;
  /** How long the stream keeps events. Default 7 days. */
  maxAgeMs?: number;
  /** How long a delivered, unacknowledged event waits before JetStream delivers it again. Default 60 s. */
  ackWaitMs?: number;
  /** Events fetched ahead per consumer and type (their ack wait runs while they queue). Default 10. */
  prefetch?: number;
  /** Shown in the server's connection list. */
  connectionName?: string;
}

/** Marks a replayed event for one consumer; the others acknowledge it without handling it. */
const REPLAY_FOR = 'Emporium-Replay-For';

interface Connected {
  nc: NatsConnection;
  jsm: JetStreamManager;
  js: JetStreamClient;
}

/**
 * The transport of distributed mode: JetStream. One stream holds every event; each (consumer,
 * event type) pair is a durable pull consumer (one per type, since servers before 2.10 take a
 * single filter subject), handled one message at a time, so a consumer sees the events of one type
 * in order while none fails. Failed attempts are retried with `nak(delay)`; the delivery count is
 * the attempt number.
 */
export function createNatsTransport(options: NatsTransportOptions): EventTransport {
  const policy = resolveDeliveryPolicy(options);
  const names = natsNames(options.subjectPrefix, options.streamName);
  const deadLetters = options.db.as<EventTables>();
  const registry = new SubscriptionRegistry();
  const feeds: ConsumerMessages[] = [];
  const runs: Promise<void>[] = [];
  let connecting: Promise<Connected> | undefined;
  let state: 'idle' | 'running' | 'stopped' = 'idle';

  async function open(): Promise<Connected> {
    const nc = await connect({
      servers: options.servers,
      name: options.connectionName ?? 'emporium-events',
      maxReconnectAttempts: -1,
    });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, {
        name: names.stream,
        subjects: [names.streamSubject],
        duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
        max_age: nanos(options.maxAgeMs ?? 7 * 24 * 3600_000),
      });
      return { nc, jsm, js: jsm.jetstream() };
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /** Connects once; a failed attempt is forgotten so that the next call tries again. */
  function connection(): Promise<Connected> {
    if (state === 'stopped') return Promise.reject(new Error('the NATS event transport is stopped'));
    if (!connecting) {
      const attempt = open();
      connecting = attempt;
      attempt.catch(() => {
        if (connecting === attempt) connecting = undefined;
      });
    }
    return connecting;
  }

  async function handle(msg: JsMsg, consumer: string, handler: EventHandler): Promise<void> {
    if (state !== 'running') {
      // Fetched ahead but not started: hand it straight back for another instance.
      msg.nak();
      return;
    }
    let event: EventEnvelope;
    try {
      event = msg.json<EventEnvelope>();
    } catch {
      policy.logger.error(
        { consumer, subject: msg.subject, seq: msg.seq },
        'unreadable event message dropped',
      );
      msg.term();
      return;
    }
    const replayFor = msg.headers?.get(REPLAY_FOR);
    if (replayFor && replayFor !== consumer) {
      msg.ack();
      return;
    }
    const attempt: Attempt = { consumer, event, attempt: msg.info.deliveryCount };
    try {
      await handler(event, { consumer, attempt: attempt.attempt });
    } catch (err) {
      await fail(msg, attempt, errorMessage(err));
      return;
    }
    msg.ack();
    reportDelivered(policy, attempt);
  }

  async function fail(msg: JsMsg, attempt: Attempt, error: string): Promise<void> {
    const delay = retryDelayMs(policy, attempt.attempt);
    if (attempt.attempt < policy.maxAttempts) {
      msg.nak(delay);
      reportRetry(policy, attempt, error, delay);
      return;
    }
    try {
      const id = await recordDeadLetter(deadLetters.primary, {
        consumer: attempt.consumer,
        envelope: attempt.event,
        attempts: attempt.attempt,
        lastError: error,
        transport: 'nats',
        at: policy.clock.now(),
      });
      msg.term();
      reportDeadLetter(policy, attempt, error, id);
    } catch (recordErr) {
      // Without its record the event must not vanish: keep it in JetStream and try again.
      msg.nak(delay);
      policy.logger.error(
        {
          eventId: attempt.event.id,
          type: attempt.event.type,
          consumer: attempt.consumer,
          error: errorMessage(recordErr),
        },
        'could not record a dead letter; the event stays in JetStream',
      );
    }
  }

  async function run(feed: ConsumerMessages, consumer: string, handler: EventHandler): Promise<void> {
    try {
      for await (const msg of feed) await handle(msg, consumer, handler);
    } catch (err) {
      policy.logger.error({ consumer, error: errorMessage(err) }, 'event consumer stopped');
    }
  }

  async function publishOne(envelope: EventEnvelope, msgID: string, replayFor?: string): Promise<void> {
    const { js } = await connection();
    const publishOptions: Partial<JetStreamPublishOptions> = { msgID };
    if (replayFor !== undefined) {
      publishOptions.headers = headers();
      publishOptions.headers.set(REPLAY_FOR, replayFor);
    }
    await js.publish(names.subject(envelope.type), JSON.stringify(envelope), publishOptions);
  }

  return {
    kind: 'nats',
    async ping() {
      const { nc, jsm } = await connection();
      // A round trip to the server and to JetStream: a connection may be up while JetStream is not.
      await nc.flush();
      await jsm.streams.info(names.stream);
    },
    // JetStream hands this transport one message at a time: `handleMany` is not used.
    subscribe(consumer, types, handler) {
      if (state !== 'idle') throw new Error('subscribe every consumer before starting the event transport');
      registry.add(consumer, types, handler);
    },
    async start() {
      if (state !== 'idle') throw new Error(`the event transport is already ${state}`);
      state = 'running';
      const { jsm, js } = await connection();
      for (const [consumer, handlers] of registry.consumers()) {
        for (const [type, handler] of handlers) {
          const durable = names.durable(consumer, type);
          await jsm.consumers.add(names.stream, {
            durable_name: durable,
            filter_subject: names.subject(type),
            ack_policy: AckPolicy.Explicit,
            // Like the Postgres transport, a new consumer gets the events published from now on.
            deliver_policy: DeliverPolicy.New,
            ack_wait: nanos(options.ackWaitMs ?? 60_000),
            // Attempts are counted here (dead letter, then term), not by the server.
            max_deliver: -1,
          });
          const feed = await (await js.consumers.get(names.stream, durable)).consume({
            max_messages: options.prefetch ?? 10,
          });
          feeds.push(feed);
          runs.push(run(feed, consumer, handler));
        }
      }
    },
    async publish(events) {
      // One at a time, so the stream holds them in the order given.
      for (const e of events) await publishOne(e, e.id);
    },
    nudge() {},
    async requeue(letter) {
      // A fresh id, or JetStream would drop it as a duplicate of the original within its window.
      await publishOne(letter.envelope, `${letter.envelope.id}.replay.${nuid.next()}`, letter.consumer);
    },
    async stop() {
      if (state === 'stopped') return;
      const pending = connecting;
      state = 'stopped';
      await Promise.all(feeds.map((feed) => feed.close()));
      await Promise.all(runs);
      const conn = await pending?.catch(() => undefined);
      if (conn && !conn.nc.isClosed()) await conn.nc.drain();
    },
  };
}

/** Creates the stream, or brings an existing one to this configuration. */
async function ensureStream(
  jsm: JetStreamManager,
  config: Pick<StreamConfig, 'name' | 'subjects' | 'duplicate_window' | 'max_age'>,
): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) {
      await jsm.streams.add(config);
      return;
    }
    throw err;
  }
  const { name, ...settings } = config;
  await jsm.streams.update(name, settings);
}
