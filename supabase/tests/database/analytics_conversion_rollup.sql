-- pgTAP: the conversions rollup (analytics.r_conversions, analytics/rollups.sql) stays the exact
-- aggregate of the converted analytics.f_leads through the write-time triggers (inserts, updates
-- of the conversion and the source, deletes, a fold, a truncate), and
-- analytics.conversion_velocity, which reads it, equals its definition over the leads (the
-- function before the rollup, below) on many days and month counts, with conversions after as_of,
-- before creation, after half a year, without a time or a Created_Time, deleted either side of
-- as_of, and no source. A source worked by hand: middle ranks in one bucket, a conversion after
-- as_of, the trend from the unrounded medians. And a later fold removes the keys it brings to 0.
begin;
select plan(11);

\ir ../fixtures/company.psql

-- Conversion velocity as it was defined before the rollup (20261208100600), with the plain median.
create function pg_temp.velocity_direct(p_as_of date, p_months integer)
returns table (month date, dimension text, key text, conversions bigint, median_days numeric,
  avg_days numeric, prev_median_days numeric, trend_days numeric)
language sql stable
as $$
  with c as (
    select date_trunc('month', f.converted_day::timestamp)::date as month, f.lead_source,
      round(analytics.days(f.converted_at - f.created_at), 2) as days
    from analytics.f_leads f
    where f.converted and f.converted_day <= p_as_of and f.created_at is not null
      and f.converted_day >= (date_trunc('month', p_as_of::timestamp)
        - make_interval(months => p_months))::date
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  ),
  g as (
    select month, analytics.dimension(grouping(lead_source)) as dimension,
      analytics.dimension_key(grouping(lead_source), lead_source) as key,
      count(*) as conversions, analytics.median(array_agg(days)) as median_days,
      round(avg(days), 2) as avg_days
    from c
    group by grouping sets ((month), (month, lead_source))
  ),
  t as (
    select g.*, lag(g.median_days) over (partition by g.dimension, g.key order by g.month)
      as prev_median, lag(g.month) over (partition by g.dimension, g.key order by g.month)
      as prev_month
    from g
  )
  select month, dimension, key, conversions, round(median_days, 2), avg_days,
    case when prev_month = (month - interval '1 month')::date then round(prev_median, 2) end,
    case when prev_month = (month - interval '1 month')::date
      then round(median_days - prev_median, 2) end
  from t
  where month > (date_trunc('month', p_as_of::timestamp) - make_interval(months => p_months))::date
$$;
-- The rollup recomputed from the leads with the buckets written out (before creation, a day each
-- to 60 days, a week each to 179, then 365 days and later), and the view as readers take it.
create function pg_temp.conversions_agg() returns table (converted_month date, dimension text,
  key text, deleted_at timestamptz, bucket smallint, conversions bigint, days_h bigint)
language sql as $$
  select date_trunc('month', f.converted_day::timestamp)::date, k.d, k.k, f.deleted_at,
    (case when x.h is null then null when x.h < 0 then -1 when x.h < 6000 then floor(x.h / 100.0)
      when x.h < 17900 then 60 + floor((x.h - 6000) / 700.0) when x.h < 36500 then 77
      else 78 end)::smallint,
    count(*), coalesce(sum(x.h), 0)::bigint
  from analytics.f_leads f
  cross join lateral (select (round(extract(epoch from f.converted_at - f.created_at) / 86400, 2)
    * 100)::bigint as h) x
  cross join lateral (values ('all', null), ('source', f.lead_source)) k(d, k)
  where f.converted and f.converted_day is not null and f.created_at is not null
  group by 1, 2, 3, 4, 5
$$;
create function pg_temp.conversions_summed() returns table (converted_month date,
  dimension text, key text, deleted_at timestamptz, bucket smallint, conversions bigint,
  days_h bigint)
language sql as $$
  select r.converted_month, r.dimension, r.key, r.deleted_at, r.bucket, sum(r.conversions)::bigint,
    sum(r.days_h)::bigint
  from analytics.r_conversions r group by 1, 2, 3, 4, 5 having sum(r.conversions) <> 0
