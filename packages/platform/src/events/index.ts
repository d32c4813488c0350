export { type BackoffPolicy, backoffCeiling, backoffDelay } from './backoff.ts';
export {
  type DeadLetter,
  type ListDeadLettersOptions,
  listDeadLetters,
} from './dead-letter-store.ts';
export type { DeliveryOptions, EventLogger, EventMetrics } from './delivery-policy.ts';
export { createEventBus, type EventBus, type EventBusOptions } from './event-bus.ts';
export type {
  DeliveryContext,
  EventBatchHandler,
  EventEnvelope,
  EventHandler,
  NewEvent,
  SubscribeOptions,
} from './event-envelope.ts';
export { isEventType } from './event-names.ts';
export { type EventStats, eventStats } from './event-stats.ts';
export type { EventTransport } from './event-transport.ts';
export { handleOnce, handleOnceInsert, handleOnceInsertMany } from './handle-once.ts';
export { createNatsTransport, type NatsTransportOptions } from './nats-transport.ts';
export type { RelayHooks } from './outbox-relay.ts';
export { createPgTransport, type PgTransportOptions } from './pg-transport.ts';
export type { QueueUpkeepOptions } from './queue-upkeep.ts';
export { type ReplayResult, replayDeadLetter } from './replay-dead-letter.ts';
export {
  eventsAfter,
  type FromWritten,
  type ReturningWrite,
  writeEvents,
  writeWithEvents,
} from './write-events.ts';
