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

/** A column type named in SQL text: a plain type name, optionally an array. */
const COLUMN_TYPE = /^[a-z][a-z0-9_ ]*(\[\])?$/;

/**
 * `handleOnceInsert` for several events of one consumer at once (an EventBatchHandler's work): the
 * consumer's marks and the rows in one statement. Each item's row is written only when its event's
 * mark was, and the answer says, per item in order, whether it was (false: handled before, or the
 * same event earlier in `items`). The rows travel as JSON, so `columns` names each column's SQL
 * type; values must survive JSON (a Date as its ISO string).
 *
 * @example
 * await handleOnceInsertMany(db, 'notify-order-confirmation', 'notify.messages',
 *   { id: 'text', subject: 'text', created_at: 'timestamptz' },
 *   events.map((event) => ({ event, row: { id: newId('msg'), subject, created_at: now } })));
 */
export async function handleOnceInsertMany(
  db: Database,
  consumer: string,
  table: string,
  columns: Readonly<Record<string, string>>,
  items: readonly { event: Pick<EventEnvelope, 'id'>; row: Readonly<Record<string, unknown>> }[],
): Promise<boolean[]> {
  const names = Object.keys(columns);
  if (names.length === 0) throw new Error('handleOnceInsertMany needs at least one column');
  for (const [name, type] of Object.entries(columns)) {
    if (!COLUMN_TYPE.test(type))
      throw new Error(`handleOnceInsertMany: "${type}" (${name}) is not a type name`);
  }
  // One row an event: a second item of the same event is answered false without a second row.
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    if (!first.has(item.event.id)) first.set(item.event.id, i);
  });
  if (first.size === 0) return [];
  const rows = [...first.values()].map((i) => {
    const item = items[i] as (typeof items)[number];
    return { ...item.row, handled_event_id: item.event.id };
  });
  const definitions = sql.join([
    sql`handled_event_id text`,
    ...names.map((name) => sql`${sql.ref(name)} ${sql.raw(columns[name] ?? '')}`),
  ]);
  const targets = sql.join(names.map((name) => sql.ref(name)));
  const values = sql.join(names.map((name) => sql.ref(`v.${name}`)));
  const { rows: marked } = await sql<{ event_id: string }>`
    with v as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(${definitions})
    ), mark as (
      insert into platform.processed_events (consumer, event_id)
      select ${consumer}, handled_event_id from v
      on conflict (consumer, event_id) do nothing
      returning event_id
    ), effect as (
      insert into ${sql.table(table)} (${targets})
      select ${values} from v join mark on mark.event_id = v.handled_event_id
    )
    select event_id from mark`.execute(db.primary);
  const written = new Set(marked.map((r) => r.event_id));
  return items.map((item, i) => first.get(item.event.id) === i && written.has(item.event.id));
}
