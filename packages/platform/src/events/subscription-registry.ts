import type { EventBatchHandler, EventHandler, SubscribeOptions } from './event-envelope.ts';
import { assertConsumerName, assertEventType } from './event-names.ts';

/** The handlers one process registered: consumer → event type → handler. */
export class SubscriptionRegistry {
  readonly #byConsumer = new Map<string, Map<string, EventHandler>>();
  readonly #batchByConsumer = new Map<string, Map<string, EventBatchHandler>>();

  add(
    consumer: string,
    types: readonly string[],
    handler: EventHandler,
    options: SubscribeOptions = {},
  ): void {
    assertConsumerName(consumer);
    if (types.length === 0) throw new Error(`consumer ${consumer} subscribed to no event types`);
    const handlers = this.#byConsumer.get(consumer) ?? new Map<string, EventHandler>();
    for (const type of types) {
      assertEventType(type);
      if (handlers.has(type)) throw new Error(`consumer ${consumer} subscribed to ${type} twice`);
    }
    for (const type of types) handlers.set(type, handler);
    this.#byConsumer.set(consumer, handlers);
    const { handleMany } = options;
    if (handleMany) {
      const batch = this.#batchByConsumer.get(consumer) ?? new Map<string, EventBatchHandler>();
      for (const type of types) batch.set(type, handleMany);
      this.#batchByConsumer.set(consumer, batch);
    }
  }

  /** The consumer's batch handlers by event type (those subscribed with `handleMany`). */
  batchHandlers(consumer: string): ReadonlyMap<string, EventBatchHandler> {
    return this.#batchByConsumer.get(consumer) ?? new Map();
  }

  consumers(): ReadonlyMap<string, ReadonlyMap<string, EventHandler>> {
    return this.#byConsumer;
  }
}
