-- pgTAP: the dashboard's per-snapshot rollups (dashboard.build via the snapshot trigger) and
-- dashboard.page; the expected values are worked out in comments.
begin;
select plan(15);

set local zoho.allow_purge = 'on';
delete from zoho.record_versions;
delete from zoho.records;
update analytics.settings set time_zone = 'Asia/Kolkata', currency = 'EUR';
delete from dashboard.builds;
delete from analytics.revenue_targets;
insert into analytics.revenue_targets (quarter_start, amount) values ('2026-01-01', 900);

-- as_of Wed 2026-03-04 (Kolkata). Leads:
--   a 2 Mar 10:00 Facebook u1, first call 2 Mar 10:30 (0.5 h)
--   b 3 Mar 10:00 Facebook u2, first call 3 Mar 16:00 (6 h)
--   c 1 Mar 00:30 Website u1 (2026-02-28T19:00Z), no touch
--   d 15 Jan Website u1, first call 25 Jan (10 days = 240 h)
--   e 5 Mar Facebook (after as_of: not counted)
insert into zoho.records (module, id, data, content_hash)
select v.m, v.d ->> 'id', v.d, zoho.content_hash(v.d)
from (values
  ('Leads', '{"id":"a","Created_Time":"2026-03-02T10:00:00+05:30","Lead_Source":"Facebook","Owner":{"id":"u1","name":"Asha"}}'::jsonb),
  ('Leads', '{"id":"b","Created_Time":"2026-03-03T10:00:00+05:30","Lead_Source":"Facebook","Owner":{"id":"u2","name":"Ben"}}'),
  ('Leads', '{"id":"c","Created_Time":"2026-02-28T19:00:00+00:00","Lead_Source":"Website","Owner":{"id":"u1","name":"Asha"}}'),
  ('Leads', '{"id":"d","Created_Time":"2026-01-15T10:00:00+05:30","Lead_Source":"Website","Owner":{"id":"u1","name":"Asha"}}'),
  ('Leads', '{"id":"e","Created_Time":"2026-03-05T10:00:00+05:30","Lead_Source":"Facebook","Owner":{"id":"u1","name":"Asha"}}'),
  ('Calls', '{"id":"k1","$se_module":"Leads","What_Id":{"id":"a"},"Call_Start_Time":"2026-03-02T10:30:00+05:30","Created_Time":"2026-03-02T10:30:00+05:30"}'),
  ('Calls', '{"id":"k2","$se_module":"Leads","What_Id":{"id":"b"},"Call_Start_Time":"2026-03-03T16:00:00+05:30","Created_Time":"2026-03-03T16:00:00+05:30"}'),
  ('Calls', '{"id":"k3","$se_module":"Leads","What_Id":{"id":"d"},"Call_Start_Time":"2026-01-25T10:00:00+05:30","Created_Time":"2026-01-25T10:00:00+05:30"}'),
  -- Deals: w1 won 100.50 closing 2 Mar (u1 Facebook); w2 won 200 closing 20 Feb (u2 Website);
  -- x lost 999 closing 3 Mar (u2 Website); o open 5000 in Qualification, closing 1 Feb
  -- (slipped), Facebook, u1, account "Acme".
  ('Deals', '{"id":"w1","Deal_Name":"W1","Stage":"Closed Won","Amount":100.50,"Closing_Date":"2026-03-02","Created_Time":"2026-02-01T10:00:00+05:30","Modified_Time":"2026-03-02T10:00:00+05:30","Lead_Source":"Facebook","Owner":{"id":"u1","name":"Asha"}}'),
  ('Deals', '{"id":"w2","Deal_Name":"W2","Stage":"Closed Won","Amount":200,"Closing_Date":"2026-02-20","Created_Time":"2026-02-01T10:00:00+05:30","Modified_Time":"2026-02-20T10:00:00+05:30","Lead_Source":"Website","Owner":{"id":"u2","name":"Ben"}}'),
  ('Deals', '{"id":"x","Deal_Name":"X","Stage":"Closed Lost","Amount":999,"Closing_Date":"2026-03-03","Created_Time":"2026-02-01T10:00:00+05:30","Modified_Time":"2026-03-03T10:00:00+05:30","Lead_Source":"Website","Owner":{"id":"u2","name":"Ben"}}'),
  ('Deals', '{"id":"o","Deal_Name":"Open one","Account_Name":{"id":"ac","name":"Acme"},"Stage":"Qualification","Amount":5000,"Closing_Date":"2026-02-01","Created_Time":"2026-01-10T10:00:00+05:30","Modified_Time":"2026-01-10T10:00:00+05:30","Lead_Source":"Facebook","Owner":{"id":"u1","name":"Asha"}}')
) v(m, d);

