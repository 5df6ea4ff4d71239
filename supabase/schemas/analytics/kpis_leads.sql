-- KPIs over leads: cohort conversion and source ROI (how long leads take: kpis_lead_times.sql).
-- Conventions and shared rules: analytics/rules.sql.

-- The cohorts' leads come from the lead rollup (analytics.r_leads: per created day, all and by
-- source), and their conversions from the converted leads' day events (analytics.r_cohorts: +1
-- when a lead starts counting as converted, with a deal, won; −1 when it stops), kept by the
-- f_leads and f_deals triggers: twelve months at 1M leads read a few thousand rows of each, where
-- they read the 75k converted leads of the twelve months and hashed the 83k won deals into them
-- every day.
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
  -- Of those, the ones converted by as_of (measure 0), with a deal (1) and whose deal is won and
  -- alive then (2): each cohort's events (analytics.r_cohorts) up to as_of, whole months from the
  -- month table, the as_of month's days from the day rows, and the log not yet folded.
  e as (
    select r.cohort_month, r.lead_source, r.measure, r.n
    from analytics.r_cohorts_month r
    where r.cohort_month >= (date_trunc('month', p_as_of::timestamp)
        - make_interval(months => p_months - 1))::date
      and r.cohort_month <= date_trunc('month', p_as_of::timestamp)::date
      and r.month < date_trunc('month', p_as_of::timestamp)::date
    union all
    select r.cohort_month, r.lead_source, r.measure, r.n
    from analytics.r_cohorts_folded r
    where r.day >= date_trunc('month', p_as_of::timestamp)::date and r.day <= p_as_of
      and r.cohort_month >= (date_trunc('month', p_as_of::timestamp)
        - make_interval(months => p_months - 1))::date
    union all
    select r.cohort_month, r.lead_source, r.measure, r.n
    from analytics.r_cohorts_log r
    where r.day <= p_as_of
      and r.cohort_month >= (date_trunc('month', p_as_of::timestamp)
        - make_interval(months => p_months - 1))::date
  ),
  g as (
    select e.cohort_month as cohort, analytics.dimension(grouping(e.lead_source)) as dimension,
      e.lead_source,
      sum(e.n) filter (where e.measure = 0)::bigint as converted,
      sum(e.n) filter (where e.measure = 1)::bigint as with_deal,
      sum(e.n) filter (where e.measure = 2)::bigint as won
    from e
    group by grouping sets ((e.cohort_month), (e.cohort_month, e.lead_source))
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
