-- Identity (modules/identity): the OpenID provider's storage, signing and data keys, customers,
-- staff users, integration clients, MFA material and the append-only audit log.
-- Times are written by the application's clock, never by now(), so tests can move time.

-- oidc-provider's models (sessions, interactions, codes, access and refresh tokens, grants),
-- one row per (model, id). grant_id lets a whole grant (a refresh-token family) be revoked.
create table identity.oidc_payloads (
  model text not null,
  id text not null,
  payload jsonb not null,
  grant_id text,
  user_code text,
  uid text,
  consumed_at timestamptz,
  expires_at timestamptz,
  primary key (model, id)
);
create index oidc_payloads_grant on identity.oidc_payloads (grant_id) where grant_id is not null;
create index oidc_payloads_uid on identity.oidc_payloads (uid) where uid is not null;
create index oidc_payloads_expires on identity.oidc_payloads (expires_at) where expires_at is not null;

-- Key material generated on a first start when the secret store has none (embedded mode).
-- kind 'signing': a private JWK; 'data': a 32-byte AES/HMAC key (base64url).
create table identity.key_material (
  kid text primary key,
  kind text not null check (kind in ('signing', 'data')),
  material text not null,
  created_at timestamptz not null,
  retire_after timestamptz  -- signing keys: published until then after a rotation
);

create table identity.customers (
  id text primary key,                    -- cus_<ulid>
  email_hash text not null unique,        -- keyed HMAC of the normalised email
  email_enc text not null,                -- AES-256-GCM
  first_name_enc text,
  last_name_enc text,
  password_hash text not null,            -- argon2id
  email_verified_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table identity.customer_addresses (
  id text primary key,                    -- addr_<ulid>
  customer_id text not null references identity.customers (id) on delete cascade,
  data_enc text not null,                 -- the whole address, AES-256-GCM
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index customer_addresses_customer on identity.customer_addresses (customer_id, id);

-- Single-use tokens sent by email: verification and password reset. Only a hash is stored.
create table identity.email_tokens (
  token_hash text primary key,
  purpose text not null check (purpose in ('verify_email', 'reset_password')),
  customer_id text not null references identity.customers (id) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null
);

create table identity.staff_users (
  id text primary key,                    -- usr_<ulid>
  email_hash text not null unique,
  email_enc text not null,
  password_hash text not null,
  roles text[] not null,
  totp_secret_enc text,                   -- AES-256-GCM; null until enrolled
  totp_last_step bigint,                  -- the last accepted time step: a code is never used twice
  failed_logins integer not null default 0,
  locked_until timestamptz,
  disabled boolean not null default false,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table identity.staff_recovery_codes (
  user_id text not null references identity.staff_users (id) on delete cascade,
  code_hash text not null,
  used_at timestamptz,
  primary key (user_id, code_hash)
);

create table identity.staff_passkeys (
  id text primary key,                    -- the credential id (base64url)
  user_id text not null references identity.staff_users (id) on delete cascade,
  public_key text not null,               -- base64url COSE key
  counter bigint not null,
  transports text[] not null default '{}',
  created_at timestamptz not null
);
create index staff_passkeys_user on identity.staff_passkeys (user_id);

-- Integration credentials: OAuth clients for the client-credentials grant. The secret is shown
-- once and stored as a SHA-256 hash (it is 256 random bits, so a slow hash adds nothing).
create table identity.api_clients (
  client_id text primary key,             -- cli_<ulid>
  name text not null,
  secret_hash text not null,
  roles text[] not null,
  created_by text,
  created_at timestamptz not null,
  revoked_at timestamptz
);

-- The audit log: append-only and hash-chained. Each row's hash covers its content and the
-- previous row's hash, so an edited or deleted row breaks the chain (`emporium audit verify`).
create table identity.audit_log (
  seq bigint primary key,
  id text not null unique,                -- aud_<ulid>
  at timestamptz not null,
  actor text,
  actor_type text,
  action text not null,
  target text,
  outcome text not null,
  status integer not null,
  source_ip text,
  request_id text,
  prev_hash text not null,
  hash text not null
);
create index audit_log_actor on identity.audit_log (actor, seq);

create function identity.audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'identity.audit_log is append-only: % is not allowed', tg_op
    using errcode = 'insufficient_privilege';
end
$$;
create trigger audit_log_append_only before update or delete on identity.audit_log
  for each row execute function identity.audit_log_append_only();
create trigger audit_log_no_truncate before truncate on identity.audit_log
  for each statement execute function identity.audit_log_append_only();
