import {
  type Cache,
  type Clock,
  createEventBus,
  createMemoryCache,
  createMetrics,
  createRedisCache,
  type Database,
  EnvSecretStore,
  type EventBus,
  eventStats,
  type Logger,
  type Metrics,
  migrate,
  type PlatformConfig,
  type SecretStore,
  startEmbeddedUpkeep,
  systemClock,
} from '@emporium/platform';
import { migrationSources } from '../migration-sources.ts';
import { eventTransportFor } from './event-transport-for.ts';
import { openDatabaseFor } from './open-database-for.ts';

/** The ports of one process, opened in the configured mode and closed together. */
export interface Runtime {
  readonly config: PlatformConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly secrets: SecretStore;
  readonly db: Database;
  readonly cache: Cache;
  readonly bus: EventBus;
  readonly metrics: Metrics;
  /** Stops the event bus (waiting for running handlers), then closes cache and database. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Lines for the person starting the process (progress of a first start). */
  tell?: (line: string) => void;
  /** How often event delivery polls when not nudged. Default 1000 ms. */
  eventPollIntervalMs?: number;
}

/** Opens every port, applies pending migrations and registers the platform's metrics. */
export async function openRuntime(
  config: PlatformConfig,
  logger: Logger,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const db = await openDatabaseFor(config, options.tell ?? (() => {}));
  try {
    const report = await migrate(db, migrationSources);
    if (report.applied.length > 0) logger.info({ applied: report.applied }, 'migrations applied');

    const cache = config.redisUrl
      ? createRedisCache({
          url: config.redisUrl,
          keyPrefix: config.redisKeyPrefix,
          onError: (err) => logger.warn({ err }, 'redis cache error; serving without the cache'),
        })
      : createMemoryCache({ maxEntries: 50_000, maxBytes: 256 * 1024 * 1024 });

    const metrics = createMetrics();
    const events = metrics.counter(
      'emporium_event_deliveries_total',
      'Event deliveries by consumer, type and outcome.',
      ['consumer', 'type', 'outcome'],
    );
    const transport = eventTransportFor(
      config,
      db,
      {
        logger,
        metrics: {
          delivered: (consumer, type) => events.inc({ consumer, type, outcome: 'delivered' }),
          failed: (consumer, type) => events.inc({ consumer, type, outcome: 'failed' }),
          deadLettered: (consumer, type) => events.inc({ consumer, type, outcome: 'dead_lettered' }),
        },
      },
      options.eventPollIntervalMs,
    );
    const bus = createEventBus({
      db,
      transport,
      logger,
      ...(options.eventPollIntervalMs ? { pollIntervalMs: options.eventPollIntervalMs } : {}),
    });
    // One query per scrape serves the three gauges.
    let statsAt = 0;
    let stats: Promise<Awaited<ReturnType<typeof eventStats>>> | undefined;
    const currentStats = () => {
      if (!stats || Date.now() - statsAt > 1000) {
        statsAt = Date.now();
        stats = eventStats(db);
      }
      return stats;
    };
    metrics.gauge(
      'emporium_outbox_backlog',
      'Events committed to the outbox and not yet relayed.',
      async () => (await currentStats()).outboxPending,
    );
    metrics.gauge(
      'emporium_event_deliveries_pending',
      'Event deliveries waiting for a consumer (database transport).',
      async () => (await currentStats()).deliveriesPending,
    );
    metrics.gauge(
      'emporium_event_dead_letters',
      'Dead-lettered events not yet replayed.',
      async () => (await currentStats()).deadLetters,
    );

    // PGlite has no autovacuum: the runtime tends the embedded database itself.
    const upkeep =
      db.kind === 'pglite'
        ? startEmbeddedUpkeep(db, {
            onError: (err) => logger.error({ err }, 'tending the embedded database failed; will try again'),
          })
        : undefined;
    return {
      config,
      logger,
      clock: systemClock,
      secrets: new EnvSecretStore(),
      db,
      cache,
      bus,
      metrics,
      async close() {
        await bus.stop();
        await upkeep?.stop();
        await cache.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}
