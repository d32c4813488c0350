-- Idempotency keys (packages/platform/src/idempotency): one row per (scope, owner, key). A request
-- claims its key by inserting the row (state 'running', with a lease); the response is stored on
-- completion (state 'done') and replayed to a retry with the same fingerprint until expires_at.
-- Times are written by the application's clock.
create table platform.idempotency_keys (
  scope text not null,                -- the route: "POST /admin/orders/:id/refunds"
  owner text not null,                -- the principal or resource the key belongs to (cart id, …)
  key text not null,                  -- the client's Idempotency-Key header
  fingerprint text not null,          -- sha256 of method, path and canonical body
  state text not null check (state in ('running', 'done')),
  lease_token text not null,          -- identifies the claim; only its holder completes or releases it
  locked_until timestamptz,           -- a 'running' claim past this may be taken over by a retry
  response_status integer,
  response_headers jsonb,
  response_body text,
  created_at timestamptz not null,
  expires_at timestamptz not null,    -- created_at + 24 h; the sweep deletes rows past it
  primary key (scope, owner, key)
);
create index idempotency_keys_expiry on platform.idempotency_keys (expires_at);
