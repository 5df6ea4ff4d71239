-- pgTAP: analytics.source_anomalies on ten weeks of leads by source (a spike, a steady source, a
-- noisy source and a spike too small to count); the expected values are worked out in comments.
begin;
select plan(9);

-- Isolation: this transaction sees only the records below (everything is rolled back).
set local zoho.allow_purge = 'on';
delete from zoho.record_versions;
delete from zoho.records;
update analytics.settings set time_zone = 'UTC', anomaly_weeks = 8, anomaly_threshold = 3,
  anomaly_min_count = 10;

-- n leads of `source` created at noon on the Tuesday of week w, weeks counted back from as_of
-- Wed 2026-03-04: week w = the 7 days ending 4 Mar − 7w (week 0 = Thu 26 Feb – Wed 4 Mar).
create function pg_temp.leads(source text, w integer, n integer) returns void
language sql as $$
  insert into zoho.records (module, id, data, content_hash)
  select 'Leads', d ->> 'id', d, zoho.content_hash(d)
  from generate_series(1, n) i,
    lateral (select jsonb_build_object('id', source || '-' || w || '-' || i,
      'Created_Time', to_char(date '2026-03-03' - 7 * w, 'YYYY-MM-DD') || 'T12:00:00+00:00',
      'Lead_Source', source, 'Owner', jsonb_build_object('id', '1', 'name', 'User 1')) d) x
$$;

-- Facebook: 10 a week for weeks 9..1, then 30 in week 0.
select pg_temp.leads('Facebook', w, case when w = 0 then 30 else 10 end)
from generate_series(0, 9) w;
-- Website: 12 every week.
select pg_temp.leads('Website', w, 12) from generate_series(0, 9) w;
-- Referral, weeks 0..9: 14, 12, 10, 12, 10, 12, 10, 12, 10, 12.
select pg_temp.leads('Referral', w, case when w = 0 then 14 when w % 2 = 1 then 12 else 10 end)
from generate_series(0, 9) w;
-- Twitter: nothing, then 5 in week 0.
select pg_temp.leads('Twitter', 0, 5);
select pg_temp.leads('Twitter', 9, 1);

select analytics.refresh_facts();

-- Facebook: baseline changes (weeks 1..8, each week − the week before) are all 0 → median 0,
-- MAD 0, scale max(1.4826 × 0, 10% of the usual 10 a week, 1 lead) = 1; this week 30 − 10 = +20
-- → z = 20, capped at 10 (> 3), +200 %.
select results_eq($$select value, prev_value, change, change_pct, baseline_median, baseline_mad, robust_z, is_anomaly from analytics.source_anomalies('2026-03-04') where metric = 'leads' and lead_source = 'Facebook'$$,
  $$values (30::numeric, 10::numeric, 20::numeric, 200.00::numeric, 0::numeric, 0::numeric, 10::numeric, true)$$,
  'a spike from 10 to 30 leads is flagged at +200 %');
select is((select week_start from analytics.source_anomalies('2026-03-04') where metric = 'leads' and lead_source = 'Facebook'),
  '2026-02-26'::date, 'the flagged week is the 7 days ending on as_of');
-- Website: every change 0, this week's too → z 0.
select results_eq($$select value, change, robust_z, is_anomaly from analytics.source_anomalies('2026-03-04') where metric = 'leads' and lead_source = 'Website'$$,
  $$values (12::numeric, 0::numeric, 0.00::numeric, false)$$, 'a steady source is not flagged');
-- Referral: baseline changes +2, −2, +2, −2, +2, −2, +2, −2 → median (−2 + 2) ÷ 2 = 0, MAD 2;
-- this week 14 − 12 = +2 → z = 2 ÷ (1.4826 × 2) = 0.67, within the normal swing.
select results_eq($$select change, change_pct, baseline_median, baseline_mad, robust_z, is_anomaly from analytics.source_anomalies('2026-03-04') where metric = 'leads' and lead_source = 'Referral'$$,
  $$values (2::numeric, 16.67::numeric, 0::numeric, 2::numeric, 0.67::numeric, false)$$,
  'a normal week of a noisy source is not flagged');
-- Twitter: 0 → 5 is z = 5 but neither week reaches anomaly_min_count (10).
select results_eq($$select value, prev_value, robust_z, is_anomaly from analytics.source_anomalies('2026-03-04') where metric = 'leads' and lead_source = 'Twitter'$$,
  $$values (5::numeric, 0::numeric, 5.00::numeric, false)$$, 'a spike below the minimum volume is not flagged');

-- The snapshot's brief carries the flagged source (and only it) as an anomaly fact.
select results_eq($$select f ->> 'id', (f ->> 'value')::numeric, (f ->> 'from')::numeric, (f ->> 'to')::numeric from jsonb_array_elements(analytics.compute_snapshot('2026-03-04') -> 'brief' -> 'facts') f where f ->> 'id' like 'anomaly.%'$$,
  $$values ('anomaly.leads.facebook', 200.00::numeric, 10::numeric, 30::numeric)$$,
  'the brief names the flagged source with its change');

-- Facebook's expected range: previous 10 + median 0 ± 3 × scale 1 = [7, 13]; its label.
select results_eq($$select records, prev_records, scale, expected_low, expected_high, label from analytics.source_anomalies('2026-03-04') where metric = 'leads' and lead_source = 'Facebook'$$,
  $$values (30, 10, 1.00::numeric, 7.00::numeric, 13.00::numeric, 'Facebook · leads created')$$,
  'each row carries its expected range and a human label');

-- Won revenue: Trade Show never won before; one $15,000 deal this week. The median won deal of
-- the window is $1,000 (nine Website deals of $1,000 in weeks 1..9 and this one: median 1,000),
-- so the scale is max(0, 10% of 0, $1,000) and z = 15,000 ÷ 1,000 = 15, capped at 10; one won
-- deal is under anomaly_min_deals (3): not flagged. With the old scale (floor $1) z was 15,000.
create function pg_temp.won(source text, w integer, n integer, amount numeric) returns void
language sql as $$
  insert into zoho.records (module, id, data, content_hash)
  select 'Deals', d ->> 'id', d, zoho.content_hash(d)
  from generate_series(1, n) i,
    lateral (select jsonb_build_object('id', 'D-' || source || '-' || w || '-' || i,
      'Created_Time', to_char(date '2026-01-01', 'YYYY-MM-DD') || 'T12:00:00+00:00',
      'Closing_Date', to_char(date '2026-03-03' - 7 * w, 'YYYY-MM-DD'), 'Stage', 'Closed Won',
      'Amount', amount, 'Lead_Source', source,
      'Owner', jsonb_build_object('id', '1', 'name', 'User 1')) d) x
$$;
select pg_temp.won('Website', w, 1, 1000) from generate_series(1, 9) w;
select pg_temp.won('Trade Show', 0, 1, 15000);
select analytics.refresh_facts();
select results_eq($$select value, prev_value, scale, robust_z, is_anomaly, label from analytics.source_anomalies('2026-03-04') where metric = 'won_revenue' and lead_source = 'Trade Show'$$,
  $$values (15000::numeric, 0::numeric, 1000.00::numeric, 10::numeric, false, 'Trade Show · won revenue')$$,
  'one deal from a source with no history: z has a floor and a cap, and is not flagged');
select is((select max(abs(robust_z)) from analytics.source_anomalies('2026-03-04')), 10::numeric,
  'no robust z beyond the cap of 10');

select * from finish();
rollback;
