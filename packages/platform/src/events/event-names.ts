const WORD = '[a-z][a-z0-9]*(?:_[a-z0-9]+)*';
const EVENT_TYPE = new RegExp(`^${WORD}\\.${WORD}\\.${WORD}\\.v[1-9][0-9]*$`);
const CONSUMER = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

/** True for `<module>.<entity>.<past-tense>.v<n>`: four dot-separated lower-case snake_case words. */
export function isEventType(type: string): boolean {
  return EVENT_TYPE.test(type);
}

export function assertEventType(type: string): void {
  if (!isEventType(type)) {
    throw new Error(
      `event type "${type}" must read <module>.<entity>.<past-tense>.v<n>, e.g. catalog.product.updated.v1`,
    );
  }
}

/**
 * Consumer names become NATS durable names and database keys, so they stay short and plain:
 * lower-case words joined by single hyphens or underscores, e.g. `search-indexer`.
 */
export function assertConsumerName(consumer: string): void {
  if (consumer.length > 64 || !CONSUMER.test(consumer)) {
    throw new Error(
      `consumer name "${consumer}" must be lower-case words joined by - or _ (at most 64 characters)`,
    );
  }
}
