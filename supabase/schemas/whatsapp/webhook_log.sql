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

-- The webhook's hot path, one statement for every message that arrived together (the webhook
-- groups concurrent messages: group commit): stores each inbound message once per MessageSid,
-- already classified (the matcher runs before the database; a sender who is no recipient is
-- stored as 'refused'); returns, in the order given, its id (null: a replay, also of a sid given
-- twice in the batch), its sender when a recipient, and the data version answers are reused by;
-- last, it records the inbound time that opens WhatsApp's 24-hour window (never moving it
-- backwards), so a recipient's row is locked only until the commit that follows.
create function whatsapp.receive(p_messages jsonb)
returns table (message_sid text, id uuid, recipient_id uuid, name text, phone text,
  version text)
language plpgsql
as $$
#variable_conflict use_column
declare
  v text := ask.data_version();
begin
  return query
  with m as (
    select x.sid, x.phone, x.body, x.intent, coalesce(x.params, '{}'::jsonb) as params, x.ord,
      row_number() over (partition by x.sid order by x.ord) = 1 as first
    from rows from (jsonb_to_recordset(p_messages)
      as (sid text, phone text, body text, intent text, params jsonb)) with ordinality
      as x(sid, phone, body, intent, params, ord)
  ),
  ins as (
    insert into whatsapp.conversation as c (direction, message_sid, phone, recipient_id, body,
      delivery, intent, params)
    select 'inbound', m.sid, m.phone, r.id, m.body, 'received',
      case when r.id is null then 'refused' else m.intent end,
      case when r.id is null then '{}'::jsonb else m.params end
    from m left join whatsapp.recipients r on r.phone = m.phone
    where m.first
    order by m.ord
    on conflict (message_sid) where direction = 'inbound' do nothing
    returning c.id, c.message_sid
  )
  select m.sid, case when m.first then ins.id end, r.id, r.name, r.phone, v
  from m
  left join ins on ins.message_sid = m.sid
  left join whatsapp.recipients r on r.phone = m.phone
  order by m.ord;
  update whatsapp.recipients t set last_inbound_at = greatest(t.last_inbound_at, now()),
    updated_at = now()
  where t.phone in (select x.phone from jsonb_to_recordset(p_messages) as x(phone text));
end
$$;
comment on function whatsapp.receive(jsonb) is
  'Stores inbound messages once per MessageSid (null id: a replay), classified; their senders';
revoke all on function whatsapp.receive(jsonb) from public;
grant execute on function whatsapp.receive(jsonb) to service_role;
