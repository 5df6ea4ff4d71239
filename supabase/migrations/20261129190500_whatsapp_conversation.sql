-- WhatsApp conversation log: every message the webhook received or answered, with Twilio's MessageSid, the sender, the intent and parameters it mapped to, latency and delivery state; an inbound MessageSid is stored (and answered) once.
create schema if not exists whatsapp;
revoke all on schema whatsapp from public, anon, authenticated;
grant usage on schema whatsapp to service_role;

create table whatsapp.conversation (
  id uuid primary key default gen_random_uuid(),
  direction text not null check (direction in ('inbound', 'outbound')),
  -- Inbound: Twilio's MessageSid (SM…/MM…). Outbound answers sent as TwiML have none of ours.
  message_sid text check (message_sid ~ '^[A-Z]{2}[0-9a-zA-Z]{1,64}$'),
  -- The sender's number (inbound) or the addressee's (outbound), E.164 without "whatsapp:".
  phone text not null check (char_length(phone) between 1 and 64),
  -- The recipient at the time (no foreign key: the log outlives removed recipients).
  recipient_id uuid,
  body text not null check (char_length(body) <= 65536),
  -- The command or intent the message mapped to: help, pulse, revenue, ..., unknown, refused.
  intent text,
  params jsonb not null default '{}',
  reply_to uuid references whatsapp.conversation (id),
  -- Time from receiving the inbound message to this reply being ready, in milliseconds.
  latency_ms integer check (latency_ms >= 0),
  -- received (inbound); twiml (answered in the HTTP response); queued (left for the outbox);
  -- then the outbox's own states.
  delivery text not null check (delivery in ('received', 'twiml', 'queued', 'sending', 'sent',
    'delivered', 'read', 'failed', 'undelivered')),
  outbox_id uuid,
  created_at timestamptz not null default now(),
  check ((direction = 'inbound') = (delivery = 'received')),
  check (direction = 'outbound' or message_sid is not null)
);
comment on table whatsapp.conversation is
  'Every inbound and outbound webhook message: sid, phone, intent, params, latency, delivery';
-- A replayed MessageSid (Twilio retry, fallback URL) finds its first row: answered once.
create unique index conversation_inbound_sid_idx on whatsapp.conversation (message_sid)
  where direction = 'inbound';
create index conversation_phone_idx on whatsapp.conversation (phone, created_at desc);

-- The log with each outbox-delivered reply's live state (the outbox row takes Twilio's status
-- callbacks): what the conversation looked like to the executive.
create view whatsapp.conversation_log as
select c.id, c.created_at, c.direction, c.message_sid, c.phone, c.recipient_id, c.body, c.intent,
  c.params, c.reply_to, c.latency_ms,
  coalesce(o.delivery_status, case o.status when 'retry' then 'queued' else o.status end,
    c.delivery) as delivery,
  c.outbox_id, o.twilio_sid as outbound_sid, o.error_code
from whatsapp.conversation c
left join whatsapp.outbox o on o.id = c.outbox_id;
comment on view whatsapp.conversation_log is
  'whatsapp.conversation with the outbox''s delivery state of replies sent through it';

alter table whatsapp.conversation enable row level security;
revoke all on whatsapp.conversation from public, anon, authenticated;
grant select, insert, update on whatsapp.conversation to service_role;
revoke all on whatsapp.conversation_log from public, anon, authenticated;
grant select on whatsapp.conversation_log to service_role;
