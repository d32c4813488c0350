import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/database.ts';
import { newId } from '../ids/ids.ts';
import type { EventEnvelope } from './event-envelope.ts';
import { jsonb } from './jsonb.ts';
import type { DeadLettersTable, EventTables } from './tables.ts';

/**
 * An event one consumer failed to handle on its last attempt. It stays until replayed; a replayed
 * event that fails again to the end comes back as the same record (same id), open again.
 */
export interface DeadLetter {
  /** `dlq_<ulid>`: what `emporium events replay ID` takes. */
  id: string;
  consumer: string;
  eventId: string;
  type: string;
  /** Attempts made before giving up. */
  attempts: number;
  /** The last handler error, one line (never the payload). */
  lastError: string;
  /** The transport that gave up: 'pg' or 'nats'. */
  transport: string;
  /** ISO time of the last failure. */
  deadAt: string;
  /** ISO time it was handed back to the consumer, or null while open. */
  replayedAt: string | null;
  /** The whole event, payload included: show it only to people allowed to see the data. */
  envelope: EventEnvelope;
}

export interface NewDeadLetter {
  consumer: string;
  envelope: EventEnvelope;
  attempts: number;
  lastError: string;
  transport: string;
  at: Date;
}

/** Records (or reopens) the dead letter of one consumer and event; returns its id. */
export async function recordDeadLetter(executor: Kysely<EventTables>, input: NewDeadLetter): Promise<string> {
  const row = await executor
    .insertInto('platform.dead_letters')
    .values({
      id: newId('dlq'),
      consumer: input.consumer,
      event_id: input.envelope.id,
      type: input.envelope.type,
      envelope: jsonb(input.envelope),
      attempts: input.attempts,
      last_error: input.lastError,
      transport: input.transport,
      dead_at: input.at,
    })
    .onConflict((oc) =>
      oc.columns(['consumer', 'event_id']).doUpdateSet({
        envelope: jsonb(input.envelope),
        attempts: input.attempts,
        last_error: input.lastError,
        transport: input.transport,
        dead_at: input.at,
        replayed_at: null,
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface ListDeadLettersOptions {
  /** Default 100. */
  limit?: number;
  /** Include those already replayed. Default false: open ones only. */
  includeReplayed?: boolean;
}

/** Dead letters, oldest first (for `emporium events dead-letters`). */
export async function listDeadLetters(
  db: Database,
  options: ListDeadLettersOptions = {},
): Promise<DeadLetter[]> {
  let query = db
    .as<EventTables>()
    .primary.selectFrom('platform.dead_letters')
    .selectAll()
    .orderBy('dead_at')
    .orderBy('id')
    .limit(options.limit ?? 100);
  if (!options.includeReplayed) query = query.where('replayed_at', 'is', null);
  return (await query.execute()).map(toDeadLetter);
}

export async function findDeadLetter(db: Database, id: string): Promise<DeadLetter | undefined> {
  const row = await db
    .as<EventTables>()
    .primary.selectFrom('platform.dead_letters')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toDeadLetter(row);
}

/**
 * Marks a dead letter replayed, unless it died again in the meantime (a newer `deadAt`): that
 * newer failure must stay visible. Returns the record as it now stands.
 */
export async function markReplayed(db: Database, letter: DeadLetter, at: Date): Promise<DeadLetter> {
  const row = await db
    .as<EventTables>()
    .primary.updateTable('platform.dead_letters')
    .set({ replayed_at: at })
    .where('id', '=', letter.id)
    .where('replayed_at', 'is', null)
    .where('dead_at', '=', new Date(letter.deadAt))
    .returningAll()
    .executeTakeFirst();
  return row ? toDeadLetter(row) : ((await findDeadLetter(db, letter.id)) ?? letter);
}

function toDeadLetter(row: Selectable<DeadLettersTable>): DeadLetter {
  return {
    id: row.id,
    consumer: row.consumer,
    eventId: row.event_id,
    type: row.type,
    attempts: row.attempts,
    lastError: row.last_error,
    transport: row.transport,
    deadAt: row.dead_at.toISOString(),
    replayedAt: row.replayed_at?.toISOString() ?? null,
    envelope: row.envelope as EventEnvelope,
  };
}
