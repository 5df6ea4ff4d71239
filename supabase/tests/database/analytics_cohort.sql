-- pgTAP: analytics.cohort_conversion, which reads the cohorts' leads from the lead rollup
-- (analytics.r_leads) and only the converted leads from f_leads, equals its definition over every
-- lead (the function before the rollup, below) on many days and month counts, on generated leads
-- with every edge: no source and a source named '(none)', deletions before and after the end of
-- as_of, conversions after as_of and on no known day, converted without a deal or to a deal we do
-- not hold, deals won after as_of, lost, deleted either side of as_of, with no closing date.
-- Tolerates other tests' facts: both sides read whatever the facts hold.
begin;
select plan(7);

\ir ../fixtures/company.psql

-- Cohort conversion as it was defined before the rollup (20261208100100): every lead of the
-- window read, each joined to its deal.
create function pg_temp.cohort_direct(p_as_of date, p_months integer default 12)
returns table (cohort_month date, dimension text, key text, leads bigint, converted bigint,
  with_deal bigint, won bigint, converted_pct numeric, lead_to_deal_pct numeric,
  lead_to_won_pct numeric, incomplete boolean)
language sql stable
as $$
  with l as (
    select date_trunc('month', f.created_day::timestamp)::date as cohort, f.lead_source,
      f.converted and f.converted_day <= p_as_of as conv,
      f.converted and f.converted_day <= p_as_of and f.converted_deal_id is not null as deal,
      coalesce(d.is_won and d.closing_date <= p_as_of, false) as won
    from analytics.f_leads f
    left join analytics.f_deals d on d.id = f.converted_deal_id and f.converted
      and f.converted_day <= p_as_of
      and analytics.alive_at(d.deleted_at, (select analytics.day_end(p_as_of)))
    where f.created_day <= p_as_of
      and f.created_day >= (date_trunc('month', p_as_of::timestamp)
        - make_interval(months => p_months - 1))::date
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select cohort,
    analytics.dimension(grouping(lead_source)),
    analytics.dimension_key(grouping(lead_source), lead_source),
    count(*), count(*) filter (where conv), count(*) filter (where deal),
    count(*) filter (where won),
    analytics.pct(count(*) filter (where conv), count(*)),
    analytics.pct(count(*) filter (where deal), count(*)),
    analytics.pct(count(*) filter (where won), count(*)),
    (cohort + interval '1 month' - interval '1 day')::date
      + (select s.cohort_maturity_days from analytics.settings s) > p_as_of
  from l
  group by grouping sets ((cohort), (cohort, lead_source))
  order by 1, 2, 3 nulls first
$$;

-- 900 leads over 16 months, attributes from a hash of their number: 5 sources (one null, one
-- named '(none)'), a third converted (some on no known day, some after the days compared, some
-- without a deal, some to a deal we do not hold), a few deleted at, just before or after a day's
-- end.
create function pg_temp.h(i integer, salt integer) returns integer language sql immutable as $$
  select abs(hashint4(i * 31 + salt)) % 1000
$$;
insert into analytics.f_leads (id, created_at, created_day, owner_id, owner_name, lead_source,
  lead_status, converted, converted_at, converted_day, converted_deal_id, deleted_at)
select 'co-L' || i, c.at, (c.at at time zone analytics.time_zone())::date, 'co-o', 'CO',
  (array['co-Web', 'co-Ads', null, '(none)', 'co-Event'])[1 + pg_temp.h(i, 1) % 5],
  'New', v.conv, v.conv_at, case when v.conv and pg_temp.h(i, 3) % 20 <> 0
    then (v.conv_at at time zone analytics.time_zone())::date end,
  case when v.conv and pg_temp.h(i, 4) % 5 <> 0 then
    case when pg_temp.h(i, 5) % 25 = 0 then 'co-X' || i else 'co-D' || i end end,
  case when pg_temp.h(i, 6) % 12 = 0 then analytics.day_end(
    (c.at at time zone analytics.time_zone())::date + pg_temp.h(i, 7) % 90)
    - case when pg_temp.h(i, 8) % 2 = 0 then interval '1 second' else interval '0' end end
from generate_series(1, 900) i
cross join lateral (select timestamptz '2025-01-01T08:00:00Z'
  + (pg_temp.h(i, 0) % 455) * interval '1 day' + (pg_temp.h(i, 9) % 24) * interval '1 hour'
  as at) c
cross join lateral (select pg_temp.h(i, 2) % 3 = 0 as conv,
  c.at + (pg_temp.h(i, 10) % 120) * interval '1 day' as conv_at) v;
-- Their deals: won (some closing after the days compared), lost or open, a few with no closing
-- date, a few deleted either side of a day's end.
insert into analytics.f_deals (id, created_at, created_day, owner_id, owner_name, stage, amount,
  closing_date, lead_source, is_won, is_lost, is_closed, deleted_at)
select f.converted_deal_id, f.converted_at, f.converted_day, 'co-o', 'CO', s.stage, 100,
  case when pg_temp.h(n, 12) % 15 <> 0 then f.converted_day + pg_temp.h(n, 13) % 60 end,
  f.lead_source, s.stage = 'Closed Won', s.stage = 'Closed Lost', s.stage like 'Closed%',
  case when pg_temp.h(n, 14) % 10 = 0 then analytics.day_end(
    f.converted_day + pg_temp.h(n, 15) % 60)
    - case when pg_temp.h(n, 16) % 2 = 0 then interval '1 second' else interval '0' end end
from (select f.*, substr(f.id, 5)::integer as n from analytics.f_leads f
  where f.id like 'co-L%' and f.converted_deal_id like 'co-D%') f
cross join lateral (select (array['Closed Won', 'Closed Won', 'Closed Lost', 'Qualification'])
  [1 + pg_temp.h(f.n, 11) % 4] as stage) s;

-- The data has what it should: each edge at least once.
select ok((select count(*) filter (where converted and converted_day is null) > 0
    and count(*) filter (where converted_deal_id like 'co-X%') > 0
    and count(*) filter (where lead_source = '(none)') > 0
    and count(*) filter (where lead_source is null) > 0
    and count(*) filter (where deleted_at is not null) > 0
  from analytics.f_leads where id like 'co-L%'), 'the generated leads have every edge');

-- Every first of a month, end of a month and mid-month day from Jan 2025 to Jun 2026, for 1, 3
-- and 12 months: the same rows (as bags: the old definition left the two '(none)' sources' order
-- to chance; the function puts the one with no source first).
create function pg_temp.days() returns table (d date) language sql as $$
  select g::date from generate_series(date '2025-01-01', date '2026-06-30', interval '1 day') g
  where extract(day from g) in (1, 15) or g::date = (date_trunc('month', g) + interval '1 month'
    - interval '1 day')::date
$$;
create function pg_temp.differs(p_as_of date, p_months integer) returns boolean language sql as $$
  select exists (select * from analytics.cohort_conversion(p_as_of, p_months)
      except all select * from pg_temp.cohort_direct(p_as_of, p_months))
    or exists (select * from pg_temp.cohort_direct(p_as_of, p_months)
      except all select * from analytics.cohort_conversion(p_as_of, p_months))
$$;
select is((select count(*)::int from pg_temp.days() d, (values (1), (3), (12)) m(n)
  where pg_temp.differs(d.d, m.n)),
  0, 'cohort conversion = its definition over every lead (54 days × 3 month counts)');
-- The comparison is not empty: the test's leads count in both.
select ok((select sum(converted) > 50 and sum(won) > 10 and count(*) filter (where key = '(none)') > 2
  from analytics.cohort_conversion('2026-03-04', 12) where dimension = 'source'),
  'the compared cohorts hold converted and won leads, and both ''(none)'' sources');
-- In order: by cohort, dimension ('all' first) and source.
select is((select count(*)::int from (
    select x.*, lag(x.cohort_month) over () as pc, lag(x.dimension) over () as pd,
      lag(x.key) over () as pk
    from analytics.cohort_conversion('2026-03-04', 12) x) y
  where (y.pc, y.pd, coalesce(y.pk, '')) > (y.cohort_month, y.dimension, coalesce(y.key, ''))),
  0, 'rows by cohort, dimension and source');

-- After a fold, a deletion, an update and new leads, again (the rollup's log and folded rows).
select analytics.fold_rollups();
delete from analytics.f_leads where id in ('co-L5', 'co-L6', 'co-L7');
update analytics.f_leads set lead_source = 'co-Ads', created_day = created_day - 40,
  created_at = created_at - interval '40 days' where id like 'co-L1_';
update analytics.f_deals set stage = 'Closed Lost', is_won = false, is_lost = true
  where id in (select converted_deal_id from analytics.f_leads where id like 'co-L2_');
insert into analytics.f_leads (id, created_at, created_day, owner_id, lead_source, converted,
  converted_day, converted_deal_id)
select 'co-N' || i, timestamptz '2026-02-10T12:00:00Z', '2026-02-10', 'co-o', 'co-Web', true,
  '2026-02-20', 'co-D' || (3 * i) from generate_series(1, 30) i;
select is((select count(*)::int from pg_temp.days() d, (values (1), (12)) m(n)
  where pg_temp.differs(d.d, m.n)),
  0, 'the same after a fold, deletions, updates and new leads (54 days × 2)');

-- Worked by hand: a cohort of its own (source co-Hand, Nov 2025): H1 converted 5 Nov to a deal
-- won closing 20 Nov; H2 converted 6 Nov to a deal won closing 20 Dec; H3 converted 6 Dec without
-- a deal; H4 not converted; H5 deleted 15 Nov. As of 30 Nov: 4 leads, 2 converted, 2 with a
-- deal, 1 won; as of 31 Dec: 4, 3, 2, 2.
insert into analytics.f_leads (id, created_at, created_day, owner_id, lead_source, converted,
  converted_day, converted_deal_id, deleted_at)
values ('co-H1', null, '2025-11-02', 'co-o', 'co-Hand', true, '2025-11-05', 'co-HD1', null),
  ('co-H2', null, '2025-11-03', 'co-o', 'co-Hand', true, '2025-11-06', 'co-HD2', null),
  ('co-H3', null, '2025-11-03', 'co-o', 'co-Hand', true, '2025-12-06', null, null),
  ('co-H4', null, '2025-11-04', 'co-o', 'co-Hand', false, null, null, null),
  ('co-H5', null, '2025-11-04', 'co-o', 'co-Hand', false, null, null,
    analytics.day_end('2025-11-15'));
insert into analytics.f_deals (id, created_day, stage, amount, closing_date, is_won, is_lost,
  is_closed)
values ('co-HD1', '2025-11-05', 'Closed Won', 10, '2025-11-20', true, false, true),
  ('co-HD2', '2025-11-06', 'Closed Won', 10, '2025-12-20', true, false, true);
select results_eq($$select as_of, leads, converted, with_deal, won
  from (values (date '2025-11-30'), ('2025-12-31')) v(as_of),
  analytics.cohort_conversion(v.as_of, 2) c
  where c.dimension = 'source' and c.key = 'co-Hand' order by 1$$,
  $$values (date '2025-11-30', 4::bigint, 2::bigint, 2::bigint, 1::bigint),
    ('2025-12-31', 4, 3, 2, 2)$$,
  'a cohort worked by hand, as of two month ends');
select is((select lead_to_won_pct from analytics.cohort_conversion('2025-12-31', 2)
  where dimension = 'source' and key = 'co-Hand'), 50.00::numeric,
  'its lead-to-won share: 2 of 4');

select * from finish();
rollback;
