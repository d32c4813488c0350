/**
 * One event as every consumer receives it, whatever the transport. Serialised as JSON: the payload
 * must survive `JSON.stringify` (no Dates, BigInts or class instances; send ISO strings and
 * integer minor units).
 *
 * @example
 * { id: 'evt_01jd…', type: 'catalog.product.updated.v1', occurredAt: '2026-01-01T00:00:00.000Z',
 *   key: 'prod_01jd…', payload: { productId: 'prod_01jd…' }, headers: { requestId: 'req_…' } }
 */
export interface EventEnvelope<P = unknown> {
  /** `evt_<ulid>`: unique, and sorts in creation order within one process. */
  id: string;
  /** `<module>.<entity>.<past-tense>.v<n>`, e.g. `payments.payment.captured.v1`. */
  type: string;
  /** When the change happened (ISO 8601, from the writer's clock). */
  occurredAt: string;
  /** The id of the aggregate that changed, when there is one. */
  key?: string;
  payload: P;
  /** Context for tracing and logs, e.g. `requestId`. Never secrets or personal data. */
  headers: Record<string, string>;
}

/** What a module hands to `writeEvents`; id and time are added there. */
export interface NewEvent<P = unknown> {
  type: string;
  payload: P;
  key?: string;
  headers?: Record<string, string>;
}

/** Facts about the delivery being attempted. */
export interface DeliveryContext {
  /** The consumer name the handler was subscribed under. */
  consumer: string;
  /** 1 on the first delivery to this consumer, 2 on the first retry, and so on. */
  attempt: number;
}

/**
 * Handles one event for one consumer. Resolving means handled; throwing means try again later
 * (with backoff) until the last attempt, after which the event is dead-lettered. Delivery is at
 * least once: make the effect idempotent, usually with `handleOnce`.
 */
export type EventHandler = (event: EventEnvelope, context: DeliveryContext) => Promise<void>;

/**
 * Handles several events of one consumer at once, in their order, with the same meaning as calling
 * the consumer's `EventHandler` for each: one settled outcome per event, in the events' order (a
 * rejected one is retried or dead-lettered alone). Throwing hands each event to the one-event
 * handler instead. A transport may call it or not: it is a way to share one statement among a
 * claim's events, never the only way an event is handled.
 */
export type EventBatchHandler = (
  events: readonly EventEnvelope[],
  context: { consumer: string },
) => Promise<readonly PromiseSettledResult<void>[]>;

/** How a consumer subscribes, beyond its one-event handler. */
export interface SubscribeOptions {
  /** Handles a claim's consecutive events of the consumer's types together (see EventBatchHandler). */
  handleMany?: EventBatchHandler;
}
