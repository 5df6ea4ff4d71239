-- How long leads take: conversion velocity (creation to conversion) and lead response (creation
-- to the first touch), each a median, a mean and counts read from a rollup of the times in
-- buckets (analytics/rollups.sql). Conventions and shared rules: analytics/rules.sql.

-- From the conversions rollup (analytics.r_conversions: converted leads per conversion month,
-- source and days bucket, with Σ days), the as_of month's conversions after as_of taken out (by
-- conversion day: none for today). The median comes from the buckets: the bucket(s) holding each
-- month and source's middle rank(s), then the exact days of those buckets' conversions counted per
-- source, each (month, bucket) read once (f_leads_conversion_bucket_idx). 13 months at 1M leads:
-- about 3.6k rollup rows and a few thousand conversions instead of 80k.
create or replace function analytics.conversion_velocity(p_as_of date, p_months integer default 12)
returns table (month date, dimension text, key text, conversions bigint, median_days numeric,
  avg_days numeric, prev_median_days numeric, trend_days numeric)
language plpgsql stable
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
declare
  -- the first month read (its median is only the next month's previous one) and as_of's month
  v_m0 date := (date_trunc('month', p_as_of::timestamp) - make_interval(months => p_months))::date;
  v_m1 date := date_trunc('month', p_as_of::timestamp)::date;
  v_t1 timestamptz := analytics.day_end(p_as_of);
begin
  return query
  with late as materialized (
    select k.converted_month, k.dimension, k.key, k.bucket, k.h
    from analytics.f_leads f, analytics.conversion_keys(f) k
    where f.converted and f.converted_day > p_as_of
      and f.converted_day < (v_m1 + interval '1 month')::date
      and analytics.alive_at(f.deleted_at, v_t1)
  ),
  -- Per month, dimension value and bucket as of the end of as_of.
  rb as (
    select x.converted_month as month, x.dimension, x.key, x.bucket, sum(x.n) as n,
      sum(x.h) as h
    from (
      select r.converted_month, r.dimension, r.key, r.bucket, r.conversions as n, r.days_h as h
      from analytics.r_conversions r
      where r.converted_month >= v_m0 and r.converted_month <= v_m1
        and analytics.alive_at(r.deleted_at, v_t1)
      union all
      select l.converted_month, l.dimension, l.key, l.bucket, -1, -coalesce(l.h, 0) from late l
    ) x
    group by 1, 2, 3, 4
    having sum(x.n) <> 0
  ),
  g as (
    select rb.month, rb.dimension, rb.key, sum(rb.n)::bigint as conversions,
      -- bigint: the middle ranks below are integer divisions
      coalesce(sum(rb.n) filter (where rb.bucket is not null), 0)::bigint as timed,
      sum(rb.h) as days_h
    from rb
    group by 1, 2, 3
  ),
  -- Each bucket's rank range, and the bucket of each middle rank (nth: an odd count's middle
  -- rank is both).
  c as (
    select rb.month, rb.dimension, rb.key, rb.bucket, rb.n,
      (sum(rb.n) over (partition by rb.month, rb.dimension, rb.key order by rb.bucket)
        - rb.n)::bigint as below
    from rb where rb.bucket is not null
  ),
  need as (
    select c.month, c.dimension, c.key, c.bucket, r.rnk - c.below as rn, r.nth
    from c
    join g on g.month = c.month and g.dimension = c.dimension
      and g.key is not distinct from c.key
    cross join lateral (values ((g.timed + 1) / 2, 1), (g.timed / 2 + 1, 2)) r(rnk, nth)
    where r.rnk > c.below and r.rnk <= c.below + c.n
  ),
  -- The exact days in the needed buckets, counted per source and in all (a day's bucket holds at
  -- most 100 distinct hundredths).
  vh as (
    select f.month, f.bucket, analytics.dimension(grouping(f.lead_source)) as dimension,
      case when grouping(f.lead_source) = 0 then f.lead_source end as key, f.h, count(*) as n
    from (select distinct need.month, need.bucket from need) b
    cross join lateral (
      select b.month, b.bucket, f.lead_source,
        analytics.conversion_hundredths(f.created_at, f.converted_at) as h
      from analytics.f_leads f
      where analytics.conversion_bucket(analytics.conversion_hundredths(f.created_at,
          f.converted_at)) = b.bucket
        and f.converted and f.created_at is not null
        and f.converted_day >= b.month and f.converted_day < (b.month + interval '1 month')::date
        and f.converted_day <= p_as_of and analytics.alive_at(f.deleted_at, v_t1)
    ) f
    group by grouping sets ((f.month, f.bucket, f.h), (f.month, f.bucket, f.lead_source, f.h))
  ),
  vc as (
    select vh.month, vh.dimension, vh.key, vh.bucket, vh.h,
      (sum(vh.n) over (partition by vh.month, vh.dimension, vh.key, vh.bucket
        order by vh.h))::bigint as upto
    from vh
  ),
  -- Each middle rank's days: the least whose running count within the bucket reaches it.
  m as (
    select x.month, x.dimension, x.key, sum(x.h) as s
    from (
      select need.month, need.dimension, need.key, need.nth, min(vc.h) as h
      from need
      join vc on vc.month = need.month and vc.dimension = need.dimension
        and vc.bucket = need.bucket and vc.key is not distinct from need.key
        and vc.upto >= need.rn
      group by 1, 2, 3, 4
    ) x
    group by 1, 2, 3
  ),
  -- as analytics.median (Σ of the two middle values in hundredths ÷ 200) and round(avg(round(days,
  -- 2)), 2) (Σ with scale 2 ÷ count, rounded); labelled as analytics.dimension_key labels
  t as (
    select g.month, g.dimension, g.key,
      case when g.dimension = 'source' then coalesce(g.key, '(none)') end as label,
      g.conversions, m.s / 200.0 as median_days,
      round(round(g.days_h / 100.0, 2) / nullif(g.timed, 0), 2) as avg_days
    from g
    left join m on m.month = g.month and m.dimension = g.dimension
      and m.key is not distinct from g.key
  ),
  tl as (
    select t.*, lag(t.median_days) over (partition by t.dimension, t.label order by t.month)
      as prev_median, lag(t.month) over (partition by t.dimension, t.label order by t.month)
      as prev_month
    from t
  )
  select tl.month, tl.dimension, tl.label, tl.conversions, round(tl.median_days, 2), tl.avg_days,
    case when tl.prev_month = (tl.month - interval '1 month')::date
      then round(tl.prev_median, 2) end,
    case when tl.prev_month = (tl.month - interval '1 month')::date
      then round(tl.median_days - tl.prev_median, 2) end
  from tl
  where tl.month > v_m0
  order by 1, 2, 3 nulls first, tl.key nulls first;
