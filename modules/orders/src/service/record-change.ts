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
export async function recordChange(
  trx: Transaction<OrdersTables>,
  clock: Clock,
  order: Order,
  change: Change,
): Promise<void> {
  const entry = trx.insertInto('orders.order_events').values({
    id: newId('oevt'),
    order_id: order.id,
    kind: change.kind,
    message: change.message,
    actor: change.actor,
    data: jsonb(change.data ?? {}),
    at: clock.now(),
  });
  if (!change.event) {
    await entry.execute();
    return;
  }
  const base: OrderEventBase = {
    orderId: order.id,
    number: order.number,
    status: order.status,
    paymentStatus: order.paymentStatus,
  };
  await writeWithEvents(
    trx as unknown as Transaction<AnyTables>,
    entry.returning('id'),
    [{ type: change.event.type, key: order.id, payload: { ...base, ...change.event.payload } }],
    clock,
  );
}

/** `12.50 USD` for timeline messages. */
export function formatAmount(amount: number, currency: string): string {
  const exp = minorUnitExponent(currency);
  return `${(amount / 10 ** exp).toFixed(exp)} ${currency.toUpperCase()}`;
}
