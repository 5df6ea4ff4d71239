-- One analytics.median (issue 24): the exact median (mean of the lower and upper middle values)
-- said once in analytics/rules.sql, and the KPI functions that wrote it out now call it. Same
-- figures; source_anomalies' unit (the median won deal) is now exact too (was percentile_cont).

create or replace function analytics.median(p_values numeric[]) returns numeric
language sql immutable parallel safe
as $$
  select (percentile_disc(0.5) within group (order by v)
    + percentile_disc(0.5) within group (order by v desc)) / 2
  from unnest(p_values) v
$$;
comment on function analytics.median(numeric[]) is
  'Median of the values, exact: mean of the lower and upper middle values; nulls ignored, null '
  'when there are none';

create or replace function analytics.deal_size(p_as_of date, p_period text default 't12m')
returns table (dimension text, key text, label text, won_deals bigint, avg_amount numeric,
  median_amount numeric, avg_cycle_days numeric, median_cycle_days numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  d as (
    select f.*, f.closing_date - f.created_day as cycle from analytics.f_deals f, p
    where f.is_won and f.closing_date >= p.start_day and f.closing_date < p.end_day
      and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select
    analytics.dimension(grouping(lead_source), grouping(owner_id)),
    analytics.dimension_key(grouping(lead_source), lead_source, grouping(owner_id), owner_id),
    analytics.owner_label(grouping(owner_id), max(owner_name)),
    count(*),
    round(avg(amount), 2),
    round(analytics.median(array_agg(amount)), 2),
    round(avg(cycle), 2),
    round(analytics.median(array_agg(cycle)), 2)
  from d
  group by grouping sets ((), (lead_source), (owner_id))
  order by 1, 2 nulls first
$$;
comment on function analytics.deal_size(date, text) is
  'Deal size = average and median Amount of Closed Won deals closed in the period (null amounts '
  'skipped, zero amounts counted); sales cycle = Closing_Date − created day (company time zone), '
  'average and median, won deals only';

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
      analytics.median(array_agg(days)) as median_days,
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
      case when t.first_at is not null
        then round(greatest(extract(epoch from t.first_at - f.created_at), 0) / 3600, 2) end
        as hours
    from analytics.f_leads f
    cross join p
    left join analytics.f_touches t on t.parent_module = 'Leads' and t.parent_id = f.id
      and t.first_at < (select analytics.day_end(p_as_of))
    where f.created_day >= p.start_day and f.created_day < p.end_day
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select
    analytics.dimension(grouping(lead_source), grouping(owner_id)),
    analytics.dimension_key(grouping(lead_source), lead_source, grouping(owner_id), owner_id),
    analytics.owner_label(grouping(owner_id), max(owner_name)),
    count(*), count(hours), count(*) - count(hours),
    round(analytics.median(array_agg(hours)), 2),
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

create or replace function analytics.stage_conversion(p_as_of date, p_period text default 't12m')
returns table (stage text, stage_position integer, entered bigint, advanced bigint,
  conversion_pct numeric, completed_stays bigint, avg_days_in_stage numeric,
  median_days_in_stage numeric)
language sql stable
as $$
  with rank as (
    select s.stage, s.position,
      case when s.is_open or s.stage = 'Closed Won' then s.position end as progress
    from analytics.stage_settings s
  ),
  t as (
    select (select analytics.day_end(p_as_of)) as t1,
      (select p.start_day from analytics.periods(p_as_of) p where p.period = p_period)::timestamp
        at time zone (select analytics.time_zone()) as t0
  ),
  x as (
    -- Deals without entries after as_of: the stored history is the history up to as_of.
    select s.stage, s.progress, s.later_progress, s.entered_at, s.left_at
    from analytics.f_stage_entries s, t
    where s.entered_at >= t.t0 and s.last_entry_at < t.t1
    union all
    -- Deals with entries after as_of: the window over their entries up to as_of.
    select y.stage, y.progress, y.later_progress, y.entered_at, y.left_at
    from (
      select s.stage, s.progress, s.entered_at,
        max(s.progress) over (w rows between 1 following and unbounded following)
          as later_progress,
        lead(s.entered_at) over w as left_at
      from analytics.f_stage_entries s, t
      where s.last_entry_at >= t.t1 and s.entered_at < t.t1
      window w as (partition by s.deal_id order by s.seq)
    ) y, t
    where y.entered_at >= t.t0
  ),
  e as (
    select x.stage, x.progress, x.later_progress,
      round(analytics.days(x.left_at - x.entered_at), 2) as days,
      x.left_at is not null as done
    from x
  )
  select r.stage, r.position, count(e.stage),
    count(*) filter (where e.later_progress > e.progress),
    analytics.pct(count(*) filter (where e.later_progress > e.progress), count(e.stage)),
    count(*) filter (where e.done),
    round(avg(e.days) filter (where e.done), 2),
    round(analytics.median(array_agg(e.days) filter (where e.done)), 2)
  from rank r
  left join e on e.stage = r.stage
  where r.progress is not null and r.stage <> 'Closed Won'
  group by r.stage, r.position
  order by r.position
$$;
comment on function analytics.stage_conversion(date, text) is
  'Stage-to-stage conversion = entries into a stage in the period that later reached a further '
  'stage (higher position, or Closed Won) ÷ entries (skip-tolerant variant of entries(n+1) ÷ '
  'entries(n)); days in stage = entry to the next stage change or deletion, completed stays '
  'only; from Zoho''s Stage_History (stays before our first sync) merged with the versions we '
  'own (analytics.f_stage_entries)';

create or replace function analytics.source_anomalies(p_as_of date)
returns table (metric text, lead_source text, week_start date, value numeric,
  prev_value numeric, change numeric, change_pct numeric, baseline_median numeric,
  baseline_mad numeric, robust_z numeric, is_anomaly boolean, records integer,
  prev_records integer, scale numeric, expected_low numeric, expected_high numeric, label text)
language sql stable
as $$
  with cfg as (
    select s.anomaly_weeks as n, s.anomaly_threshold as k, s.anomaly_min_count as min_count,
      s.anomaly_min_deals as min_deals, (select analytics.day_end(p_as_of)) as t1
    from analytics.settings s
  ),
  weeks as (select w, p_as_of - 7 * w - 6 as ws from cfg, generate_series(0, cfg.n + 1) w),
  obs as (
    select 'leads' as metric, coalesce(f.lead_source, '(none)') as src,
      (p_as_of - f.created_day) / 7 as w, 1::numeric as v
    from analytics.f_leads f, cfg
    where f.created_day <= p_as_of and f.created_day > p_as_of - 7 * (cfg.n + 2)
      and analytics.alive_at(f.deleted_at, cfg.t1)
    union all
    select 'won_revenue', coalesce(f.lead_source, '(none)'), (p_as_of - f.closing_date) / 7,
      coalesce(f.amount, 0)
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
  grid as (
    select m.metric, m.src, wk.w, wk.ws, coalesce(sum(o.v), 0) as v, count(o.v)::int as cnt
    from (select distinct metric, src from obs) m
    cross join weeks wk
    left join obs o on o.metric = m.metric and o.src = m.src and o.w = wk.w
    group by m.metric, m.src, wk.w, wk.ws
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
  order by 1, 2
$$;
comment on function analytics.source_anomalies(date) is
  'Week-over-week anomalies by source (rolling 7-day weeks ending p_as_of) for leads created and '
  'Closed Won revenue: change = this week − last week; robust z = (change − median) ÷ scale, '
  'scale = max(1.4826 × MAD, 10% of the mean weekly value, one unit: a lead or the median won '
  'deal) over the previous settings.anomaly_weeks changes, capped at ±10; anomaly when |z| > '
  'anomaly_threshold and either week has anomaly_min_count leads (anomaly_min_deals won deals); '
  'expected range = previous week + median change ± threshold × scale';
