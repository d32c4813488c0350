import {
  createNatsTransport,
  createPgTransport,
  type Database,
  type DeliveryOptions,
  type EventTransport,
  type PlatformConfig,
} from '@emporium/platform';

/** The event transport of the configured mode: NATS JetStream when NATS_URL is set, else the database. */
export function eventTransportFor(
  config: PlatformConfig,
  db: Database,
  delivery: DeliveryOptions,
  pollIntervalMs = 1000,
): EventTransport {
  const options = { ...delivery, maxAttempts: config.eventMaxAttempts };
  if (config.natsUrl) {
    return createNatsTransport({
      ...options,
      db,
      servers: config.natsUrl,
      subjectPrefix: config.natsSubjectPrefix,
      connectionName: `emporium-${process.pid}`,
    });
  }
  return createPgTransport(db, { ...options, pollIntervalMs });
}
