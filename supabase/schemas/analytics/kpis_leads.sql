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

create or replace function analytics.lead_response(p_as_of date, p_period text default 'mtd')
returns table (dimension text, key text, label text, leads bigint, touched bigint,
  untouched bigint, median_hours numeric, avg_hours numeric, within_1h_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  l as (
    select f.lead_source, f.owner_id, f.owner_name,
      case when f.first_touch_at < (select analytics.day_end(p_as_of))
        then round(greatest(extract(epoch from f.first_touch_at - f.created_at), 0) / 3600, 2)
      end as hours
    from analytics.f_leads f
    cross join p
    where f.created_day >= p.start_day and f.created_day < p.end_day
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select
    analytics.dimension(grouping(lead_source), grouping(owner_id)),
    analytics.dimension_key(grouping(lead_source), lead_source, grouping(owner_id), owner_id),
    analytics.owner_label(grouping(owner_id), max(owner_name)),
    count(*), count(hours), count(*) - count(hours),
    round(analytics.median_hundredths(array_agg((hours * 100)::integer)), 2),
    round(avg(hours), 2),
    analytics.pct(count(*) filter (where hours <= 1), count(hours))
  from l
  group by grouping sets ((), (lead_source), (owner_id))
  order by 1, 2 nulls first
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
