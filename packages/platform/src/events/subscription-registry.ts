import type { EventHandler } from './event-envelope.ts';
import { assertConsumerName, assertEventType } from './event-names.ts';

/** The handlers one process registered: consumer → event type → handler. */
export class SubscriptionRegistry {
  readonly #byConsumer = new Map<string, Map<string, EventHandler>>();

  add(consumer: string, types: readonly string[], handler: EventHandler): void {
    assertConsumerName(consumer);
    if (types.length === 0) throw new Error(`consumer ${consumer} subscribed to no event types`);
    const handlers = this.#byConsumer.get(consumer) ?? new Map<string, EventHandler>();
    for (const type of types) {
      assertEventType(type);
      if (handlers.has(type)) throw new Error(`consumer ${consumer} subscribed to ${type} twice`);
    }
    for (const type of types) handlers.set(type, handler);
    this.#byConsumer.set(consumer, handlers);
  }

  consumers(): ReadonlyMap<string, ReadonlyMap<string, EventHandler>> {
    return this.#byConsumer;
  }
}
