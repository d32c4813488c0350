import type { Transaction } from 'kysely';
import type { AnyTables, Database } from '../db/database.ts';
import type { EventEnvelope } from './event-envelope.ts';
import type { EventTables } from './tables.ts';

/**
 * Runs `fn` for `event` at most once per consumer, whatever the number of deliveries: in one
 * transaction it records (consumer, event id) in `platform.processed_events` and runs `fn` with
 * that transaction. Resolves true when `fn` ran and committed, false when the event had already
 * been handled (nothing runs). If `fn` throws, nothing is recorded and the error propagates, so
 * the delivery is retried.
 *
 * Put every database effect of the handler inside `fn` (through `trx`); an effect outside the
 * database (an email) can still happen twice if the process dies between it and the commit.
 *
 * @example
 * bus.subscribe('search-indexer', ['catalog.product.updated.v1'], (event) =>
 *   handleOnce(db, 'search-indexer', event, (trx) => reindex(trx, event.key)).then(() => {}),
 * );
 */
export function handleOnce(
  db: Database,
  consumer: string,
  event: Pick<EventEnvelope, 'id'>,
  fn: (trx: Transaction<AnyTables>) => Promise<void>,
): Promise<boolean> {
  return db.transaction(async (trx) => {
    // A concurrent duplicate blocks on this row until the first commits, then inserts nothing.
    const inserted = await (trx as Transaction<EventTables>)
      .insertInto('platform.processed_events')
      .values({ consumer, event_id: event.id })
      .onConflict((oc) => oc.columns(['consumer', 'event_id']).doNothing())
      .returning('event_id')
      .executeTakeFirst();
    if (!inserted) return false;
    await fn(trx);
    return true;
  });
}
