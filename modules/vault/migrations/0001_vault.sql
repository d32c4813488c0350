-- The card data environment (modules/vault). The only tables that hold card numbers, and only
-- encrypted: AES-256-GCM under a per-card data key, itself wrapped by a key-encryption key (KEK)
-- that never enters the database. The CVC is never stored. Times come from the application clock.

-- One card per token. `pan_ciphertext` is base64(iv | tag | ciphertext) of the card number under
-- the card's data key; `wrapped_key` is base64(iv | tag | ciphertext) of that data key under the
-- KEK `key_id`. `fingerprint` is an HMAC of the number (duplicate detection) under a key kept in
-- vault.wrapped_secrets.
create table vault.cards (
  token text primary key,               -- tok_<ulid>
  fingerprint text not null,
  brand text not null,
  last4 text not null,
  exp_month integer not null,
  exp_year integer not null,
  pan_ciphertext text not null,
  wrapped_key text not null,
  key_id text not null,
  -- active: unused; authorizing: claimed by an authorization in flight (claimed_at); used: spent
  -- (single use); saved tokens (customer_id set) go back to active after each authorization.
  status text not null default 'active',
  customer_id text,
  claimed_by text,
  claimed_at timestamptz,
  created_at timestamptz not null,
  used_at timestamptz,
  constraint cards_status check (status in ('active', 'authorizing', 'used'))
);
create index cards_fingerprint on vault.cards (fingerprint);
create index cards_key_id on vault.cards (key_id);

-- Secrets the vault keeps wrapped under the KEK, e.g. the fingerprint HMAC key.
create table vault.wrapped_secrets (
  name text primary key,
  wrapped text not null,
  key_id text not null,
  created_at timestamptz not null
);

-- The built-in test processor (the acquirer at the other end of the vault's forwarding). A real
-- acquirer keeps these on its side; ours keeps them here so replays survive restarts.
-- One row per provider idempotency key: null result while the request is in flight.
create table vault.test_acquirer_requests (
  idempotency_key text primary key,
  operation text not null,
  request_hash text not null,
  result jsonb,
  created_at timestamptz not null
);

create table vault.test_acquirer_authorizations (
  ref text primary key,                 -- auth_<ulid>
  reference text not null,
  amount bigint not null,
  currency text not null,
  captured bigint not null default 0,
  refunded bigint not null default 0,
  status text not null,                 -- authorized | captured | voided
  created_at timestamptz not null
);

-- How often a reference (payment) has tried the flaky test card 4000 0000 0000 0119.
create table vault.test_acquirer_attempts (
  reference text primary key,
  attempts integer not null
);