$$;
-- Days: month ends, mid-months and the days around the late conversions; 1, 3 and 12 months.
create function pg_temp.differs() returns bigint language sql as $$
  select count(*) from (values ('2026-03-04'::date), ('2026-02-28'), ('2026-02-10'),
      ('2026-01-31'), ('2025-12-15'), ('2025-11-30'), ('2025-09-01'), ('2025-06-30'),
      ('2025-04-12')) v(d),
    (values (1), (3), (12)) m(n)
  where exists (select * from analytics.conversion_velocity(v.d, m.n)
      except all select * from pg_temp.velocity_direct(v.d, m.n))
    or exists (select * from pg_temp.velocity_direct(v.d, m.n)
      except all select * from analytics.conversion_velocity(v.d, m.n))
$$;

-- 1,500 leads over 15 months, attributes from a hash of their number: 3 sources (one null), two
-- in three converted, after hours, days, weeks or more than half a year (a few before they were
-- created, a few without a conversion time or day, a few without a Created_Time), a few deleted.
create function pg_temp.h(i integer, salt integer) returns integer language sql immutable as $$
  select abs(hashint4(i * 43 + salt)) % 1000
$$;
insert into analytics.f_leads (id, created_at, created_day, owner_id, owner_name, lead_source,
  lead_status, converted, converted_at, converted_day, deleted_at)
select 'cv-L' || i, case when pg_temp.h(i, 1) % 40 <> 0 then c.at end,
  (c.at at time zone analytics.time_zone())::date, 'cv-o', 'CV',
  (array['cv-Web', null, 'cv-Ads'])[1 + pg_temp.h(i, 2) % 3], 'New', v.conv,
  case when v.conv and pg_temp.h(i, 3) % 30 <> 0 then v.conv_at end,
  case when v.conv and pg_temp.h(i, 4) % 50 <> 0
    then (v.conv_at at time zone analytics.time_zone())::date end,
  case when pg_temp.h(i, 5) % 15 = 0 then analytics.day_end(
    (c.at at time zone analytics.time_zone())::date + pg_temp.h(i, 6) % 120)
    - case when pg_temp.h(i, 7) % 2 = 0 then interval '1 second' else interval '0' end end
from generate_series(1, 1500) i
cross join lateral (select timestamptz '2025-01-01T07:00:00Z'
  + (pg_temp.h(i, 0) % 440) * interval '1 day' + (pg_temp.h(i, 8) % 1440) * interval '1 minute'
  as at) c
cross join lateral (select pg_temp.h(i, 9) % 3 <> 0 as conv,
  c.at + case pg_temp.h(i, 10) % 8
    when 0 then -(pg_temp.h(i, 11) % 48) * interval '1 hour'
    when 1 then (pg_temp.h(i, 11) % 48) * interval '1 hour'
    when 2 then (pg_temp.h(i, 11) % 200) * interval '1 day'
    else (pg_temp.h(i, 11) % 3000) * interval '864 seconds' end as conv_at) v;

select ok((select count(*) filter (where converted_at < created_at) > 0
    and count(*) filter (where converted_at > created_at + interval '180 days') > 0
    and count(*) filter (where converted and converted_at is null) > 0
    and count(*) filter (where converted and converted_day is null) > 0
    and count(*) filter (where converted and created_at is null) > 0
    and count(*) filter (where converted and deleted_at is not null) > 0
  from analytics.f_leads where id like 'cv-L%'), 'the generated leads have every edge');
select bag_eq('select * from pg_temp.conversions_summed()',
  'select * from pg_temp.conversions_agg()',
  'r_conversions = the converted leads counted per month, key and bucket (inserts)');
select is(pg_temp.differs(), 0::bigint,
  'conversion velocity = its definition over every lead (9 days × 3 month counts)');

