-- KPIs over leads: cohort conversion, conversion velocity, lead response and source ROI.
-- Conventions and shared rules: analytics/rules.sql.

-- The cohorts' leads come from the lead rollup (analytics.r_leads: per created day, all and by
-- source), and only the converted leads are read (f_leads_converted_day_idx), their deals hashed
-- from the won ones: 12 months at 1M leads read 7k rollup rows and 74k of 368k leads instead of
-- every lead and every deal (the same rows; two interleaved runs, 7 Dec: 281-313 → 149-194 ms and
-- 417-552 → 227-313 ms).
create or replace function analytics.cohort_conversion(p_as_of date, p_months integer default 12)
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
    join analytics.f_leads f on f.converted and f.converted_day <= p_as_of
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
comment on function analytics.cohort_conversion(date, integer) is
  'Cohort conversion (rekener.com cohort variant): of the leads created in a month, the share '
  'converted, converted with a deal ($converted_detail.deal) and whose deal is Closed Won, all '
  'by p_as_of; leads converted without a deal count as converted only; incomplete = the cohort '
  'ended less than settings.cohort_maturity_days before p_as_of';

create or replace function analytics.conversion_velocity(p_as_of date, p_months integer default 12)
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
      count(*) as conversions,
      analytics.median_hundredths(array_agg((days * 100)::integer)) as median_days,
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
  order by 1, 2, 3 nulls first
$$;
comment on function analytics.conversion_velocity(date, integer) is
  'Conversion velocity = median days from lead Created_Time to conversion, by conversion month '
  '(and source); trend_days = median − the previous month''s median (negative = faster)';

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

create or replace function analytics.source_roi(p_as_of date, p_period text default 't12m')
returns table (lead_source text, cost numeric, leads bigint, won_deals bigint, revenue numeric,
  cost_per_lead numeric, cost_per_won_deal numeric, revenue_per_cost numeric, roi_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  t as (select (select analytics.day_end(p_as_of)) as t1),
  c as (
    select coalesce(c.lead_source, '(none)') as src, sum(coalesce(c.actual_cost, 0)) as cost
    from analytics.f_campaigns c, p, t
    where c.start_date >= p.start_day and c.start_date < p.end_day
      and analytics.alive_at(c.deleted_at, t.t1)
    group by 1
  ),
  -- leads and won deals per source from the rollups (analytics/rollups.sql)
  l as (
    select coalesce(r.key, '(none)') as src, sum(r.leads)::bigint as leads
    from analytics.r_leads r, p, t
    where r.dimension = 'source' and r.created_day >= p.start_day and r.created_day < p.end_day
      and analytics.alive_at(r.deleted_at, t.t1)
    group by 1
    having sum(r.leads) <> 0
  ),
  w as (
    select coalesce(r.key, '(none)') as src, sum(r.deals)::bigint as won,
      coalesce(sum(r.amount), 0) as revenue
    from analytics.r_deals_closed r, p, t
    where r.dimension = 'source' and r.is_won and r.closing_date >= p.start_day
      and r.closing_date < p.end_day
      and (r.created_late is null or r.created_late <= p_as_of)
      and analytics.alive_at(r.deleted_at, t.t1)
    group by 1
    having sum(r.deals) <> 0
  )
  select s.src, coalesce(c.cost, 0), coalesce(l.leads, 0), coalesce(w.won, 0),
    coalesce(w.revenue, 0), round(c.cost / nullif(l.leads, 0), 2),
    round(c.cost / nullif(w.won, 0), 2), round(coalesce(w.revenue, 0) / nullif(c.cost, 0), 4),
    analytics.pct(coalesce(w.revenue, 0) - c.cost, c.cost)
  from (select src from c union select src from l union select src from w) s
  left join c on c.src = s.src
  left join l on l.src = s.src
  left join w on w.src = s.src
  order by 1
$$;
comment on function analytics.source_roi(date, text) is
  'Source ROI: cost = Σ Actual_Cost of campaigns starting in the period, attributed to a lead '
  'source (analytics.campaign_sources, else the main Lead_Source of the campaign''s deals); '
  'cost per lead = cost ÷ leads created; cost per won deal = cost ÷ deals won (Closing_Date in '
  'period); revenue ÷ cost; ROI % = (revenue − cost) ÷ cost × 100 (Lead_Source attribution)';