select ok(dashboard.build((analytics.compute_snapshot('2026-03-04') ->> 'id')::uuid),
  'a snapshot is computed and its rollups built');
select ok(not dashboard.build((select snapshot_id from dashboard.builds)),
  'a second build of the same snapshot does nothing');

-- Daily rows: leads a (2 Mar), b (3 Mar), c (1 Mar), d (15 Jan); deals w1 (2 Mar), w2
-- (20 Feb), x (3 Mar). e is after as_of; the open deal o is no win or loss.
select results_eq(
  $$select day, lead_source, owner_id, leads, won, won_amount, lost, lost_amount
    from dashboard.daily order by day, lead_source, owner_id$$,
  $$values ('2026-01-15'::date, 'Website', 'u1', 1, 0, 0::numeric, 0, 0::numeric),
    ('2026-02-20', 'Website', 'u2', 0, 1, 200, 0, 0),
    ('2026-03-01', 'Website', 'u1', 1, 0, 0, 0, 0),
    ('2026-03-02', 'Facebook', 'u1', 1, 1, 100.50, 0, 0),
    ('2026-03-03', 'Facebook', 'u2', 1, 0, 0, 0, 0),
    ('2026-03-03', 'Website', 'u2', 0, 0, 0, 1, 999)$$,
  'daily rollup: leads by creation day, wins and losses by closing day, per source and owner');

-- Response buckets: a 0.5 h (≤ 1 h), b 6 h (4–24 h), d 240 h (> 7 d), c untouched.
select results_eq(
  $$select sum(response_1h)::int, sum(response_4h)::int, sum(response_24h)::int,
      sum(response_72h)::int, sum(response_168h)::int, sum(response_later)::int,
      sum(untouched)::int from dashboard.daily$$,
  $$values (1, 0, 1, 0, 0, 1, 1)$$,
  'first-touch hours bucketed like analytics.lead_response');

select results_eq(
  $$select deal_id, deal_name, account_name, owner_name, lead_source, is_slipped, amount
    from dashboard.risky_deals$$,
  $$values ('o', 'Open one', 'Acme', 'Asha', 'Facebook', true, 5000::numeric)$$,
  'the slipped open deal is listed with its names from the record');

select is(dashboard.page('qtd', null) -> 'filter',
  '{"period":"qtd","start":"2026-01-01","end":"2026-03-04","grain":"week","source":null}',
  'qtd: from 1 Jan, by week');
select is((dashboard.page('mtd', null) -> 'snapshot' ->> 'currency'), 'EUR',
  'the page carries the company currency');

-- Win rate by week in the quarter: week of 16 Feb (w2 won 200) 100 %; week of 2 Mar (w1 won
-- 100.50, x lost 999): 50 % by count, 100.50 / 1099.50 = 9.14 % by value.
select results_eq(
  $$select (r ->> 'bucket')::date, (r ->> 'won')::int, (r ->> 'lost')::int,
      (r ->> 'win_rate_count_pct')::numeric, (r ->> 'win_rate_value_pct')::numeric
    from jsonb_array_elements(dashboard.page('qtd', null) -> 'win_rate_over_time') r
    where (r ->> 'won')::int + (r ->> 'lost')::int > 0$$,
  $$values ('2026-02-16'::date, 1, 0, 100.00::numeric, 100.00::numeric),
    ('2026-03-02', 1, 1, 50.00, 9.14)$$,
  'win rate over time, by count and by value');

