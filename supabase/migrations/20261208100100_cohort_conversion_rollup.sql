-- analytics.cohort_conversion reads the cohorts' leads from the lead rollup and only the converted
-- leads from f_leads (analytics/kpis_leads.sql); same rows as before.
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
