import { type AnyTables, type Clock, minorUnitExponent, newId, writeWithEvents } from '@emporium/platform';
import type { Transaction } from 'kysely';
import type { Order, OrderEventBase, OrdersEventType } from '../contract/index.ts';
import { jsonb } from '../db/jsonb.ts';
import type { OrdersTables } from '../db/tables.ts';

export interface Change {
  kind: string;
  message: string;
  actor: string;
  data?: Record<string, unknown>;
  /** The outbox event to write with it, if any; its payload gets the order's base fields added. */
  event?: { type: OrdersEventType; payload?: Record<string, unknown> };
}

/**
 * Appends a timeline entry and (optionally) an outbox event, in the caller's transaction, in one
 * statement.
 */
export function recordChange(
  trx: Transaction<OrdersTables>,
  clock: Clock,
  order: Order,
  change: Change,
): Promise<void> {
  return recordChanges(trx, clock, [{ order, change }]);
}

/**
 * Appends the timeline entries of several orders' changes and their outbox events, in the caller's
 * transaction, in one statement whatever their number.
 */
export async function recordChanges(
  trx: Transaction<OrdersTables>,
  clock: Clock,
  changes: readonly { order: Order; change: Change }[],
): Promise<void> {
  if (changes.length === 0) return;
  const at = clock.now();
  const entries = trx.insertInto('orders.order_events').values(
    changes.map(({ order, change }) => ({
      id: newId('oevt'),
      order_id: order.id,
      kind: change.kind,
      message: change.message,
      actor: change.actor,
      data: jsonb(change.data ?? {}),
      at,
    })),
  );
  const events = changes.flatMap(({ order, change }) => {
    if (!change.event) return [];
    const base: OrderEventBase = {
      orderId: order.id,
      number: order.number,
      status: order.status,
      paymentStatus: order.paymentStatus,
    };
    return [{ type: change.event.type, key: order.id, payload: { ...base, ...change.event.payload } }];
  });
  if (events.length === 0) {
    await entries.execute();
    return;
  }
  await writeWithEvents(trx as unknown as Transaction<AnyTables>, entries.returning('id'), events, clock);
}

/** `12.50 USD` for timeline messages. */
export function formatAmount(amount: number, currency: string): string {
  const exp = minorUnitExponent(currency);
  return `${(amount / 10 ** exp).toFixed(exp)} ${currency.toUpperCase()}`;
}
