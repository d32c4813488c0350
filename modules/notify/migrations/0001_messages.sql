-- Messages notify sent by SMTP or kept for staff (modules/notify). Times from the application's clock.
-- A message sent by SMTP keeps no body (the mail server has it); a kept one ('stored') keeps both.
create table notify.messages (
  id text primary key,                  -- msg_<ulid>
  kind text not null,                   -- order.confirmation, identity.verify_email, …
  to_address text not null,
  subject text not null,
  status text not null check (status in ('sent', 'stored')),
  text_body text,
  html_body text,
  source_event_id text,                 -- the event that caused it, if any
  created_at timestamptz not null
);
create index messages_recent on notify.messages (id);
