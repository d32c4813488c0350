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
 * already knows, except the payload fields named in `fromWritten` (field → column of the written
 * row), which are copied from the row the write returned.
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
  fromWritten: Readonly<Record<string, string>> = {},
): Promise<R[]> {
  const { rows } =
    await sql<R>`with w as (${write}), e as (${eventsAfter('w', events, clock, fromWritten)}) select * from w`.execute(
      db,
    );
  return rows;
}

/**
 * The outbox insert of `events`, as the body of a data-modifying CTE that writes them only when the
 * CTE named `after` returned a row: for statements `writeWithEvents` does not cover (several writes).
 * The payload fields named in `fromWritten` (field → column of `after`) are taken from that row
 * (the payloads are then objects).
 *
 * @example
 * sql`with i as (${update}), e as (${eventsAfter('i', events, clock)}) select * from i`
 */
export function eventsAfter<P>(
  after: string,
  events: readonly NewEvent<P>[],
  clock: Clock = systemClock,
  fromWritten: Readonly<Record<string, string>> = {},
): RawBuilder<unknown> {
  if (events.length === 0) throw new Error('eventsAfter needs at least one event');
  const occurredAt = clock.now();
  const rows = toEnvelopes(events, occurredAt).map(
    (e) =>
      sql`(${e.id}::text, ${e.type}::text, ${e.key ?? null}::text, ${jsonb(e.payload)}, ${jsonb(e.headers)}, ${occurredAt}::timestamptz)`,
  );
  const fields = Object.entries(fromWritten);
  const payload =
    fields.length === 0
      ? sql`v.payload`
      : sql`v.payload || jsonb_build_object(${sql.join(
          fields.map(
            ([field, column]) =>
              sql`${field}::text, (select ${sql.ref(column)} from ${sql.table(after)} limit 1)`,
          ),
        )})`;
  return sql`
    insert into platform.outbox (id, type, key, payload, headers, occurred_at)
    select v.id, v.type, v.key, ${payload}, v.headers, v.occurred_at
    from (values ${sql.join(rows)}) as v (id, type, key, payload, headers, occurred_at)
    where exists (select from ${sql.table(after)})`;
}
