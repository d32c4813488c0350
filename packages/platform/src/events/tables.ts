import type { ColumnType, Generated } from 'kysely';

/** A jsonb column: read as T, written through `jsonb()`. */
type Jsonb<T> = ColumnType<T, unknown, unknown>;

export interface OutboxTable {
  id: string;
  type: string;
  key: string | null;
  payload: Jsonb<unknown>;
  headers: Jsonb<Record<string, string>>;
  occurred_at: Date;
  created_at: Generated<Date>;
  relay_locked_until: Date | null;
  published_at: Date | null;
}

export interface EventSubscriptionsTable {
  type: string;
  consumer: string;
  created_at: Generated<Date>;
}

export interface EventDeliveriesTable {
  consumer: string;
  event_id: string;
  type: string;
  envelope: Jsonb<unknown>;
  attempts: Generated<number>;
  next_attempt_at: Date;
  locked_until: Date | null;
  lease_token: string | null;
  last_error: string | null;
  created_at: Generated<Date>;
}

export interface ProcessedEventsTable {
  consumer: string;
  event_id: string;
  processed_at: Generated<Date>;
}

export interface DeadLettersTable {
  id: string;
  consumer: string;
  event_id: string;
  type: string;
  envelope: Jsonb<unknown>;
  attempts: number;
  last_error: string;
  transport: string;
  dead_at: Date;
  replayed_at: Date | null;
}

/** The tables of migrations/0002_events.sql, as Kysely sees them. */
export interface EventTables {
  'platform.outbox': OutboxTable;
  'platform.event_subscriptions': EventSubscriptionsTable;
  'platform.event_deliveries': EventDeliveriesTable;
  'platform.processed_events': ProcessedEventsTable;
  'platform.dead_letters': DeadLettersTable;
}
