import type { Generated, Kysely, Transaction } from 'kysely';
import type { PaymentCard, PaymentIntentStatus } from '../contract/index.ts';

type Int8 = string | number;

export interface IntentsTable {
  id: string;
  reference: string;
  amount: Int8;
  currency: string;
  status: PaymentIntentStatus;
  amount_authorized: Generated<Int8>;
  amount_captured: Generated<Int8>;
  amount_refunded: Generated<Int8>;
  provider: string | null;
  authorization_ref: string | null;
  card: PaymentCard | null;
  last_failure_code: string | null;
  created_at: Date;
  updated_at: Date;
}

export type OutcomeStatus = 'pending' | 'succeeded' | 'failed';

export interface AttemptsTable {
  id: string;
  payment_id: string;
  idempotency_key: string;
  provider: string;
  status: OutcomeStatus;
  failure_code: string | null;
  failure_message: string | null;
  tries: Generated<number>;
  created_at: Date;
  finished_at: Date | null;
}

export interface RefundsTable {
  id: string;
  payment_id: string;
  idempotency_key: string;
  amount: Int8;
  status: OutcomeStatus;
  failure_code: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export interface PaymentsTables {
  'payments.intents': IntentsTable;
  'payments.attempts': AttemptsTable;
  'payments.refunds': RefundsTable;
}

export type Trx = Transaction<PaymentsTables>;
export type Reader = Kysely<PaymentsTables>;
