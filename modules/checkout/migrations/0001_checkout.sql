-- The checkout saga (modules/checkout): one row per checkout attempt, keyed by the shopper's
-- Idempotency-Key, and an append-only log of every step it took. Times are written by the
-- application's clock, never by now(), so tests can move time.

-- A checkout attempt. `step` is the last step whose effect is known to have happened in another
-- module (see saga-steps.ts for the order); `status` says whether the saga still moves forward
-- ('running'), is undoing its steps ('compensating'), or is over ('completed', 'failed').
-- While running or compensating, the process working on it holds a lease (`lease_until`); the
-- recovery worker takes over sagas whose lease lapsed (their process died).
create table checkout.sagas (
  id text primary key,                   -- chk_<ulid>; also the payment's idempotency key
  cart_id text not null,
  idempotency_key text not null,
  -- sha256 of the canonical request body: same key + different body is a conflict.
  request_hash text not null,
  -- The request as the saga needs it to run or resume (addresses, option, payment token);
  -- never card data: the token stands for the card.
  request jsonb not null,
  -- Who asked: 'cart' (the cart's secret) or the customer's id.
  actor text not null,
  status text not null,
  step text not null,
  reservation_id text,
  order_id text,
  payment_id text,
  amount integer,
  currency_code text,
  -- The order's bearer secret, kept to answer replays of the same key (the response carries it).
  order_secret text,
  -- Why the saga failed, when it did (card_declined, out_of_stock, …).
  failure_code text,
  -- The answer the shopper got, replayed for the same Idempotency-Key.
  response_status integer,
  response_body jsonb,
  attempts integer not null default 0,
  lease_until timestamptz not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  finished_at timestamptz,
  constraint sagas_status check (status in ('running', 'compensating', 'completed', 'failed')),
  constraint sagas_step check (step in (
    'started', 'reserved', 'order_created', 'authorizing', 'authorized', 'stock_committed',
    'placed', 'released', 'order_cancelled', 'payment_voided', 'done'
  )),
  constraint sagas_finished_has_response check (
    status in ('running', 'compensating') or (response_status is not null and finished_at is not null)
  )
);
create unique index sagas_idempotency on checkout.sagas (cart_id, idempotency_key);
-- At most one checkout of a cart in flight: a second one (another key) waits for its outcome.
create unique index sagas_one_live_per_cart on checkout.sagas (cart_id)
  where status in ('running', 'compensating');
-- The recovery worker's scan: unfinished sagas by lease expiry.
create index sagas_unfinished_by_lease on checkout.sagas (lease_until)
  where status in ('running', 'compensating');

-- Every step a saga took, forward or back, in order. Append-only.
create table checkout.saga_steps (
  saga_id text not null references checkout.sagas (id),
  seq integer not null,
  step text not null,
  status text not null,
  detail jsonb,
  at timestamptz not null,
  primary key (saga_id, seq)
);

create function checkout.refuse_step_change() returns trigger language plpgsql as $$
begin
  raise exception 'checkout.saga_steps is append-only' using errcode = '55000';
end
$$;
create trigger saga_steps_append_only before update or delete on checkout.saga_steps
  for each row execute function checkout.refuse_step_change();
