-- pgTAP: cohort conversion's day events (analytics.r_cohorts, analytics/rollups.sql) stay the
-- exact sum of analytics.cohort_events over the converted leads and their deals as they are now,
-- through writes of either side (a lead converted into a deal not yet written, a deal won, pushed,
-- lost again, deleted either side of as_of, deleted and written again; a lead's conversion day,
-- source, deal and deletion changed, a lead unconverted, removed), a fold and a truncate; and
-- analytics.cohort_conversion, which reads them, equals its definition over the leads and deals
-- (the function before the rollup, below) on many days and month counts.
begin;
select plan(13);

\ir ../fixtures/company.psql

-- Cohort conversion as it was defined before the events (20261211090031).
create function pg_temp.cohort_direct(p_as_of date, p_months integer default 12)
returns table (cohort_month date, dimension text, key text, leads bigint, converted bigint,
  with_deal bigint, won bigint, converted_pct numeric, lead_to_deal_pct numeric,
  lead_to_won_pct numeric, incomplete boolean)
language sql stable
as $$
  with t as (select (select analytics.day_end(p_as_of)) as t1),
  -- The leads alive at the end of as_of per cohort and raw source (null and '(none)' apart, as
  -- grouping by the lead's source keeps them). The first day is written out, not taken from a
  -- CTE, so the planner sees it and takes the day indexes.
  n as (
    select date_trunc('month', r.created_day::timestamp)::date as cohort, r.dimension, r.key,
      sum(r.leads)::bigint as leads
    from analytics.r_leads r, t
    where r.dimension in ('all', 'source') and r.created_day <= p_as_of
      and r.created_day >= (date_trunc('month', p_as_of::timestamp)
        - make_interval(months => p_months - 1))::date
      and analytics.alive_at(r.deleted_at, t.t1)
    group by 1, 2, 3
    having sum(r.leads) <> 0
  ),
  -- Of those, the ones converted by as_of, with their deal when it is alive then and won by it.
  c as (
    select date_trunc('month', f.created_day::timestamp)::date as cohort, f.lead_source,
      f.converted_deal_id is not null as deal, d.id is not null as won
    from t
    -- converted_day + 0: not by conversion day (every earlier conversion), by creation day
    join analytics.f_leads f on f.converted and f.converted_day + 0 <= p_as_of
      and f.created_day <= p_as_of
      and f.created_day >= (date_trunc('month', p_as_of::timestamp)
        - make_interval(months => p_months - 1))::date
      and analytics.alive_at(f.deleted_at, t.t1)
    left join analytics.f_deals d on d.id = f.converted_deal_id and d.is_won
      and d.closing_date <= p_as_of and analytics.alive_at(d.deleted_at, t.t1)
  ),
  g as (
    select c.cohort, analytics.dimension(grouping(c.lead_source)) as dimension, c.lead_source,
      count(*) as converted, count(*) filter (where c.deal) as with_deal,
      count(*) filter (where c.won) as won
    from c
    group by grouping sets ((c.cohort), (c.cohort, c.lead_source))
  )
  select n.cohort, n.dimension,
    case when n.dimension = 'source' then coalesce(n.key, '(none)') end,
    n.leads, coalesce(g.converted, 0), coalesce(g.with_deal, 0), coalesce(g.won, 0),
    analytics.pct(coalesce(g.converted, 0), n.leads),
    analytics.pct(coalesce(g.with_deal, 0), n.leads),
    analytics.pct(coalesce(g.won, 0), n.leads),
    (n.cohort + interval '1 month' - interval '1 day')::date
      + (select s.cohort_maturity_days from analytics.settings s) > p_as_of
  from n
  left join g on g.cohort = n.cohort and g.dimension = n.dimension
    and g.lead_source is not distinct from n.key
  order by 1, 2, 3 nulls first, n.key nulls first
$$;
-- The events recomputed from the leads and their deals, and the rollup as its readers sum it.
create function pg_temp.events_agg() returns table (cohort_month date, lead_source text,
  measure smallint, day date, n bigint)
language sql as $$
  select k.cohort_month, k.lead_source, k.measure, k.day, sum(k.n)::bigint
  from analytics.f_leads f
  left join analytics.f_deals d on d.id = f.converted_deal_id
  cross join lateral analytics.cohort_events(f, d, analytics.time_zone()) k
  where f.converted
  group by 1, 2, 3, 4
  having sum(k.n) <> 0
$$;
create function pg_temp.events_summed() returns table (cohort_month date, lead_source text,
  measure smallint, day date, n bigint)
language sql as $$
  select r.cohort_month, r.lead_source, r.measure, r.day, sum(r.n)::bigint
  from (select * from analytics.r_cohorts_folded union all select * from analytics.r_cohorts_log) r
  group by 1, 2, 3, 4
  having sum(r.n) <> 0
$$;
-- The month table as the fold keeps it, against the day rows summed per month.
create function pg_temp.months_differ() returns bigint language sql as $$
  select count(*) from (
    (select cohort_month, lead_source, measure, month, n from analytics.r_cohorts_month
      except
      select cohort_month, lead_source, measure, date_trunc('month', day)::date, sum(n)
      from analytics.r_cohorts_folded group by 1, 2, 3, 4 having sum(n) <> 0)
    union all
    (select cohort_month, lead_source, measure, date_trunc('month', day)::date, sum(n)
      from analytics.r_cohorts_folded group by 1, 2, 3, 4 having sum(n) <> 0
      except
      select cohort_month, lead_source, measure, month, n from analytics.r_cohorts_month)) x
$$;
-- Days × month counts whose rows differ from the definition's (either way, or in number).
create function pg_temp.days_differ() returns bigint language sql as $$
  select count(*) from (values ('2026-03-31'::date), ('2026-03-06'), ('2026-03-05'),
      ('2026-03-04'), ('2026-03-03'), ('2026-03-01'), ('2026-02-28'), ('2026-02-27'),
      ('2026-02-15'), ('2026-02-01'), ('2026-01-31'), ('2026-01-15'), ('2025-12-31'),
      ('2025-11-30'), ('2025-06-30')) v(d),
    (values (1), (2), (3), (12)) m(n)
  where exists (select * from pg_temp.cohort_direct(v.d, m.n)
      except select * from analytics.cohort_conversion(v.d, m.n))
    or exists (select * from analytics.cohort_conversion(v.d, m.n)
      except select * from pg_temp.cohort_direct(v.d, m.n))
    or (select count(*) from analytics.cohort_conversion(v.d, m.n))
      <> (select count(*) from pg_temp.cohort_direct(v.d, m.n))
$$;

select set_eq('select * from pg_temp.events_summed()', 'select * from pg_temp.events_agg()',
  'the events hold the fixture''s converted leads');
select is(pg_temp.days_differ(), 0::bigint,
  'cohort conversion equals its definition on the fixture (15 days × 4 month counts)');

-- Converted leads of January to March (created and converted in Asia/Kolkata days), some into
-- deals written after them, some before.
insert into analytics.f_deals (id, created_day, stage, amount, closing_date, is_won, is_lost,
  is_closed, deleted_at)
values
  ('cr-D1', '2026-01-05', 'Closed Won', 100, '2026-02-10', true, false, true, null),
  ('cr-D2', '2026-01-05', 'Qualification', 100, '2026-03-20', false, false, false, null),
  ('cr-D3', '2026-01-05', 'Closed Won', 100, '2026-03-05', true, false, true, null),
  ('cr-D4', '2026-01-05', 'Closed Won', 100, '2026-01-20', true, false, true,
    analytics.day_end('2026-03-02')),
  ('cr-D5', '2026-01-05', 'Closed Won', 100, null, true, false, true, null);
insert into analytics.f_leads (id, created_at, created_day, lead_source, converted, converted_day,
  converted_deal_id, deleted_at)
select 'cr-L' || i, cd::timestamptz, cd, src, true, cv, deal, del
from (values
  (1, '2026-01-03'::date, 'cr-web', '2026-01-10'::date, 'cr-D1', null::timestamptz),
  (2, '2026-01-20', 'cr-web', '2026-02-01', 'cr-D2', null),
  -- converted before it was created: counts from its created day
  (3, '2026-02-10', 'cr-ads', '2026-02-05', 'cr-D3', null),
  (4, '2026-02-11', null, '2026-02-12', 'cr-D4', null),
  (5, '2026-02-12', '(none)', '2026-02-14', 'cr-D5', null),
  -- converted without a deal, and deleted either side of the end of 3 March
  (6, '2026-01-25', 'cr-web', '2026-01-26', null, analytics.day_end('2026-03-03')),
  (7, '2026-01-25', 'cr-web', '2026-01-26', 'cr-D1',
    analytics.day_end('2026-03-03') - interval '1 second'),
  -- converted after as_of 4 March; into a deal written later; created after 4 March
  (8, '2026-03-01', 'cr-ads', '2026-03-05', 'cr-D1', null),
  (9, '2026-03-01', 'cr-ads', '2026-03-02', 'cr-D6', null),
  (10, '2026-03-05', 'cr-ads', '2026-03-05', 'cr-D3', null),
  -- no conversion day; no created day
  (11, '2026-02-01', 'cr-web', null, 'cr-D1', null),
  (12, null, 'cr-web', '2026-02-02', 'cr-D1', null)
) v(i, cd, src, cv, deal, del);
insert into analytics.f_deals (id, created_day, stage, amount, closing_date, is_won, is_lost,
  is_closed, deleted_at)
values ('cr-D6', '2026-03-01', 'Closed Won', 50, '2026-03-03', true, false, true, null);
select set_eq('select * from pg_temp.events_summed()', 'select * from pg_temp.events_agg()',
  'leads and deals written in either order give their events (the log, before a fold)');
select is(pg_temp.days_differ(), 0::bigint,
  'cohort conversion equals its definition after the inserts');
select ok((select c.won from analytics.cohort_conversion('2026-03-04', 3) c
    where c.cohort_month = '2026-03-01' and c.dimension = 'all') = 1
  and (select c.won from analytics.cohort_conversion('2026-03-02', 3) c
    where c.cohort_month = '2026-03-01' and c.dimension = 'all') = 0,
  'a lead whose deal was written after it counts as won from the deal''s Closing_Date');

-- Deal changes: won later, pushed, lost again, deleted either side, removed and written again.
update analytics.f_deals set stage = 'Closed Won', is_won = true, is_closed = true,
  closing_date = '2026-03-01' where id = 'cr-D2';
update analytics.f_deals set closing_date = '2026-03-10' where id = 'cr-D1';
update analytics.f_deals set stage = 'Closed Lost', is_won = false, is_lost = true
  where id = 'cr-D3';
update analytics.f_deals set deleted_at = analytics.day_end('2026-02-27') where id = 'cr-D6';
update analytics.f_deals set amount = 120 where id = 'cr-D5';
delete from analytics.f_deals where id = 'cr-D4';
select set_eq('select * from pg_temp.events_summed()', 'select * from pg_temp.events_agg()',
  'deal changes move the won events of their leads');
select is(pg_temp.days_differ(), 0::bigint,
  'cohort conversion equals its definition after the deal changes');
insert into analytics.f_deals (id, created_day, stage, amount, closing_date, is_won, is_lost,
  is_closed, deleted_at)
values ('cr-D4', '2026-01-05', 'Closed Won', 100, '2026-02-25', true, false, true, null);

-- Lead changes: conversion day, source, deal, deletion; unconverted; removed.
update analytics.f_leads set converted_day = '2026-03-03' where id = 'cr-L1';
-- one statement: a lead whose source changed beside one only touched (its events stay as they are)
update analytics.f_leads set lead_source = case when id = 'cr-L2' then 'cr-ads' else lead_source end,
  first_touch_at = case when id = 'cr-L7' then '2026-02-01' else first_touch_at end
where id in ('cr-L2', 'cr-L7');
update analytics.f_leads set converted_deal_id = 'cr-D4' where id = 'cr-L5';
update analytics.f_leads set deleted_at = analytics.day_end('2026-02-20') where id = 'cr-L3';
update analytics.f_leads set converted = false, converted_day = null, converted_deal_id = null
  where id = 'cr-L9';
delete from analytics.f_leads where id = 'cr-L10';
select set_eq('select * from pg_temp.events_summed()', 'select * from pg_temp.events_agg()',
  'lead changes move their events (only those whose cohort columns changed)');
select is(pg_temp.days_differ(), 0::bigint,
  'cohort conversion equals its definition after the lead changes');

select analytics.fold_rollups();
select set_eq('select cohort_month, lead_source, measure, day, n from analytics.r_cohorts_folded',
  'select * from pg_temp.events_agg()', 'a fold leaves one row per key, the exact count');
select is(pg_temp.months_differ(), 0::bigint, 'the month rows are the day rows summed');
select is(pg_temp.days_differ(), 0::bigint, 'cohort conversion equals its definition after the fold');

-- A truncate of the facts (the full rebuild) empties the events.
truncate analytics.f_leads, analytics.f_deals;
select is((select count(*) from analytics.r_cohorts_folded) + (select count(*)
    from analytics.r_cohorts_log) + (select count(*) from analytics.r_cohorts_month), 0::bigint,
  'a truncate empties the events');

select * from finish();
rollback;
