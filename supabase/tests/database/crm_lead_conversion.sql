-- pgTAP: one definition of a lead's conversion (crm.lead_conversion), read by crm.leads and by
-- analytics.lead_fact alike: from the v3+ fields only, from $converted_detail only (either key
-- spelling), from both (the fields win), and not converted.
begin;
select plan(8);

create temp table leads_in (id text, data jsonb) on commit drop;
insert into leads_in values
  -- v3+ fields only (a list read of Zoho v3 and later)
  ('v3', '{"Created_Time":"2026-01-10T09:00:00+05:30","Converted__s":true,
    "Converted_Date_Time":"2026-02-01T10:00:00+05:30","Converted_Deal":{"id":"D1","name":"d"},
    "Converted_Contact":{"id":"C1","name":"c"},"Converted_Account":{"id":"A1","name":"a"}}'),
  -- $converted_detail only, as the simulator's single reads send it
  ('detail', '{"Created_Time":"2026-01-10T09:00:00+05:30","$converted":true,
    "$converted_detail":{"Deal":{"id":"D2"},"Contact":{"id":"C2"},"Account":{"id":"A2"},
    "converted_time":"2026-02-02T10:00:00+05:30"}}'),
  -- older lower-case keys and converted_date_time
  ('lower', '{"Created_Time":"2026-01-10T09:00:00+05:30","$converted":true,
    "$converted_detail":{"deal":{"id":"D3"},"contact":{"id":"C3"},"account":{"id":"A3"},
    "converted_date_time":"2026-02-03T10:00:00+05:30"}}'),
  -- both: the fields come first
  ('both', '{"Created_Time":"2026-01-10T09:00:00+05:30","Converted__s":true,"$converted":true,
    "Converted_Date_Time":"2026-02-04T10:00:00+05:30","Converted_Deal":{"id":"D4"},
    "$converted_detail":{"Deal":{"id":"OLD"},"converted_time":"2026-01-01T00:00:00+05:30"}}'),
  -- not converted: $converted_detail is {} and Converted__s false
  ('open', '{"Created_Time":"2026-01-10T09:00:00+05:30","Converted__s":false,"$converted":false,
    "$converted_detail":{},"Converted_Deal":null}');

create temp view conv as
  select l.id, c.* from leads_in l cross join lateral crm.lead_conversion(
    l.data -> 'Converted__s', l.data -> '$converted', l.data ->> 'Converted_Date_Time',
    l.data -> 'Converted_Deal', l.data -> 'Converted_Contact', l.data -> 'Converted_Account',
    l.data -> '$converted_detail') c;

select results_eq(
  $$select converted, converted_at, deal_id, contact_id, account_id from conv where id = 'v3'$$,
  $$values (true, timestamptz '2026-02-01 04:30+00', 'D1', 'C1', 'A1')$$,
  'v3+ fields only: converted, when, deal, contact, account');
select results_eq(
  $$select converted, converted_at, deal_id, contact_id, account_id from conv where id = 'detail'$$,
  $$values (true, timestamptz '2026-02-02 04:30+00', 'D2', 'C2', 'A2')$$,
  '$converted_detail only (Deal, converted_time)');
select results_eq(
  $$select converted, converted_at, deal_id, contact_id, account_id from conv where id = 'lower'$$,
  $$values (true, timestamptz '2026-02-03 04:30+00', 'D3', 'C3', 'A3')$$,
  '$converted_detail with lower-case keys and converted_date_time');
select results_eq(
  $$select converted, converted_at, deal_id from conv where id = 'both'$$,
  $$values (true, timestamptz '2026-02-04 04:30+00', 'D4')$$,
  'both: the v3+ fields win over $converted_detail');
select results_eq(
  $$select converted, converted_at, deal_id from conv where id = 'open'$$,
  $$values (false, null::timestamptz, null::text)$$,
  'not converted: false, no time, no deal');

-- The lead facts read the same definition (one unpacking of the record).
select results_eq(
  $$select l.id, f.converted, f.converted_at, f.converted_day, f.converted_deal_id
    from leads_in l cross join lateral analytics.lead_fact(l.id, l.data, null, 'Asia/Kolkata') f
    order by l.id$$,
  $$values ('both', true, timestamptz '2026-02-04 04:30+00', date '2026-02-04', 'D4'),
    ('detail', true, timestamptz '2026-02-02 04:30+00', date '2026-02-02', 'D2'),
    ('lower', true, timestamptz '2026-02-03 04:30+00', date '2026-02-03', 'D3'),
    ('open', false, null, null, null),
    ('v3', true, timestamptz '2026-02-01 04:30+00', date '2026-02-01', 'D1')$$,
  'analytics.lead_fact: the same conversion from every payload shape');

-- crm.leads over stored records agrees with the facts.
insert into zoho.records (module, id, data, modified_time, content_hash)
  select 'Leads', 'test-' || id, data, now(), zoho.content_hash(data) from leads_in;
select results_eq(
  $$select converted, converted_at, converted_deal_id, converted_contact_id, converted_account_id
    from crm.leads where id = 'test-v3'$$,
  $$values (true, timestamptz '2026-02-01 04:30+00', 'D1', 'C1', 'A1')$$,
  'crm.leads: the v3+ fields');
select is(
  (select count(*)::int from crm.leads l
    join lateral analytics.lead_fact(l.id, l.data, null, 'UTC') f on true
    where l.id like 'test-%' and (l.converted, l.converted_at, l.converted_deal_id)
      is distinct from (f.converted, f.converted_at, f.converted_deal_id)),
  0, 'crm.leads and the lead facts never disagree');

select * from finish();
rollback;
