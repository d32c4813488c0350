-- Payment intents, their authorization attempts and refunds (modules/payments). Card data never
-- comes here: a token's brand, last 4 and expiry at most. Times come from the application clock.

create table payments.intents (
  id text primary key,                  -- pay_<ulid>
  reference text not null,              -- the order id
  amount bigint not null check (amount > 0),
  currency text not null,
  status text not null check (status in ('requires_authorization', 'authorized', 'captured', 'canceled')),
  amount_authorized bigint not null default 0,
  amount_captured bigint not null default 0,
  -- Refunds succeeded or in flight: reserved before the provider call, so concurrent refunds can
  -- never add up to more than was captured.
  amount_refunded bigint not null default 0,
  provider text,
  authorization_ref text,
  card jsonb,
  last_failure_code text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  constraint intents_captured_within_authorized check (amount_captured <= amount_authorized),
  constraint intents_refunded_within_captured check (amount_refunded <= amount_captured)
);
create index intents_reference on payments.intents (reference, id);

-- One row per authorize call's idempotency key: replays answer the stored result.
create table payments.attempts (
  id text primary key,                  -- payatt_<ulid>
  payment_id text not null references payments.intents (id),
  idempotency_key text not null,
  provider text not null,
  status text not null check (status in ('pending', 'succeeded', 'failed')),
  failure_code text,
  failure_message text,
  tries integer not null default 0,
  created_at timestamptz not null,
  finished_at timestamptz,
  unique (payment_id, idempotency_key)
);

create table payments.refunds (
  id text primary key,                  -- refund_<ulid>
  payment_id text not null references payments.intents (id),
  idempotency_key text not null,
  amount bigint not null check (amount > 0),
  status text not null check (status in ('pending', 'succeeded', 'failed')),
  failure_code text,
  created_at timestamptz not null,
  finished_at timestamptz,
  unique (payment_id, idempotency_key)
);

-- One authorization in flight per payment: a second key must wait for the first to finish.
create unique index attempts_one_pending on payments.attempts (payment_id) where status = 'pending';
