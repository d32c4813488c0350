import { type ColumnType, type RawBuilder, sql, type Transaction } from 'kysely';

/** Where a saga is: see saga-steps.ts. */
export type SagaStatus = 'running' | 'compensating' | 'completed' | 'failed';

/** A jsonb column: read as T, written through `jsonb()`. */
type Jsonb<T> = ColumnType<T, RawBuilder<unknown>, RawBuilder<unknown>>;

export interface SagasTable {
  id: string;
  cart_id: string;
  idempotency_key: string;
  request_hash: string;
  request: Jsonb<unknown>;
  actor: string;
  status: SagaStatus;
  step: string;
  reservation_id: string | null;
  order_id: string | null;
  payment_id: string | null;
  amount: number | null;
  currency_code: string | null;
  order_secret: string | null;
  failure_code: string | null;
  response_status: number | null;
  response_body: Jsonb<unknown> | null;
  /** Steps logged so far: the next step's `seq` (one statement records a step). */
  step_count: ColumnType<number, number | undefined, number>;
  attempts: ColumnType<number, number | undefined, number>;
  lease_until: Date;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface SagaStepsTable {
  saga_id: string;
  seq: number;
  step: string;
  status: SagaStatus;
  detail: Jsonb<unknown> | null;
  at: Date;
}

export interface CheckoutTables {
  'checkout.sagas': SagasTable;
  'checkout.saga_steps': SagaStepsTable;
}

export type Trx = Transaction<CheckoutTables>;

/**
 * A value for a jsonb parameter, serialised here: node-postgres would turn a top-level array into
 * a Postgres array literal, and PGlite passes strings through as they are.
 */
export function jsonb(value: unknown): RawBuilder<unknown> {
  return sql`cast(${JSON.stringify(value)} as jsonb)`;
}
