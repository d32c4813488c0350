import type { Generated, Kysely, Transaction } from 'kysely';

export type CardStatus = 'active' | 'authorizing' | 'used';

export interface CardsTable {
  token: string;
  fingerprint: string;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  pan_ciphertext: string;
  wrapped_key: string;
  key_id: string;
  status: Generated<CardStatus>;
  customer_id: string | null;
  claimed_by: string | null;
  claimed_at: Date | null;
  created_at: Date;
  used_at: Date | null;
}

export interface WrappedSecretsTable {
  name: string;
  wrapped: string;
  key_id: string;
  created_at: Date;
}

export interface AcquirerRequestsTable {
  idempotency_key: string;
  operation: string;
  request_hash: string;
  result: unknown;
  created_at: Date;
}

export interface AcquirerAuthorizationsTable {
  ref: string;
  reference: string;
  amount: string | number;
  currency: string;
  captured: Generated<string | number>;
  refunded: Generated<string | number>;
  status: 'authorized' | 'captured' | 'voided';
  created_at: Date;
}

export interface AcquirerAttemptsTable {
  reference: string;
  attempts: number;
}

export interface VaultTables {
  'vault.cards': CardsTable;
  'vault.wrapped_secrets': WrappedSecretsTable;
  'vault.test_acquirer_requests': AcquirerRequestsTable;
  'vault.test_acquirer_authorizations': AcquirerAuthorizationsTable;
  'vault.test_acquirer_attempts': AcquirerAttemptsTable;
}

export type Trx = Transaction<VaultTables>;
export type Reader = Kysely<VaultTables>;
