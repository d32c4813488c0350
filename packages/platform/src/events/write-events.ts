import {
  type Compilable,
  type Kysely,
  type OperationNodeSource,
  type RawBuilder,
  sql,
  type Transaction,
} from 'kysely';
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
  const envelopes = toEnvelopes(events, occurredAt);
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

function toEnvelopes<P>(events: readonly NewEvent<P>[], occurredAt: Date): EventEnvelope<P>[] {
  return events.map((e): EventEnvelope<P> => {
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
}

/** An insert or update with `returning`, built but not executed. */
export type ReturningWrite<R> = Compilable<R> & OperationNodeSource;

/**
 * Runs one insert or update (`write`, built with `returning`) and writes `events` to the outbox in
 * the same statement, as data-modifying CTEs: the events are written if and only if the write
 * returned a row, and both commit together. It answers the write's rows. Where a change is one
 * write and its events, this is `writeEvents` in a transaction without the transaction's BEGIN and
 * COMMIT (three round trips fewer on a hot path). The events are built from what the caller
 * already knows, except the payload fields named in `fromWritten` (see FromWritten), which are
 * copied from the row the write returned. A write of several rows (one per event) names the column
 * that matches each event's key in `fromWritten.byKey`: each event is then written only if its
 * row was.
 *
 * @example
 * const [row] = await writeWithEvents(db.primary, db.primary.insertInto('payments.intents').values(v).returningAll(), [
 *   { type: 'payments.intent.created.v1', key: v.id, payload },
 * ]);
 * bus.nudge();
 */
export async function writeWithEvents<R, P>(
  db: Kysely<AnyTables>,
  write: ReturningWrite<R>,
  events: readonly NewEvent<P>[],
  clock: Clock = systemClock,
  fromWritten: FromWritten = {},
): Promise<R[]> {
  const { rows } =
    await sql<R>`with w as (${write}), e as (${eventsAfter('w', events, clock, fromWritten)}) select * from w`.execute(
      db,
    );
  return rows;
}

/**
 * The outbox insert of `events`, as the body of a data-modifying CTE that writes them only when the
 * CTE named `after` returned a row (with `fromWritten.byKey`, the row of each event's key): for
 * statements `writeWithEvents` does not cover (several writes). The payload fields named in
 * `fromWritten.fields` are taken from that row (the payloads are then objects).
 *
 * @example
 * sql`with i as (${update}), e as (${eventsAfter('i', events, clock)}) select * from i`
 */
export function eventsAfter<P>(
  after: string,
  events: readonly NewEvent<P>[],
  clock: Clock = systemClock,
  fromWritten: FromWritten = {},
): RawBuilder<unknown> {
  if (events.length === 0) throw new Error('eventsAfter needs at least one event');
  const occurredAt = clock.now();
  const rows = toEnvelopes(events, occurredAt).map(
    (e) =>
      sql`(${e.id}::text, ${e.type}::text, ${e.key ?? null}::text, ${jsonb(e.payload)}, ${jsonb(e.headers)}, ${occurredAt}::timestamptz)`,
  );
  // The written row an event goes with: any (one write) or the one whose `byKey` is its key.
  const row = fromWritten.byKey
    ? sql`from ${sql.table(after)} as w where w.${sql.ref(fromWritten.byKey)} = v.key`
    : sql`from ${sql.table(after)} as w`;
  const fields = Object.entries(fromWritten.fields ?? {});
  const payload =
    fields.length === 0
      ? sql`v.payload`
      : sql`v.payload || jsonb_build_object(${sql.join(
          fields.map(([field, column]) => sql`${field}::text, (select w.${sql.ref(column)} ${row} limit 1)`),
        )})`;
  return sql`
    insert into platform.outbox (id, type, key, payload, headers, occurred_at)
    select v.id, v.type, v.key, ${payload}, v.headers, v.occurred_at
    from (values ${sql.join(rows)}) as v (id, type, key, payload, headers, occurred_at)
    where exists (select ${row})`;
}

/** What `writeWithEvents` and `eventsAfter` take from the written rows into the events. */
export interface FromWritten {
  /** Payload field → column of the written row, copied into the payload (an object then). */
  readonly fields?: Readonly<Record<string, string>>;
  /**
   * For a write of several rows: the column that holds each event's key. An event is written only
   * if a row with its key was, and its `fields` come from that row.
   */
  readonly byKey?: string;
}