-- Changes: conversions moved, undone and added, sources changed, leads deleted; then a fold.
update analytics.f_leads set converted_at = converted_at + interval '20 days',
  converted_day = converted_day + 20 where id like 'cv-L1__' and converted;
update analytics.f_leads set converted = false, converted_at = null, converted_day = null
  where id like 'cv-L2__';
update analytics.f_leads set converted = true, converted_at = created_at + interval '3 days',
  converted_day = created_day + 3 where id like 'cv-L3__' and not converted;
update analytics.f_leads set lead_source = 'cv-Ads' where id like 'cv-L4__';
delete from analytics.f_leads where id like 'cv-L5__';
select bag_eq('select * from pg_temp.conversions_summed()',
  'select * from pg_temp.conversions_agg()',
  'r_conversions = the converted leads counted after updates and deletes');
select analytics.fold_rollups();
select bag_eq('select * from pg_temp.conversions_summed()',
  'select * from pg_temp.conversions_agg()', 'r_conversions = the same after a fold');
select is(pg_temp.differs(), 0::bigint, 'conversion velocity = its definition after the changes');

-- Worked by hand (source cv-Hand): converted on 10 Jan after 3.00 days; in February after 1.00,
-- 2.50, 2.51 and 10.00 days (the 2nd, 5th, 10th and 15th) and 5.00 days (the 25th). As of 20 Feb:
-- 4 conversions, middle ranks 2.50 and 2.51 (one bucket) → 2.505 → 2.51; mean 16.01 ÷ 4 = 4.0025 →
-- 4.00; the trend from the unrounded medians, 2.505 − 3.00 = −0.495 → −0.50. As of 28 Feb: 5, the
-- middle rank 2.51, mean 21.01 ÷ 5 = 4.202 → 4.20, trend −0.49.
insert into analytics.f_leads (id, created_at, created_day, owner_id, lead_source, converted,
  converted_at, converted_day)
select 'cv-H' || n, t - d::float8 * interval '1 day', ((t - d::float8 * interval '1 day')
    at time zone analytics.time_zone())::date, 'cv-o', 'cv-Hand', true, t,
  (t at time zone analytics.time_zone())::date
from (values (1, timestamptz '2026-01-10T12:00:00Z', 3.00), (2, '2026-02-02T12:00:00Z', 1.00),
  (3, '2026-02-05T12:00:00Z', 2.50), (4, '2026-02-10T12:00:00Z', 2.51),
  (5, '2026-02-15T12:00:00Z', 10.00), (6, '2026-02-25T12:00:00Z', 5.00)) v(n, t, d);
select results_eq($$select as_of, conversions, median_days, avg_days, prev_median_days, trend_days
  from (values (date '2026-02-20'), ('2026-02-28')) v(as_of),
    analytics.conversion_velocity(v.as_of, 2) c
  where c.dimension = 'source' and c.key = 'cv-Hand' and c.month = '2026-02-01' order by 1$$,
  $$values (date '2026-02-20', 4::bigint, 2.51::numeric, 4.00::numeric, 3.00::numeric,
      -0.50::numeric),
    ('2026-02-28', 5, 2.51, 4.20, 3.00, -0.49)$$,
  'a source worked by hand: a conversion after as_of, the trend from unrounded medians');
select is(pg_temp.differs(), 0::bigint, 'conversion velocity = its definition with them');

-- Folded keys brought to 0 by a later fold go.
select analytics.fold_rollups();
delete from analytics.f_leads where id like 'cv-L6__' or id like 'cv-H%';
select analytics.fold_rollups();
select is((select count(*) from analytics.r_conversions_folded where conversions = 0), 0::bigint,
  'a fold removes the folded rows it brings to 0');
select bag_eq('select * from pg_temp.conversions_summed()',
  'select * from pg_temp.conversions_agg()', 'r_conversions = the same after a second fold');

truncate analytics.f_leads;
select is((select count(*) from analytics.r_conversions), 0::bigint,
  'a truncate of the facts empties the rollup and its log');

select * from finish();
rollback;
