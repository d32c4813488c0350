import type { DeliveryPolicy } from './delivery-policy.ts';
import type { EventEnvelope } from './event-envelope.ts';

/** One attempt to hand one event to one consumer. */
export interface Attempt {
  consumer: string;
  event: EventEnvelope;
  /** 1-based. */
  attempt: number;
}

// Logs carry ids and the type, never the payload: it may hold personal data.
const facts = (a: Attempt) => ({ eventId: a.event.id, type: a.event.type, consumer: a.consumer });

export function reportDelivered(policy: DeliveryPolicy, a: Attempt): void {
  policy.metrics.delivered(a.consumer, a.event.type);
  policy.logger.debug({ ...facts(a), attempt: a.attempt }, 'event handled');
}

export function reportRetry(policy: DeliveryPolicy, a: Attempt, error: string, retryInMs: number): void {
  policy.metrics.failed(a.consumer, a.event.type);
  policy.logger.warn(
    { ...facts(a), attempt: a.attempt, retryInMs, error },
    'event handler failed; will retry',
  );
}

export function reportDeadLetter(
  policy: DeliveryPolicy,
  a: Attempt,
  error: string,
  deadLetterId: string,
): void {
  policy.metrics.failed(a.consumer, a.event.type);
  policy.metrics.deadLettered(a.consumer, a.event.type);
  policy.logger.error(
    { ...facts(a), attempts: a.attempt, error, deadLetterId },
    'event dead-lettered after its last attempt',
  );
}
