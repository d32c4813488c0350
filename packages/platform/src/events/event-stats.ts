import { sql } from 'kysely';
import type { Database } from '../db/database.ts';

export interface EventStats {
  /** Outbox rows not yet relayed. */
  outboxPending: number;
  /** Deliveries of the Postgres transport waiting for (or in) a handler, retries included. */
  deliveriesPending: number;
  /** Dead letters not yet replayed. */
  deadLetters: number;
}

/** Backlog counts for the metrics gauges (a rising `outboxPending` means the relay is stuck). */
export async function eventStats(db: Database): Promise<EventStats> {
  const { rows } = await sql<EventStats>`
    select (select count(*) from platform.outbox where published_at is null) as "outboxPending",
           (select count(*) from platform.event_deliveries) as "deliveriesPending",
           (select count(*) from platform.dead_letters where replayed_at is null) as "deadLetters"`.execute(
    db.primary,
  );
  return rows[0] ?? { outboxPending: 0, deliveriesPending: 0, deadLetters: 0 };
}
