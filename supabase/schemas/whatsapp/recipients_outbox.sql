-- WhatsApp delivery: the recipients (only they get data) and the one outbox every outbound message
-- goes through (claimed before Twilio is called, marked after: exactly once per (kind, ref,
-- recipient)).
create schema if not exists whatsapp;
revoke all on schema whatsapp from public, anon, authenticated;
grant usage on schema whatsapp to service_role;

create table whatsapp.recipients (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 200),
  -- E.164: + and up to 15 digits, no leading zero.
  phone text not null unique check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  role text not null default 'executive',
  opted_in boolean not null default false,
  time_zone text not null default 'UTC',
  -- The last inbound WhatsApp message: free text is allowed for 24 h after it (else a template).
  last_inbound_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table whatsapp.recipients is
  'WhatsApp recipients: E.164 phone, opted_in gates every send; last_inbound_at opens the 24 h window';

-- status: pending → sending (claimed, committed before the Twilio call) → sent | failed | retry.
-- A row left in `sending` (crash between claim and mark) is never sent again automatically: the
-- message may or may not have left, and Twilio's API has no idempotency key to ask with.
create table whatsapp.outbox (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('pulse', 'reply', 'followup')),
  ref_id uuid not null,
  recipient_id uuid not null references whatsapp.recipients (id),
  body text not null check (char_length(body) <= 1600),
  -- The daily pulse is a 400-character message (brief.briefs.pulse has the same limit).
  constraint outbox_pulse_length check (kind <> 'pulse' or char_length(body) <= 400),
  content_sid text,
  content_variables jsonb,
  status text not null default 'pending'
    check (status in ('pending', 'sending', 'sent', 'failed', 'retry')),
  attempts integer not null default 0,
  claimed_at timestamptz,
  sent_at timestamptz,
  mode text check (mode in ('text', 'template')),
  twilio_sid text unique,
  error_code integer,
  error_message text,
  delivery_status text,
  delivery_updated_at timestamptz,
  created_at timestamptz not null default now(),
  unique (kind, ref_id, recipient_id)
);
comment on table whatsapp.outbox is
  'Every outbound WhatsApp message; unique (kind, ref_id, recipient_id) = exactly once per pair';
create index outbox_status_idx on whatsapp.outbox (status) where status in ('pending', 'retry');

alter table whatsapp.recipients enable row level security;
alter table whatsapp.outbox enable row level security;
revoke all on all tables in schema whatsapp from public, anon, authenticated;
grant select, insert, update on whatsapp.recipients, whatsapp.outbox to service_role;
