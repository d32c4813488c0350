import type { Transaction } from 'kysely';
import { type Clock, systemClock } from '../clock/clock.ts';
import type { AnyTables } from '../db/database.ts';
import { newId } from '../ids/ids.ts';
import type { EventEnvelope, NewEvent } from './event-envelope.ts';
import { assertEventType } from './event-names.ts';
import { jsonb } from './jsonb.ts';
import type { EventTables } from './tables.ts';

/**
 * Writes events to the outbox inside the caller's transaction, so they exist if and only if the
 * change they describe commits. After the commit, call `EventBus.nudge()` for prompt delivery
 * (the relay's polling finds them anyway).
 *
 * @example
 * await db.transaction(async (trx) => {
 *   await trx.updateTable('catalog.products').set(patch).where('id', '=', id).execute();
 *   await writeEvents(trx, [{ type: 'catalog.product.updated.v1', key: id, payload: { productId: id } }]);
 * });
 * bus.nudge();
 */
export async function writeEvents<P>(
  trx: Transaction<AnyTables>,
  events: readonly NewEvent<P>[],
  clock: Clock = systemClock,
): Promise<EventEnvelope<P>[]> {
  if (events.length === 0) return [];
  const occurredAt = clock.now();
  const envelopes = events.map((e): EventEnvelope<P> => {
    assertEventType(e.type);
    return {
      id: newId('evt'),
      type: e.type,
      occurredAt: occurredAt.toISOString(),
      ...(e.key === undefined ? {} : { key: e.key }),
      payload: e.payload,
      headers: { ...e.headers },
    };
  });
  await (trx as Transaction<EventTables>)
    .insertInto('platform.outbox')
    .values(
      envelopes.map((e) => ({
        id: e.id,
        type: e.type,
        key: e.key ?? null,
        payload: jsonb(e.payload),
        headers: jsonb(e.headers),
        occurred_at: occurredAt,
      })),
    )
    .execute();
  return envelopes;
}
