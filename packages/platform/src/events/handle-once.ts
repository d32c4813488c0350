import { isOperationNodeSource, type RawBuilder, sql, type Transaction } from 'kysely';
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

/**
 * `handleOnce` for a handler whose whole database effect is one row inserted into `table`: the
 * consumer's mark and the row in one statement, with no transaction around it (BEGIN, the mark,
 * the insert and COMMIT were four round trips). The row is selected from the mark's returned row,
 * so it is written only when the mark was: a redelivery, or a concurrent duplicate (whose mark
 * waits for the first to commit, then inserts nothing), writes nothing and resolves false.
 *
 * Only for effects that are the row itself: an effect outside the database must be decided after
 * the mark (use `handleOnce`), or a redelivery would repeat it.
 *
 * @example
 * await handleOnceInsert(db, 'notify-order-confirmation', event, 'notify.messages', { id, subject });
 */
export async function handleOnceInsert(
  db: Database,
  consumer: string,
  event: Pick<EventEnvelope, 'id'>,
  table: string,
  row: object,
): Promise<boolean> {
  const entries = Object.entries(row);
  if (entries.length === 0) throw new Error('handleOnceInsert needs at least one column');
  const columns = entries.map(([c]) => c);
  const values = entries.map(([, v]) => (isExpression(v) ? v : sql`${v}`));
  const { rows } = await sql<{ marked: number }>`
    with mark as (
      insert into platform.processed_events (consumer, event_id) values (${consumer}, ${event.id})
      on conflict (consumer, event_id) do nothing
      returning event_id
    ), effect as (
      insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
      select ${sql.join(values)} from mark
    )
    select count(*)::integer as marked from mark`.execute(db.primary);
  return rows[0]?.marked === 1;
}

/** A Kysely expression (e.g. a jsonb cast) given as a column's value, spliced in as it is. */
function isExpression(value: unknown): value is RawBuilder<unknown> {
  return typeof value === 'object' && value !== null && isOperationNodeSource(value);
}
