-- The raw Zoho store and typed views: hashing, append-only versions, RLS and grants, extraction.
begin;
select plan(18);

-- content hash: equal content, equal hash, whatever the key order of the JSON text
select is(
  zoho.content_hash('{"b": 1, "a": "x"}'::jsonb),
  zoho.content_hash('{"a": "x", "b": 1}'::jsonb),
  'content_hash ignores key order (jsonb is canonical)'
);
select isnt(
  zoho.content_hash('{"a": 1}'::jsonb), zoho.content_hash('{"a": 2}'::jsonb),
  'content_hash differs when a value differs'
);
select matches(zoho.content_hash('{}'::jsonb), '^[0-9a-f]{16}$', 'content_hash is 64-bit hex');
select isnt(
  zoho.content_hash('{"a": {"b": "1"}}'::jsonb), zoho.content_hash('{"a": ["b", "1"]}'::jsonb),
  'content_hash differs when only the nesting differs'
);
select isnt(
  zoho.content_hash('{"a": 1}'::jsonb), zoho.content_hash('{"a": "1"}'::jsonb),
  'content_hash differs between a number and its text'
);

-- big numbers survive exactly in jsonb
select is(
  ('{"n": 12345678901234567890123}'::jsonb ->> 'n'), '12345678901234567890123',
  'jsonb keeps integers beyond 2^53 exactly'
);

-- append-only versions
insert into zoho.record_versions (module, id, version, change, data, content_hash)
values ('Deals', 't1', 1, 'insert', '{"Stage": "Qualification"}', 'h1');
select throws_ok(
  $$ update zoho.record_versions set change = 'update' where id = 't1' $$,
  '42501', 'zoho.record_versions is append-only',
  'versions cannot be updated'
);
select throws_ok(
  $$ delete from zoho.record_versions where id = 't1' $$,
  '42501', 'zoho.record_versions is append-only',
  'versions cannot be deleted'
);
set local zoho.allow_purge = 'on';
select lives_ok(
  $$ delete from zoho.record_versions where id = 't1' $$,
  'a maintenance session that sets zoho.allow_purge may delete versions'
);
reset zoho.allow_purge;

-- RLS on, no access for anon/authenticated, service_role can read
select ok(
  (select bool_and(relrowsecurity) from pg_class
   where oid in ('zoho.records'::regclass, 'zoho.record_versions'::regclass,
                 'zoho.deletions'::regclass)),
  'RLS is enabled on every raw table'
);
select ok(not has_schema_privilege('anon', 'zoho', 'usage'), 'anon has no access to zoho');
select ok(
  not has_schema_privilege('authenticated', 'crm', 'usage'),
  'authenticated has no access to crm'
);
select ok(has_table_privilege('service_role', 'crm.deals', 'select'), 'service_role reads crm');

-- typed views extract Zoho fields with their types
insert into zoho.records (module, id, data, content_hash) values
  ('Deals', 'd1', '{"id": "d1", "Deal_Name": "Smart lock", "Stage": "Closed Won",
    "Amount": 349.99, "Closing_Date": "2026-03-04", "Created_Time": "2026-02-01T09:00:00+05:30",
    "Owner": {"id": "u1", "name": "Asha"}, "Lead_Source": "-None-"}', 'x'),
  ('Leads', 'l1', '{"id": "l1", "Created_Time": "2026-03-04T23:30:00-08:00",
    "Lead_Source": "Facebook", "$converted": true,
    "$converted_detail": {"converted_date_time": "2026-03-10T10:00:00+00:00",
      "deal": {"id": "d1", "name": "Smart lock"}, "contact": {"id": "c1"}}}', 'y');
select is((select amount from crm.deals where id = 'd1'), 349.99::numeric, 'amount is exact numeric');
select ok((select is_won and is_closed and not is_lost from crm.deals where id = 'd1'), 'won flags');
select is((select lead_source from crm.deals where id = 'd1'), null, '-None- reads as null');
select is(
  (select created_at from crm.leads where id = 'l1'), '2026-03-05 07:30:00+00'::timestamptz,
  'Zoho offsets are respected'
);
select is((select converted_deal_id from crm.leads where id = 'l1'), 'd1', 'conversion links');

select * from finish();
rollback;
