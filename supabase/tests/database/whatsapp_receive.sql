-- pgTAP: whatsapp.receive stores the messages that arrived together in one statement: each
-- MessageSid once (a sid given twice in the group, or again later, gets a null id: a replay),
-- classified as given, a sender who is no recipient as 'refused' with no parameters; the
-- recipient's 24-hour window opens (never moving backwards); results come in the order given.
begin;
select plan(12);

-- Whatever recipients the database holds, these two are as stated (rolled back at the end).
insert into whatsapp.recipients (name, phone, opted_in, last_inbound_at) values
  ('Asha', '+15550001111', true, null),
  ('Ben', '+15550002222', true, now() + interval '1 hour')
on conflict (phone) do update set name = excluded.name,
  last_inbound_at = excluded.last_inbound_at;
delete from whatsapp.conversation where message_sid in ('SMt1', 'SMt2', 'SMt3');

create temp table r1 as
select row_number() over () as n, * from whatsapp.receive('[
  {"sid": "SMt1", "phone": "+15550001111", "body": "rev mtd", "intent": "revenue",
   "params": {"period": "this_month"}},
  {"sid": "SMt1", "phone": "+15550001111", "body": "rev mtd", "intent": "revenue"},
  {"sid": "SMt2", "phone": "+15559990000", "body": "pipeline", "intent": "pipeline",
   "params": {"stage": "Proposal"}},
  {"sid": "SMt3", "phone": "+15550002222", "body": "help", "intent": "help"}
]'::jsonb);

select is((select array_agg(message_sid order by n) from r1), array['SMt1', 'SMt1', 'SMt2', 'SMt3'],
  'one result per message, in the order given');
select ok((select id is not null from r1 where n = 1), 'the first SMt1 is stored');
select ok((select id is null from r1 where n = 2), 'the same sid again in the group is a replay');
select is((select name from r1 where n = 1), 'Asha', 'a recipient is named as the sender');
select ok((select recipient_id is null and id is not null from r1 where n = 3),
  'a stranger''s message is stored, with no sender');
select is((select count(*) from whatsapp.conversation where message_sid = 'SMt1'), 1::bigint,
  'SMt1 stored once');
select is((select intent || ' ' || params::text from whatsapp.conversation
  where message_sid = 'SMt1'), 'revenue {"period": "this_month"}', 'stored as classified');
select is((select intent || ' ' || params::text from whatsapp.conversation
  where message_sid = 'SMt2'), 'refused {}', 'a stranger''s message is stored as refused');
select is((select version from r1 where n = 4), ask.data_version(),
  'the data version is returned');
select ok((select last_inbound_at = now() from whatsapp.recipients where phone = '+15550001111'),
  'an inbound message opens the recipient''s window');
select ok((select last_inbound_at > now() from whatsapp.recipients where phone = '+15550002222'),
  'the window never moves backwards');
select ok((select id is null from whatsapp.receive(
  '[{"sid": "SMt3", "phone": "+15550002222", "body": "help", "intent": "help"}]')),
  'a sid stored earlier is a replay');

select * from finish();
rollback;
