-- analytics.lead_response finds the middle ranks' times by one join, not a lookup per rank
-- (analytics/kpis_leads.sql).
-- From the response rollup (analytics.r_lead_response: leads per created day, dimension value and
-- response bucket, each in its final state), corrected for the leads of the window first touched
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
  v_t1 timestamptz := analytics.day_end(p_as_of);
begin
  select w.start_day, w.end_day into v_d0, v_d1
  from analytics.periods(p_as_of) w where w.period = p_period;
  return query
  -- The window's leads first touched after as_of: those created in its last 8 days by day
  -- (f_leads_created_day_idx), the earlier ones among the leads answered after more than 7 days
  -- (bucket 36, f_leads_response_bucket_idx): created before as_of − 7, a lead touched after
  -- as_of waited at least 8 days less an hour of DST. A handful for today's as_of; a past as_of
  -- reads about 8 days of leads and the window's slowest answers, not every later touch.
  with late as materialized (
    select k.dimension, k.key, k.owner_name, k.bucket, k.h
    from analytics.f_leads f, analytics.lead_response_keys(f) k
    where f.first_touch_at >= v_t1 and f.created_day >= greatest(v_d0, p_as_of - 7)
      and f.created_day < v_d1 and analytics.alive_at(f.deleted_at, v_t1)
    union all
    select k.dimension, k.key, k.owner_name, k.bucket, k.h
    from analytics.f_leads f, analytics.lead_response_keys(f) k
    where analytics.response_bucket(analytics.response_hundredths(f.created_at,
        f.first_touch_at)) = 36
      and f.first_touch_at is not null and f.first_touch_at >= v_t1
      and f.created_day >= v_d0 and f.created_day < least(v_d1, p_as_of - 7)
      and analytics.alive_at(f.deleted_at, v_t1)
  ),
  -- Per dimension value and bucket as of the end of as_of.
  rb as (
    select x.dimension, x.key, x.owner_name, x.bucket, sum(x.leads) as n, sum(x.hours_h) as h
    from (
      select r.dimension, r.key, r.owner_name, r.bucket, r.leads, r.hours_h
      from analytics.r_lead_response r
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
    -- as round(analytics.median_hundredths(...), 2): Σ of the two middle ranks' values (an odd
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
