-- Outbox and event bus (packages/platform/src/events): the outbox every module writes its events
-- to, per-consumer deliveries of the Postgres transport, the idempotent-consumer ledger and the
-- dead letters of both transports. Times are written by the application's clock.

-- Events written in the caller's transaction; the relay publishes them and sets published_at.
create table platform.outbox (
  id text primary key,                -- evt_<ulid>: sorts in creation order
  type text not null,                 -- <module>.<entity>.<past-tense>.v<n>
  key text,                           -- aggregate id, if any
  payload jsonb not null,
  headers jsonb not null default '{}',
  occurred_at timestamptz not null,
  created_at timestamptz not null default now(),
  relay_locked_until timestamptz,     -- lease of the relay that claimed the row
  published_at timestamptz
);
create index outbox_unpublished on platform.outbox (id) where published_at is null;

-- Which consumer wants which event type (Postgres transport); upserted when a consumer starts.
create table platform.event_subscriptions (
  type text not null,
  consumer text not null,
  created_at timestamptz not null default now(),
  primary key (type, consumer)
);

-- One row per (consumer, event) still to be handled (Postgres transport); deleted once handled.
create table platform.event_deliveries (
  consumer text not null,
  event_id text not null,
  type text not null,
  envelope jsonb not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  locked_until timestamptz,           -- lease of the worker running the handler
  lease_token text,
  last_error text,
  created_at timestamptz not null default now(),
  primary key (consumer, event_id)
);
create index event_deliveries_due on platform.event_deliveries (consumer, next_attempt_at);

-- What each idempotent consumer has handled (handleOnce), so a redelivery changes nothing.
create table platform.processed_events (
  consumer text not null,
  event_id text not null,
  processed_at timestamptz not null default now(),
  primary key (consumer, event_id)
);

-- Events a consumer failed to handle after the last attempt; replayed by hand (`emporium events`).
create table platform.dead_letters (
  id text primary key,                -- dlq_<ulid>
  consumer text not null,
  event_id text not null,
  type text not null,
  envelope jsonb not null,
  attempts integer not null,
  last_error text not null,
  transport text not null,            -- 'pg' or 'nats'
  dead_at timestamptz not null,
  replayed_at timestamptz,
  unique (consumer, event_id)
);
create index dead_letters_open on platform.dead_letters (dead_at) where replayed_at is null;
