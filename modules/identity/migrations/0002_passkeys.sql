-- Staff passkeys (WebAuthn): what the dashboard shows for each credential, and server-side
-- challenges. Forward-only: 0001 created staff_passkeys; this adds to it.

alter table identity.staff_passkeys
  add column name text not null default 'Passkey',
  add column last_used_at timestamptz,
  add column backed_up boolean not null default false;

-- A challenge is single use (used_at is set by the one request that consumes it) and expires
-- within minutes. Registration challenges belong to a signed-in staff user; authentication
-- challenges also to the sign-in interaction (uid) whose second-factor page showed them.
create table identity.webauthn_challenges (
  challenge text primary key,             -- base64url, 32 random bytes
  user_id text not null references identity.staff_users (id) on delete cascade,
  purpose text not null check (purpose in ('registration', 'authentication')),
  interaction_uid text,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null
);
create index webauthn_challenges_expires on identity.webauthn_challenges (expires_at);