end
$$;
comment on function analytics.conversion_velocity(date, integer) is
  'Conversion velocity = median days from lead Created_Time to conversion, by conversion month '
  '(and source); trend_days = median − the previous month''s median (negative = faster)';

-- The leads created from p_from up to p_to (exclusive) that were alive at the end of p_as_of and
-- first touched after it: what the rollups that keep each lead in its final state (touched if
-- ever touched) take out for a past as_of (analytics.lead_response, dashboard.build). Those
-- created in the last 8 days by day (f_leads_created_day_idx), the earlier ones among the leads
-- answered after more than 7 days (bucket 36, f_leads_response_bucket_idx): created before
-- as_of − 7, a lead touched after as_of waited at least 8 days less an hour of DST. A handful for
-- today's as_of; a past as_of reads about 8 days of leads and the window's slowest answers, not
-- every later touch.
create or replace function analytics.leads_touched_after(p_from date, p_to date, p_as_of date)
returns setof analytics.f_leads
language sql stable
-- (the instant as a subquery: computed once, not per lead through analytics.time_zone())
as $$
  select f.* from analytics.f_leads f
  where f.first_touch_at >= (select analytics.day_end(p_as_of))
    and f.created_day >= greatest(p_from, p_as_of - 7) and f.created_day < p_to
    and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  union all
  select f.* from analytics.f_leads f
  where analytics.response_bucket(analytics.response_hundredths(f.created_at,
      f.first_touch_at)) = 36
    and f.first_touch_at is not null and f.first_touch_at >= (select analytics.day_end(p_as_of))
    and f.created_day >= p_from and f.created_day < least(p_to, p_as_of - 7)
    and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
