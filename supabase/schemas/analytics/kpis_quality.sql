-- KPIs that watch the data: data quality (missing fields, untouched leads) and week-over-week
-- source anomalies. Conventions and shared rules: analytics/rules.sql.

create or replace function analytics.data_quality(p_as_of date)
returns table (check_id text, count bigint, total bigint, pct numeric)
language sql stable
as $$
  with t as (
    select (select analytics.day_end(p_as_of)) as t1,
      (select s.untouched_after_days from analytics.settings s) as days
  ),
  d as (
    select
      count(*) as open_deals,
      count(*) filter (where f.amount is null) as no_amount,
      count(*) filter (where f.amount = 0) as zero_amount,
      count(*) filter (where f.closing_date is null) as no_closing,
      count(*) filter (where f.owner_id is null) as no_owner,
      count(*) filter (where f.lead_source is null) as no_source
    from analytics.f_deals f, t
    where not f.is_closed and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, t.t1)
  ),
  -- Open leads (created, not converted nor deleted by as_of) and those also untouched, from the
  -- rollups: the leads created by as_of less those whose open (untouched) spell ended by then
  -- (analytics/rollups.sql: exit_open, exit_untouched). Reading every lead cost 0.2 s at 1M.
  r as (
    select (coalesce(sum(r.leads) filter (where r.dimension = 'all'), 0)
        - coalesce(sum(r.leads) filter (where r.dimension = 'exit_open'), 0))::bigint
        as open_leads,
      (coalesce(sum(r.leads) filter (where r.dimension = 'all'), 0)
        - coalesce(sum(r.leads) filter (where r.dimension = 'exit_untouched'), 0))::bigint
        as never
    from analytics.r_leads r
    where r.dimension in ('all', 'exit_open', 'exit_untouched') and r.created_day <= p_as_of
  ),
  -- The recent ones: a few days of leads, by index.
  l as (
    select r.open_leads, r.never, count(f.id) as recent,
      count(f.id) filter (where not coalesce(f.first_touch_at < t.t1, false)) as recent_never
    from r
    cross join t
    left join analytics.f_leads f on f.created_day <= p_as_of
      and f.created_day > p_as_of - t.days
      and not (f.converted and f.converted_day <= p_as_of)
      and analytics.alive_at(f.deleted_at, t.t1)
    group by r.open_leads, r.never
  )
  select x.check_id, x.n, x.total, analytics.pct(x.n, x.total)
  from d, l, lateral (values
    ('open_deals_without_amount', d.no_amount, d.open_deals, 1),
    ('open_deals_zero_amount', d.zero_amount, d.open_deals, 2),
    ('open_deals_without_closing_date', d.no_closing, d.open_deals, 3),
    ('open_deals_without_owner', d.no_owner, d.open_deals, 4),
    ('open_deals_without_source', d.no_source, d.open_deals, 5),
    ('leads_never_touched', l.never, l.open_leads, 6),
    ('recent_leads_untouched', l.recent_never, l.recent, 7)
  ) x(check_id, n, total, ord)
  order by x.ord
$$;
comment on function analytics.data_quality(date) is
  'Data quality: open deals without Amount (null), with Amount 0, without Closing_Date, Owner '
  'or Lead_Source; unconverted leads never touched (no call/task/event by p_as_of); of leads '
  'created in the last settings.untouched_after_days days, those untouched (Zia''s check)';

create or replace function analytics.source_anomalies(p_as_of date)
returns table (metric text, lead_source text, week_start date, value numeric,
  prev_value numeric, change numeric, change_pct numeric, baseline_median numeric,
  baseline_mad numeric, robust_z numeric, is_anomaly boolean, records integer,
  prev_records integer, scale numeric, expected_low numeric, expected_high numeric, label text)
