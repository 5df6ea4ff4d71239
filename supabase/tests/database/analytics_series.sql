-- pgTAP: analytics.series, leads and Closed Won revenue per day/week/month, totals and by
-- source and owner; the expected values are worked out in comments.
begin;
select plan(9);

set local zoho.allow_purge = 'on';
delete from zoho.record_versions;
delete from zoho.records;
update analytics.settings set time_zone = 'Asia/Kolkata';

-- as_of Wed 2026-03-04 (Kolkata). Leads (Kolkata days):
--   a Mon 2 Mar  Facebook  owner u1
--   b Tue 3 Mar  Facebook  owner u2
--   c Sun 1 Mar  Website   owner u1   (2026-02-28T19:00Z = 1 Mar 00:30 in Kolkata)
--   d Wed 25 Feb Website   owner u1
--   e Thu 5 Mar  Facebook  (after as_of: not counted)
--   f Mon 2 Mar  Referral  deleted on 3 Mar (before as_of ends: not counted)
insert into zoho.records (module, id, data, content_hash, deleted_at)
select 'Leads', d ->> 'id', d, zoho.content_hash(d), del
from (values
  ('{"id":"a","Created_Time":"2026-03-02T10:00:00+05:30","Lead_Source":"Facebook","Owner":{"id":"u1","name":"Asha"}}'::jsonb, null::timestamptz),
  ('{"id":"b","Created_Time":"2026-03-03T10:00:00+05:30","Lead_Source":"Facebook","Owner":{"id":"u2","name":"Ben"}}', null),
  ('{"id":"c","Created_Time":"2026-02-28T19:00:00+00:00","Lead_Source":"Website","Owner":{"id":"u1","name":"Asha"}}', null),
  ('{"id":"d","Created_Time":"2026-02-25T10:00:00+05:30","Lead_Source":"Website","Owner":{"id":"u1","name":"Asha"}}', null),
  ('{"id":"e","Created_Time":"2026-03-05T10:00:00+05:30","Lead_Source":"Facebook","Owner":{"id":"u1","name":"Asha"}}', null),
  ('{"id":"f","Created_Time":"2026-03-02T10:00:00+05:30","Lead_Source":"Referral","Owner":{"id":"u1","name":"Asha"}}', '2026-03-03T00:00:00Z')
) v(d, del);
-- Deals: won w1 100.50 closing 2 Mar (u1, Facebook), won w2 200 closing 20 Feb (u2, Website),
-- lost x 999 closing 3 Mar (not revenue).
insert into zoho.records (module, id, data, content_hash)
select 'Deals', d ->> 'id', d, zoho.content_hash(d)
from (values
  ('{"id":"w1","Stage":"Closed Won","Amount":100.50,"Closing_Date":"2026-03-02","Created_Time":"2026-02-01T10:00:00+05:30","Lead_Source":"Facebook","Owner":{"id":"u1","name":"Asha"}}'::jsonb),
  ('{"id":"w2","Stage":"Closed Won","Amount":200,"Closing_Date":"2026-02-20","Created_Time":"2026-02-01T10:00:00+05:30","Lead_Source":"Website","Owner":{"id":"u2","name":"Ben"}}'),
  ('{"id":"x","Stage":"Closed Lost","Amount":999,"Closing_Date":"2026-03-03","Created_Time":"2026-02-01T10:00:00+05:30","Lead_Source":"Website","Owner":{"id":"u2","name":"Ben"}}')
) v(d);
select analytics.refresh_facts();

-- Weekly, 2 buckets: weeks start Mon 23 Feb and Mon 2 Mar.
-- Leads: week of 23 Feb = d (25 Feb) + c (1 Mar) = 2; week of 2 Mar = a + b = 2 (e after
-- as_of, f deleted). The current week (2–8 Mar) is incomplete on 4 Mar.
select results_eq(
  $$select bucket_start, complete, value from analytics.series('2026-03-04', 'week', 2)
    where metric = 'leads' and dimension = 'all' order by 1$$,
  $$values ('2026-02-23'::date, true, 2::numeric), ('2026-03-02'::date, false, 2::numeric)$$,
  'weekly leads, in the company time zone, current week flagged incomplete');
select results_eq(
  $$select key, value from analytics.series('2026-03-04', 'week', 2)
    where metric = 'leads' and dimension = 'source' and bucket_start = '2026-03-02' order by 1$$,
  $$values ('Facebook', 2::numeric)$$,
  'this week by source: Facebook 2 (the deleted Referral lead does not count)');
select results_eq(
  $$select key, label, value from analytics.series('2026-03-04', 'week', 2)
    where metric = 'leads' and dimension = 'owner' and bucket_start = '2026-02-23' order by 1$$,
  $$values ('u1', 'Asha', 2::numeric)$$,
  'last week by owner: Asha 2 (c and d)');
-- Daily, 4 buckets 1–4 Mar: 1 Mar c, 2 Mar a, 3 Mar b, 4 Mar none (zero-filled).
select results_eq(
  $$select bucket_start, value from analytics.series('2026-03-04', 'day', 4)
    where metric = 'leads' and dimension = 'all' order by 1$$,
  $$values ('2026-03-01'::date, 1::numeric), ('2026-03-02'::date, 1::numeric),
    ('2026-03-03'::date, 1::numeric), ('2026-03-04'::date, 0::numeric)$$,
  'daily leads with empty days as zero');
-- Monthly revenue, 2 buckets: Feb = w2 200; Mar = w1 100.50 (x is lost).
select results_eq(
  $$select bucket_start, complete, value from analytics.series('2026-03-04', 'month', 2)
    where metric = 'revenue' and dimension = 'all' order by 1$$,
  $$values ('2026-02-01'::date, true, 200::numeric), ('2026-03-01'::date, false, 100.50::numeric)$$,
  'monthly Closed Won revenue, exact numeric');
select results_eq(
  $$select bucket_start, key, value from analytics.series('2026-03-04', 'month', 2)
    where metric = 'revenue' and dimension = 'source' order by 1, 2$$,
  $$values ('2026-02-01'::date, 'Website', 200::numeric), ('2026-03-01'::date, 'Facebook', 100.50::numeric)$$,
  'monthly revenue by source');
-- Monthly leads: Feb = d = 1; Mar = c, a, b = 3.
select results_eq(
  $$select value from analytics.series('2026-03-04', 'month', 2)
    where metric = 'leads' and dimension = 'all' order by bucket_start$$,
  $$values (1::numeric), (3::numeric)$$,
  'monthly leads');
select throws_ok($$select * from analytics.series('2026-03-04', 'year')$$, '22023',
  'analytics.series: grain must be day, week or month, got year', 'an unknown grain is refused');
select throws_ok($$select * from analytics.series('2026-03-04', 'day', 0)$$, '22023',
  'analytics.series: buckets must be between 1 and 366, got 0', 'a bucket count out of range is refused');

select * from finish();
rollback;