-- Leads by source, mtd by day: 1 Mar Website c, 2 Mar Facebook a, 3 Mar Facebook b.
select results_eq(
  $$select r ->> 'bucket', r ->> 'lead_source', (r ->> 'leads')::int
    from jsonb_array_elements(dashboard.page('mtd', null) -> 'leads_over_time') r$$,
  $$values ('2026-03-01', 'Website', 1), ('2026-03-02', 'Facebook', 1),
    ('2026-03-03', 'Facebook', 1)$$,
  'leads by source per day of the month');

-- Source filter: Facebook only (a and b in March; leaderboard Asha: a, won w1; Ben: b).
select results_eq(
  $$select r ->> 'owner_name', (r ->> 'leads')::int, (r ->> 'won_amount')::numeric
    from jsonb_array_elements(dashboard.page('mtd', 'Facebook') -> 'owners') r$$,
  $$values ('Asha', 1, 100.50::numeric), ('Ben', 1, 0::numeric)$$,
  'owner leaderboard for one source, by won amount');

-- Revenue by month vs target: Jan 0, Feb 200, Mar 100.50; target 900 / 3 = 300 a month.
select results_eq(
  $$select r ->> 'month', (r ->> 'revenue')::numeric, (r ->> 'target')::numeric
    from jsonb_array_elements(dashboard.page('qtd', null) -> 'revenue_by_month') r
    where (r ->> 'revenue')::numeric > 0$$,
  $$values ('2026-02-01', 200::numeric, 300::numeric), ('2026-03-01', 100.50, 300)$$,
  'monthly revenue beside a third of the quarter target');

-- The quarter's waterfall floats each step from its base: lost x (999) and won w1 (100.50)
-- go down, the end bar starts at zero.
select results_eq(
  $$select r ->> 'step', r ->> 'direction', (r ->> 'base')::numeric >= 0
    from jsonb_array_elements(dashboard.page('qtd', null) -> 'waterfall' -> 'steps') r
    where r ->> 'step' in ('won', 'end')$$,
  $$values ('won', 'down', true), ('end', 'total', true)$$,
  'waterfall steps carry their direction and base');

-- The page is the composition of its panels: every dashboard.panel_<id> function, called with
-- the snapshot and the page's filter, gives its own fields (no two share one), and the page is
-- exactly those fields beside snapshot, filter and sources.
create function pg_temp.panels(p_period text, p_source text, out fields jsonb, out overlap int)
language plpgsql as $$
declare
  s analytics.snapshots;
  f jsonb := dashboard.page(p_period, p_source) -> 'filter';
  fn text;
  part jsonb;
begin
  fields := '{}';
  overlap := 0;
  select * into s from analytics.snapshots
  where id = (select snapshot_id from dashboard.builds order by created_at desc limit 1);
  for fn in select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'dashboard' and p.proname like 'panel\_%' order by 1 loop
    execute format('select dashboard.%I($1, $2)', fn) into part using s, f;
    overlap := overlap + (select count(*) from jsonb_object_keys(part) k where fields ? k);
    fields := fields || part;
  end loop;
end
$$;
select is((select overlap from pg_temp.panels('mtd', 'Facebook')), 0,
  'no two panel functions return the same field');
select is((select fields from pg_temp.panels('mtd', 'Facebook')),
  dashboard.page('mtd', 'Facebook') - array['snapshot', 'filter', 'sources'],
  'the page is its panels: each panel function with the snapshot and the page''s filter');

select throws_ok($$select dashboard.page('week', null)$$, '22023', null,
  'an unknown period is refused');

select * from finish();
rollback;