language plpgsql stable
-- PL/pgSQL planned with its values (as ask.deal_risk): as a SQL function its one generic plan
-- could not see the weeks' date range and read every lead, 1.3 s on the 1M-lead demo against
-- 0.15-0.4 s planned for the day asked.
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
begin
  return query
  with cfg as (
    select s.anomaly_weeks as n, s.anomaly_threshold as k, s.anomaly_min_count as min_count,
      s.anomaly_min_deals as min_deals, (select analytics.day_end(p_as_of)) as t1
    from analytics.settings s
  ),
  weeks as (select w, p_as_of - 7 * w - 6 as ws from cfg, generate_series(0, cfg.n + 1) w),
  -- The won deals of the weeks, one row each (their median is the unit below).
  obs as (
    select 'won_revenue' as metric, coalesce(f.lead_source, '(none)') as src,
      (p_as_of - f.closing_date) / 7 as w, coalesce(f.amount, 0) as v
    from analytics.f_deals f, cfg
    where f.is_won and f.closing_date <= p_as_of and f.closing_date > p_as_of - 7 * (cfg.n + 2)
      and f.created_day <= p_as_of and analytics.alive_at(f.deleted_at, cfg.t1)
  ),
  -- One unit of each metric: a lead, or the median won deal of the window (all sources).
  unit as (
    select 'leads' as metric, 1::numeric as u
    union all
    select 'won_revenue', coalesce(analytics.median(array_agg(o.v)), 1)
    from obs o where o.metric = 'won_revenue' and o.v > 0
  ),
  -- Each source's week summed first: the grid then joins a few hundred rows, not every lead
  -- of the window (≈ 1.3 s → 0.1 s on the 1M-lead demo). The leads come summed per created day
  -- and source from the lead rollup (analytics.r_leads), not lead by lead (67k leads of ten
  -- weeks at 1M; a week whose count nets to 0 has no row, as it had no lead).
  agg as (
    select 'leads' as metric, coalesce(r.key, '(none)') as src, (p_as_of - r.created_day) / 7 as w,
      sum(r.leads)::numeric as v, sum(r.leads)::int as cnt
    from analytics.r_leads r, cfg
    where r.dimension = 'source' and r.created_day <= p_as_of
      and r.created_day > p_as_of - 7 * (cfg.n + 2) and analytics.alive_at(r.deleted_at, cfg.t1)
    group by 2, 3
    having sum(r.leads) <> 0
    union all
    select o.metric, o.src, o.w, sum(o.v) as v, count(*)::int as cnt
    from obs o group by o.metric, o.src, o.w
  ),
  grid as (
    select m.metric, m.src, wk.w, wk.ws, coalesce(a.v, 0) as v, coalesce(a.cnt, 0) as cnt
    from (select distinct metric, src from agg) m
    cross join weeks wk
    left join agg a on a.metric = m.metric and a.src = m.src and a.w = wk.w
  ),
  ch as (
    select g.*, lead(g.v) over (partition by g.metric, g.src order by g.w) as prev,
      lead(g.cnt) over (partition by g.metric, g.src order by g.w) as prev_cnt,
      g.v - lead(g.v) over (partition by g.metric, g.src order by g.w) as change
    from grid g
  ),
  base as (
    select c.metric, c.src,
      analytics.median(array_agg(c.change)) as med,
      avg(c.v) as level
    from ch c where c.w between 1 and (select n from cfg)
    group by c.metric, c.src
  ),
  mad as (
    select c.metric, c.src, b.med,
      analytics.median(array_agg(abs(c.change - b.med))) as mad,
      -- The scale has a floor: a tenth of the source's usual weekly level, and one unit. A
      -- source whose earlier weeks never moved (MAD 0) made a z of ~1,500 from one deal.
      greatest(1.4826 * analytics.median(array_agg(abs(c.change - b.med))),
        0.1 * b.level, u.u) as scale
    from ch c join base b on b.metric = c.metric and b.src = c.src
    join unit u on u.metric = c.metric
    where c.w between 1 and (select n from cfg)
    group by c.metric, c.src, b.med, b.level, u.u
  )
  select c.metric, c.src, c.ws, c.v, c.prev, c.change, analytics.pct(c.change, c.prev),
    m.med, m.mad,
    -- Capped at ±10: past that the size of z says nothing more than "far outside the range".
    greatest(-10, least(10, round((c.change - m.med) / m.scale, 2))),
    abs(c.change - m.med) / m.scale > cfg.k
      and greatest(c.cnt, c.prev_cnt) >= case c.metric when 'leads' then cfg.min_count
        else cfg.min_deals end,
    c.cnt, c.prev_cnt, round(m.scale, 2),
    greatest(0, round(c.prev + m.med - cfg.k * m.scale, 2)),
    round(c.prev + m.med + cfg.k * m.scale, 2),
    c.src || ' · ' || case c.metric when 'leads' then 'leads created' else 'won revenue' end
  from ch c
  join mad m on m.metric = c.metric and m.src = c.src
  cross join cfg
  where c.w = 0
  order by 1, 2;
end
$$;
comment on function analytics.source_anomalies(date) is
  'Week-over-week anomalies by source (rolling 7-day weeks ending p_as_of) for leads created and '
  'Closed Won revenue: change = this week − last week; robust z = (change − median) ÷ scale, '
  'scale = max(1.4826 × MAD, 10% of the mean weekly value, one unit: a lead or the median won '
  'deal) over the previous settings.anomaly_weeks changes, capped at ±10; anomaly when |z| > '
  'anomaly_threshold and either week has anomaly_min_count leads (anomaly_min_deals won deals); '
  'expected range = previous week + median change ± threshold × scale';