$$;
comment on function analytics.leads_touched_after(date, date, date) is
  'Leads created in [p_from, p_to), alive at the end of p_as_of and first touched after it';

-- From the response rollup (analytics.r_lead_response: leads per created day, dimension value and
-- response bucket, each in its final state; the window's whole months from
-- analytics.r_lead_response_month), corrected for the leads of the window first touched
-- after as_of (untouched as of then: out of their bucket, into "not touched"). The median comes
-- from the buckets: the bucket(s) holding each key's middle rank(s), then the exact times of
-- those buckets' leads, each bucket read once for every key (f_leads_response_bucket_idx).
create or replace function analytics.lead_response(p_as_of date, p_period text default 'mtd')
returns table (dimension text, key text, label text, leads bigint, touched bigint,
  untouched bigint, median_hours numeric, avg_hours numeric, within_1h_pct numeric)
language plpgsql stable
-- Planned with its days and instant: the leads touched after as_of are none for today and many
-- for a past as_of.
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
declare
  v_d0 date;
  v_d1 date;
  -- The window's whole months [v_m0, v_m1)
  v_m0 date;
  v_m1 date;
  v_t1 timestamptz := analytics.day_end(p_as_of);
begin
  select w.start_day, w.end_day into v_d0, v_d1
  from analytics.periods(p_as_of) w where w.period = p_period;
  select m.m0, m.m1 into v_m0, v_m1 from analytics.whole_months(v_d0, v_d1) m;
  return query
  -- The window's leads first touched after as_of (analytics.leads_touched_after).
  with late as materialized (
    select k.dimension, k.key, k.owner_name, k.bucket, k.h
    from analytics.leads_touched_after(v_d0, v_d1, p_as_of) f,
      analytics.lead_response_keys(f) k
  ),
  -- Per dimension value and bucket as of the end of as_of.
  rb as (
    select x.dimension, x.key, x.owner_name, x.bucket, sum(x.leads) as n, sum(x.hours_h) as h
    from (
      -- whole months from the monthly rows, the edge days from the daily ones, the log by day
      select r.dimension, r.key, r.owner_name, r.bucket, r.leads, r.hours_h
      from analytics.r_lead_response_month r
      where r.created_month >= v_m0 and r.created_month < v_m1
        and analytics.alive_at(r.deleted_at, v_t1)
      union all
      select r.dimension, r.key, r.owner_name, r.bucket, r.leads, r.hours_h
      from analytics.r_lead_response_folded r
      where ((r.created_day >= v_d0 and r.created_day < v_m0)
          or (r.created_day >= v_m1 and r.created_day < v_d1))
        and analytics.alive_at(r.deleted_at, v_t1)
      union all
      select r.dimension, r.key, r.owner_name, r.bucket, r.leads, r.hours_h
      from analytics.r_lead_response_log r
      where r.created_day >= v_d0 and r.created_day < v_d1
        and analytics.alive_at(r.deleted_at, v_t1)
      union all
      select l.dimension, l.key, l.owner_name, l.bucket, -1, -l.h from late l
      union all
      select l.dimension, l.key, l.owner_name, null, 1, 0 from late l
    ) x
    group by 1, 2, 3, 4
    having sum(x.leads) <> 0
  ),
  -- Per dimension value; 'all' even with no lead (as a grouping set () over no rows).
  k as (
    select d.dimension, rb.key, max(rb.owner_name) as owner_name,
      coalesce(sum(rb.n), 0)::bigint as leads,
      -- bigint: the middle ranks below are integer divisions
      coalesce(sum(rb.n) filter (where rb.bucket is not null), 0)::bigint as touched,
      sum(rb.h) as hours_h, sum(rb.n) filter (where rb.bucket <= 9) as within
    from (values ('all'), ('source'), ('owner')) d(dimension)
    left join rb on rb.dimension = d.dimension
    where rb.dimension is not null or d.dimension = 'all'
    group by 1, 2
  ),
  -- Each touched bucket's rank range, and the bucket of each middle rank.
  -- (an owner's leads may carry two names: one row per bucket first)
  c as (
    select b.dimension, b.key, b.bucket, b.n,
      (sum(b.n) over (partition by b.dimension, b.key order by b.bucket) - b.n)::bigint as below
    from (
      select rb.dimension, rb.key, rb.bucket, sum(rb.n) as n from rb
      where rb.bucket is not null group by 1, 2, 3
    ) b
  ),
  need as (
    select c.dimension, c.key, c.bucket, r.rnk - c.below as rn, r.nth
    from c
    join k on k.dimension = c.dimension and k.key is not distinct from c.key
    cross join lateral (values ((k.touched + 1) / 2, 1), (k.touched / 2 + 1, 2)) r(rnk, nth)
    where r.rnk > c.below and r.rnk <= c.below + c.n
  ),
  -- The exact times in the needed buckets, counted per dimension value (a bucket holds at most
  -- 100 distinct times): each bucket's leads touched by as_of read once for every value.
  vh as (
    select f.bucket, analytics.dimension(grouping(f.lead_source), grouping(f.owner_id))
        as dimension,
      case when grouping(f.lead_source) = 0 then f.lead_source
        when grouping(f.owner_id) = 0 then f.owner_id end as key, f.h, count(*) as n
    from (select distinct need.bucket from need) b
    cross join lateral (
      select b.bucket, f.lead_source, f.owner_id,
        analytics.response_hundredths(f.created_at, f.first_touch_at) as h
      from analytics.f_leads f
      where analytics.response_bucket(analytics.response_hundredths(f.created_at,
          f.first_touch_at)) = b.bucket
        and f.first_touch_at is not null and f.first_touch_at < v_t1
        and f.created_day >= v_d0 and f.created_day < v_d1
        and analytics.alive_at(f.deleted_at, v_t1)
    ) f
    group by grouping sets ((f.bucket, f.h), (f.bucket, f.lead_source, f.h),
      (f.bucket, f.owner_id, f.h))
  ),
  vc as (
    select vh.dimension, vh.key, vh.bucket, vh.h,
      sum(vh.n) over (partition by vh.dimension, vh.key, vh.bucket order by vh.h) as upto
    from vh
  ),
  -- Each middle rank's time: the least time whose running count within the bucket reaches it
  -- (nth: an odd count's middle rank is both).
  m as (
    select x.dimension, x.key, sum(x.h) as s
    from (
      select need.dimension, need.key, need.nth, min(vc.h) as h
      from need
      join vc on vc.dimension = need.dimension and vc.bucket = need.bucket
        and vc.key is not distinct from need.key and vc.upto >= need.rn
      group by 1, 2, 3
    ) x
    group by 1, 2
  )
  select k.dimension,
    case when k.dimension <> 'all' then coalesce(k.key, '(none)') end,
    case when k.dimension = 'owner' then k.owner_name end,
    k.leads, k.touched, k.leads - k.touched,
    -- as round(analytics.median(...), 2): Σ of the two middle ranks' values (hundredths; an odd
    -- count's middle rank is both)
    round(m.s / 200.0, 2),
    -- as round(avg(round(hours, 2)), 2): Σ (scale 2) ÷ count, rounded
    round(round(k.hours_h / 100.0, 2) / nullif(k.touched, 0), 2),
    analytics.pct(coalesce(k.within, 0), k.touched)
  from k
  left join m on m.dimension = k.dimension and m.key is not distinct from k.key
  order by 1, 2 nulls first, k.key nulls first;
end
$$;
comment on function analytics.lead_response(date, text) is
  'Lead response time = first call/task/event on the lead (What_Id) − lead Created_Time, hours; '
  'median (leadsource.co), mean and share within 1 hour (HBR) over touched leads created in the '
  'period; untouched = no touch by the end of p_as_of';
