-- KPI functions evaluate the company time zone once per query instead of once per fact row (same formulas, same results).
-- analytics.day_end() and analytics.time_zone() are stable SQL functions whose body reads
-- analytics.settings, so Postgres cannot inline them and, in a filter over a fact table, calls
-- them for every row: on the 1M-lead demo that was 3.6 s of a 0.16 s scan of
-- analytics.f_deal_versions (1.1M settings lookups). Each call below is wrapped in a scalar
-- sub-select, which Postgres runs once as an InitPlan. The bodies are otherwise exactly those of
-- 20261126120200, 20261126120300 and 20261126120500; their `comment on` texts (formula and
-- variant) still apply unchanged.

create or replace function analytics.leads_created(p_as_of date, p_period text default 'mtd')
returns table (dimension text, key text, label text, leads bigint, prev_leads bigint,
  growth_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  l as (
    select f.lead_source, f.owner_id, f.owner_name, f.lead_status,
      f.created_day >= p.start_day as cur
    from analytics.f_leads f, p
    where f.created_day >= p.prev_start and f.created_day < p.end_day
      and (f.created_day >= p.start_day or f.created_day < p.prev_end)
      and (f.deleted_at is null or f.deleted_at >= (select analytics.day_end(p_as_of)))
  )
  select
    case when grouping(lead_source) = 0 then 'source' when grouping(owner_id) = 0 then 'owner'
      when grouping(lead_status) = 0 then 'status' else 'all' end,
    case when grouping(lead_source) = 0 then coalesce(lead_source, '(none)')
      when grouping(owner_id) = 0 then coalesce(owner_id, '(none)')
      when grouping(lead_status) = 0 then coalesce(lead_status, '(none)') end,
    case when grouping(owner_id) = 0 then max(owner_name) end,
    count(*) filter (where cur), count(*) filter (where not cur),
    analytics.pct(count(*) filter (where cur) - count(*) filter (where not cur),
      count(*) filter (where not cur))
  from l
  group by grouping sets ((), (lead_source), (owner_id), (lead_status))
  order by 1, 2 nulls first
$$;

create or replace function analytics.win_rate(p_as_of date, p_period text default 't12m')
returns table (dimension text, key text, label text, won bigint, lost bigint,
  won_amount numeric, lost_amount numeric, win_rate_count_pct numeric,
  win_rate_value_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  d as (
    select f.* from analytics.f_deals f, p
    where f.is_closed and (f.is_won or f.is_lost)
      and f.closing_date >= p.start_day and f.closing_date < p.end_day
      and f.created_day < p.end_day
      and (f.deleted_at is null or f.deleted_at >= (select analytics.day_end(p_as_of)))
  )
  select
    case when grouping(lead_source) = 0 then 'source' when grouping(owner_id) = 0 then 'owner'
      else 'all' end,
    case when grouping(lead_source) = 0 then coalesce(lead_source, '(none)')
      when grouping(owner_id) = 0 then coalesce(owner_id, '(none)') end,
    case when grouping(owner_id) = 0 then max(owner_name) end,
    count(*) filter (where is_won), count(*) filter (where is_lost),
    coalesce(sum(amount) filter (where is_won), 0), coalesce(sum(amount) filter (where is_lost), 0),
    analytics.pct(count(*) filter (where is_won), count(*)),
    analytics.pct(coalesce(sum(amount) filter (where is_won), 0), coalesce(sum(amount), 0))
  from d
  group by grouping sets ((), (lead_source), (owner_id))
  order by 1, 2 nulls first
$$;

create or replace function analytics.revenue(p_as_of date)
returns table (period text, start_day date, end_day date, revenue numeric, won_deals bigint,
  prev_revenue numeric, growth_pct numeric, target numeric, attainment_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period in ('day', 'wtd', 'mtd',
    'qtd', 'ytd')),
  won as (
    select f.closing_date, coalesce(f.amount, 0) as amount from analytics.f_deals f
    where f.is_won and f.created_day <= p_as_of
      and (f.deleted_at is null or f.deleted_at >= (select analytics.day_end(p_as_of)))
  )
  select p.period, p.start_day, p.end_day, r.revenue, r.won_deals, r.prev_revenue,
    analytics.pct(r.revenue - r.prev_revenue, r.prev_revenue), t.target,
    analytics.pct(r.revenue, t.target)
  from p
  cross join lateral (
    select coalesce(sum(w.amount) filter (where w.closing_date >= p.start_day), 0) as revenue,
      count(*) filter (where w.closing_date >= p.start_day) as won_deals,
      coalesce(sum(w.amount) filter (where w.closing_date < p.prev_end), 0) as prev_revenue
    from won w
    where w.closing_date >= p.prev_start and w.closing_date < p.end_day
      and (w.closing_date >= p.start_day or w.closing_date < p.prev_end)
  ) r
  left join lateral (
    select sum(rt.amount) as target from analytics.revenue_targets rt
    where rt.owner_id is null and p.period in ('qtd', 'ytd')
      and rt.quarter_start >= p.start_day and rt.quarter_start <= p_as_of
  ) t on true
  order by p.end_day - p.start_day, p.period
$$;

create or replace function analytics.revenue_by_owner(p_as_of date)
returns table (owner_id text, label text, revenue numeric, won_deals bigint, target numeric,
  attainment_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = 'qtd'),
  r as (
    select f.owner_id, max(f.owner_name) as label, coalesce(sum(f.amount), 0) as revenue,
      count(*) as won_deals
    from analytics.f_deals f, p
    where f.is_won and f.closing_date >= p.start_day and f.closing_date < p.end_day
      and f.created_day <= p_as_of
      and (f.deleted_at is null or f.deleted_at >= (select analytics.day_end(p_as_of)))
    group by f.owner_id
  ),
  t as (
    select rt.owner_id, rt.amount from analytics.revenue_targets rt, p
    where rt.owner_id is not null and rt.quarter_start = p.start_day
  )
  select coalesce(r.owner_id, t.owner_id), r.label, coalesce(r.revenue, 0),
    coalesce(r.won_deals, 0), t.amount, analytics.pct(coalesce(r.revenue, 0), t.amount)
  from r full join t on t.owner_id = r.owner_id
  order by 1
$$;

create or replace function analytics.revenue_by_month(p_as_of date, p_months integer default 12)
returns table (month date, dimension text, key text, revenue numeric, won_deals bigint)
language sql stable
as $$
  select date_trunc('month', f.closing_date::timestamp)::date,
    case when grouping(f.lead_source) = 0 then 'source' else 'all' end,
    case when grouping(f.lead_source) = 0 then coalesce(f.lead_source, '(none)') end,
    coalesce(sum(f.amount), 0), count(*)
  from analytics.f_deals f
  where f.is_won and f.closing_date <= p_as_of and f.created_day <= p_as_of
    and f.closing_date >= (date_trunc('month', p_as_of::timestamp)
      - make_interval(months => p_months - 1))::date
    and (f.deleted_at is null or f.deleted_at >= (select analytics.day_end(p_as_of)))
  group by grouping sets ((1), (1, f.lead_source))
  order by 1, 2, 3 nulls first
$$;

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
      and (f.deleted_at is null or f.deleted_at >= (select analytics.day_end(p_as_of)))
  )
  select
    case when grouping(lead_source) = 0 then 'source' when grouping(owner_id) = 0 then 'owner'
      else 'all' end,
    case when grouping(lead_source) = 0 then coalesce(lead_source, '(none)')
      when grouping(owner_id) = 0 then coalesce(owner_id, '(none)') end,
    case when grouping(owner_id) = 0 then max(owner_name) end,
    count(*),
    round(avg(amount), 2),
    round((percentile_disc(0.5) within group (order by amount)
      + percentile_disc(0.5) within group (order by amount desc)) / 2, 2),
    round(avg(cycle), 2),
    round((percentile_disc(0.5) within group (order by cycle)
      + percentile_disc(0.5) within group (order by cycle desc)) / 2.0, 2)
  from d
  group by grouping sets ((), (lead_source), (owner_id))
  order by 1, 2 nulls first
$$;

create or replace function analytics.sales_velocity(p_as_of date)
returns table (dimension text, key text, open_deals bigint, won bigint, closed bigint,
  win_rate_pct numeric, avg_deal_size numeric, avg_cycle_days numeric, velocity_per_day numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = 't12m'),
  alive as (
    select f.* from analytics.f_deals f
    where f.created_day <= p_as_of
      and (f.deleted_at is null or f.deleted_at >= (select analytics.day_end(p_as_of)))
  ),
  g as (
    select
      case when grouping(a.lead_source) = 0 then 'source' else 'all' end as dimension,
      case when grouping(a.lead_source) = 0 then coalesce(a.lead_source, '(none)') end as key,
      count(*) filter (where not a.is_closed) as open_deals,
      count(*) filter (where a.is_won and a.closing_date >= p.start_day
        and a.closing_date < p.end_day) as won,
      count(*) filter (where (a.is_won or a.is_lost) and a.closing_date >= p.start_day
        and a.closing_date < p.end_day) as closed,
      avg(a.amount) filter (where a.is_won and a.closing_date >= p.start_day
        and a.closing_date < p.end_day) as size,
      avg(a.closing_date - a.created_day) filter (where a.is_won
        and a.closing_date >= p.start_day and a.closing_date < p.end_day) as cycle
    from alive a, p
    group by grouping sets ((), (a.lead_source))
  )
  select dimension, key, open_deals, won, closed, analytics.pct(won, closed), round(size, 2),
    round(cycle, 2),
    round(open_deals * (won::numeric / nullif(closed, 0)) * size / nullif(cycle, 0), 2)
  from g
  order by 1, 2 nulls first
$$;

create or replace function analytics.pipeline(p_as_of date)
returns table (dimension text, key text, label text, stage_position integer, open_deals bigint,
  amount numeric, weighted_amount numeric)
language sql stable
as $$
  with o as (
    select f.*, s.position,
      to_char(date_trunc('month', f.closing_date::timestamp), 'YYYY-MM') as closing_month
    from analytics.f_deals f
    left join analytics.stage_settings s on s.stage = f.stage
    where not f.is_closed and f.created_day <= p_as_of
      and (f.deleted_at is null or f.deleted_at >= (select analytics.day_end(p_as_of)))
  )
  select
    case when grouping(stage) = 0 then 'stage' when grouping(closing_month) = 0
      then 'closing_month' when grouping(owner_id) = 0 then 'owner'
      when grouping(lead_source) = 0 then 'source' else 'all' end,
    case when grouping(stage) = 0 then coalesce(stage, '(none)')
      when grouping(closing_month) = 0 then coalesce(closing_month, '(none)')
      when grouping(owner_id) = 0 then coalesce(owner_id, '(none)')
      when grouping(lead_source) = 0 then coalesce(lead_source, '(none)') end,
    case when grouping(owner_id) = 0 then max(owner_name) end,
    case when grouping(stage) = 0 then min(position) end,
    count(*), coalesce(sum(amount), 0),
    coalesce(sum(amount * probability / 100), 0)
  from o
  group by grouping sets ((), (stage), (closing_month), (owner_id), (lead_source))
  order by 1, 4 nulls first, 2 nulls first
$$;

create or replace function analytics.pipeline_coverage(p_as_of date)
returns table (quarter_start date, quarter_end date, target numeric, won_qtd numeric,
  remaining_target numeric, open_pipeline numeric, weighted_pipeline numeric,
  coverage numeric, win_rate_pct numeric, required_coverage numeric, forecast numeric,
  forecast_gap numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = 'qtd'),
  alive as (
    select f.* from analytics.f_deals f, p
    where f.created_day <= p_as_of
      and f.closing_date >= p.start_day and f.closing_date < p.full_end
      and (f.deleted_at is null or f.deleted_at >= (select analytics.day_end(p_as_of)))
  ),
  x as (
    select
      (select sum(rt.amount) from analytics.revenue_targets rt, p
        where rt.owner_id is null and rt.quarter_start = p.start_day) as target,
      coalesce(sum(a.amount) filter (where a.is_won and a.closing_date <= p_as_of), 0) as won,
      coalesce(sum(a.amount) filter (where not a.is_closed), 0) as open,
      coalesce(sum(a.amount * a.probability / 100) filter (where not a.is_closed), 0) as weighted,
      (select w.win_rate_count_pct from analytics.win_rate(p_as_of, 't12m') w
        where w.dimension = 'all') as rate
    from alive a
  )
  select p.start_day, p.full_end, x.target, x.won, greatest(x.target - x.won, 0), x.open,
    round(x.weighted, 2), round(x.open / nullif(greatest(x.target - x.won, 0), 0), 2), x.rate,
    round(100 / nullif(x.rate, 0), 2), round(x.won + x.weighted, 2),
    round(x.target - (x.won + x.weighted), 2)
  from x, p
$$;

create or replace function analytics.cohort_conversion(p_as_of date, p_months integer default 12)
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
      and (d.deleted_at is null or d.deleted_at >= (select analytics.day_end(p_as_of)))
    where f.created_day <= p_as_of
      and f.created_day >= (date_trunc('month', p_as_of::timestamp)
        - make_interval(months => p_months - 1))::date
      and (f.deleted_at is null or f.deleted_at >= (select analytics.day_end(p_as_of)))
  )
  select cohort,
    case when grouping(lead_source) = 0 then 'source' else 'all' end,
    case when grouping(lead_source) = 0 then coalesce(lead_source, '(none)') end,
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

create or replace function analytics.conversion_velocity(p_as_of date, p_months integer default 12)
returns table (month date, dimension text, key text, conversions bigint, median_days numeric,
  avg_days numeric, prev_median_days numeric, trend_days numeric)
language sql stable
as $$
  with c as (
    select date_trunc('month', f.converted_day::timestamp)::date as month, f.lead_source,
      round(extract(epoch from f.converted_at - f.created_at) / 86400, 2) as days
    from analytics.f_leads f
    where f.converted and f.converted_day <= p_as_of and f.created_at is not null
      and f.converted_day >= (date_trunc('month', p_as_of::timestamp)
        - make_interval(months => p_months))::date
      and (f.deleted_at is null or f.deleted_at >= (select analytics.day_end(p_as_of)))
  ),
  g as (
    select month, case when grouping(lead_source) = 0 then 'source' else 'all' end as dimension,
      case when grouping(lead_source) = 0 then coalesce(lead_source, '(none)') end as key,
      count(*) as conversions,
      (percentile_disc(0.5) within group (order by days)
        + percentile_disc(0.5) within group (order by days desc)) / 2 as median_days,
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

create or replace function analytics.stage_entries(p_as_of date)
returns table (deal_id text, version integer, stage text, entered_at timestamptz,
  left_at timestamptz, next_stage text)
language sql stable
as $$
  select e.deal_id, e.version, e.stage, e.valid_from, lead(e.valid_from) over w,
    lead(e.stage) over w
  from (
    select v.deal_id, v.version, v.valid_from,
      case when v.change <> 'delete' then v.stage end as stage
    from analytics.f_deal_versions v
    where v.valid_from < (select analytics.day_end(p_as_of))
      and (v.change = 'delete' or v.stage is distinct from v.previous_stage)
  ) e
  window w as (partition by e.deal_id order by e.version)
$$;

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
  x as (
    select x.deal_id, x.stage, x.entered_at, r.progress,
      max(r.progress) over (partition by x.deal_id order by x.version
        rows between 1 following and unbounded following) as later_progress,
      round(extract(epoch from x.left_at - x.entered_at) / 86400, 2) as days,
      x.left_at is not null as done
    from analytics.stage_entries(p_as_of) x
    left join rank r on r.stage = x.stage
  ),
  e as (
    select x.* from x
    where x.entered_at >= (select p.start_day from analytics.periods(p_as_of) p
      where p.period = p_period)::timestamp at time zone (select analytics.time_zone())
  )
  select r.stage, r.position, count(e.deal_id),
    count(*) filter (where e.later_progress > e.progress),
    analytics.pct(count(*) filter (where e.later_progress > e.progress), count(e.deal_id)),
    count(*) filter (where e.done),
    round(avg(e.days) filter (where e.done), 2),
    round((percentile_disc(0.5) within group (order by e.days) filter (where e.done)
      + percentile_disc(0.5) within group (order by e.days desc) filter (where e.done)) / 2, 2)
  from rank r
  left join e on e.stage = r.stage
  where r.progress is not null and r.stage <> 'Closed Won'
  group by r.stage, r.position
  order by r.position
$$;

create or replace function analytics.open_deal_health(p_as_of date)
returns table (deal_id text, owner_id text, stage text, amount numeric, closing_date date,
  stage_entered_at timestamptz, days_in_stage numeric, stage_median_days numeric,
  past_median boolean, last_change_at timestamptz, days_since_change numeric,
  stale_after_days integer, is_stale boolean, is_slipped boolean, close_date_pushes bigint)
language sql stable
as $$
  with t as (select (select analytics.day_end(p_as_of)) as t1),
  med as (
    select c.stage, c.median_days_in_stage from analytics.stage_conversion(p_as_of, 't12m') c
  ),
  cur as (
    select distinct on (e.deal_id) e.deal_id, e.stage, e.entered_at
    from analytics.stage_entries(p_as_of) e
    order by e.deal_id, e.version desc
  ),
  pushes as (
    select v.deal_id, count(*) as n from analytics.f_deal_versions v, t
    where v.valid_from < t.t1 and v.change <> 'delete'
      and v.closing_date > v.previous_closing_date
    group by v.deal_id
  )
  select d.id, d.owner_id, d.stage, d.amount, d.closing_date,
    coalesce(c.entered_at, d.created_at),
    round(extract(epoch from t.t1 - coalesce(c.entered_at, d.created_at)) / 86400, 2),
    m.median_days_in_stage,
    extract(epoch from t.t1 - coalesce(c.entered_at, d.created_at)) / 86400
      > m.median_days_in_stage,
    greatest(d.modified_at, tc.last_at),
    round(extract(epoch from t.t1 - greatest(d.modified_at, tc.last_at, d.created_at)) / 86400, 2),
    s.stale_days,
    extract(epoch from t.t1 - greatest(d.modified_at, tc.last_at, d.created_at)) / 86400
      > s.stale_days,
    d.closing_date < p_as_of,
    coalesce(pu.n, 0)
  from analytics.f_deals d
  cross join t
  left join cur c on c.deal_id = d.id and c.stage = d.stage
  left join med m on m.stage = d.stage
  left join analytics.stage_settings s on s.stage = d.stage
  left join analytics.f_touches tc on tc.parent_module = 'Deals' and tc.parent_id = d.id
    and tc.last_at < t.t1
  left join pushes pu on pu.deal_id = d.id
  where not d.is_closed and d.created_day <= p_as_of
    and (d.deleted_at is null or d.deleted_at >= t.t1)
$$;

create or replace function analytics.pipeline_waterfall(p_as_of date, p_period text default 'qtd')
returns table (step text, ord integer, deals bigint, amount numeric)
language sql stable
as $$
  with p as (
    select p.start_day, p.full_end,
      p.start_day::timestamp at time zone (select analytics.time_zone()) as t0,
      (select analytics.day_end(p_as_of)) as t1
    from analytics.periods(p_as_of) p where p.period = p_period
  ),
  -- Deal states: the versions we own; a deal without any gets its current record as one version.
  v as (
    select fv.deal_id, fv.valid_from, fv.valid_to, fv.change = 'delete' as gone, fv.stage,
      coalesce(fv.amount, 0) as amount, fv.closing_date
    from analytics.f_deal_versions fv
    union all
    select d.id, coalesce(d.created_at, '-infinity'), d.deleted_at, false, d.stage,
      coalesce(d.amount, 0), d.closing_date
    from analytics.f_deals d
    where not exists (select 1 from analytics.f_deal_versions x where x.deal_id = d.id)
  ),
  s as (
    select v.*, not v.gone and v.stage not like 'Closed%' and v.closing_date >= p.start_day
        and v.closing_date < p.full_end as in_window,
      not v.gone and v.stage = 'Closed Won' as won,
      not v.gone and v.stage like 'Closed Lost%' as lost
    from v, p
  ),
  s0 as (select s.* from s, p where s.valid_from <= p.t0 and (s.valid_to is null or s.valid_to > p.t0)),
  s1 as (select s.* from s, p where s.valid_from < p.t1 and (s.valid_to is null or s.valid_to >= p.t1)),
  j as (
    select coalesce(a.deal_id, b.deal_id) as deal_id,
      coalesce(a.in_window, false) as in0, coalesce(b.in_window, false) as in1,
      a.deal_id is null or a.gone as absent0,
      a.won or a.lost as closed0,
      coalesce(a.amount, 0) as a0, coalesce(b.amount, 0) as a1,
      b.deal_id is null or b.gone as absent1, coalesce(b.won, false) as won1,
      coalesce(b.lost, false) as lost1,
      b.closing_date >= p.start_day and b.closing_date < p.full_end as closes_in_window
    from s0 a full join s1 b on b.deal_id = a.deal_id, p
  ),
  k as (
    select j.*,
      case when in0 then null when in1 or (closes_in_window and (won1 or lost1)
        and not coalesce(closed0, false)) then case when absent0 then 'new' else 'moved_in' end
      end as entry,
      case when in1 then null
        when in0 and absent1 then 'removed'
        when (in0 or closes_in_window) and won1 and not coalesce(closed0, false) then 'won'
        when (in0 or closes_in_window) and lost1 and not coalesce(closed0, false) then 'lost'
        when in0 then 'moved_out' end as exit
    from j
  ),
  steps as (
    select 'start' as step, 1 as ord, deal_id, a0 as amount from k where in0
    union all select entry, case entry when 'new' then 2 else 3 end, deal_id, a1 from k
      where entry is not null
    union all select 'changed', 4, deal_id, a1 - a0 from k
      where in0 and exit is distinct from 'removed' and a1 <> a0
    union all select exit, case exit when 'won' then 5 when 'lost' then 6 when 'moved_out'
      then 7 else 8 end, deal_id, case when exit = 'removed' then a0 else a1 end from k
      where exit is not null and (in0 or entry is not null)
    union all select 'end', 9, deal_id, a1 from k where in1
  )
  select n.step, n.ord, count(st.deal_id), coalesce(sum(st.amount), 0)
  from (values ('start', 1), ('new', 2), ('moved_in', 3), ('changed', 4), ('won', 5),
    ('lost', 6), ('moved_out', 7), ('removed', 8), ('end', 9)) n(step, ord)
  left join steps st on st.step = n.step
  group by n.step, n.ord
  order by n.ord
$$;

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
      and (f.deleted_at is null or f.deleted_at >= (select analytics.day_end(p_as_of)))
  )
  select
    case when grouping(lead_source) = 0 then 'source' when grouping(owner_id) = 0 then 'owner'
      else 'all' end,
    case when grouping(lead_source) = 0 then coalesce(lead_source, '(none)')
      when grouping(owner_id) = 0 then coalesce(owner_id, '(none)') end,
    case when grouping(owner_id) = 0 then max(owner_name) end,
    count(*), count(hours), count(*) - count(hours),
    round((percentile_disc(0.5) within group (order by hours)
      + percentile_disc(0.5) within group (order by hours desc)) / 2, 2),
    round(avg(hours), 2),
    analytics.pct(count(*) filter (where hours <= 1), count(hours))
  from l
  group by grouping sets ((), (lead_source), (owner_id))
  order by 1, 2 nulls first
$$;

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
      and (c.deleted_at is null or c.deleted_at >= t.t1)
    group by 1
  ),
  l as (
    select coalesce(f.lead_source, '(none)') as src, count(*) as leads
    from analytics.f_leads f, p, t
    where f.created_day >= p.start_day and f.created_day < p.end_day
      and (f.deleted_at is null or f.deleted_at >= t.t1)
    group by 1
  ),
  w as (
    select coalesce(f.lead_source, '(none)') as src, count(*) as won,
      coalesce(sum(f.amount), 0) as revenue
    from analytics.f_deals f, p, t
    where f.is_won and f.closing_date >= p.start_day and f.closing_date < p.end_day
      and f.created_day <= p_as_of and (f.deleted_at is null or f.deleted_at >= t.t1)
    group by 1
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
      and (f.deleted_at is null or f.deleted_at >= t.t1)
  ),
  l as (
    select count(*) as open_leads,
      count(*) filter (where tc.parent_id is null) as never,
      count(*) filter (where f.created_day > p_as_of - t.days) as recent,
      count(*) filter (where f.created_day > p_as_of - t.days and tc.parent_id is null)
        as recent_never
    from analytics.f_leads f
    cross join t
    left join analytics.f_touches tc on tc.parent_module = 'Leads' and tc.parent_id = f.id
      and tc.first_at < t.t1
    where f.created_day <= p_as_of and not (f.converted and f.converted_day <= p_as_of)
      and (f.deleted_at is null or f.deleted_at >= t.t1)
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

create or replace function analytics.source_anomalies(p_as_of date)
returns table (metric text, lead_source text, week_start date, value numeric,
  prev_value numeric, change numeric, change_pct numeric, baseline_median numeric,
  baseline_mad numeric, robust_z numeric, is_anomaly boolean)
language sql stable
as $$
  with cfg as (
    select s.anomaly_weeks as n, s.anomaly_threshold as k, s.anomaly_min_count as min_count,
      (select analytics.day_end(p_as_of)) as t1
    from analytics.settings s
  ),
  weeks as (select w, p_as_of - 7 * w - 6 as ws from cfg, generate_series(0, cfg.n + 1) w),
  obs as (
    select 'leads' as metric, coalesce(f.lead_source, '(none)') as src,
      (p_as_of - f.created_day) / 7 as w, 1::numeric as v
    from analytics.f_leads f, cfg
    where f.created_day <= p_as_of and f.created_day > p_as_of - 7 * (cfg.n + 2)
      and (f.deleted_at is null or f.deleted_at >= cfg.t1)
    union all
    select 'won_revenue', coalesce(f.lead_source, '(none)'), (p_as_of - f.closing_date) / 7,
      coalesce(f.amount, 0)
    from analytics.f_deals f, cfg
    where f.is_won and f.closing_date <= p_as_of and f.closing_date > p_as_of - 7 * (cfg.n + 2)
      and f.created_day <= p_as_of and (f.deleted_at is null or f.deleted_at >= cfg.t1)
  ),
  grid as (
    select m.metric, m.src, wk.w, wk.ws, coalesce(sum(o.v), 0) as v
    from (select distinct metric, src from obs) m
    cross join weeks wk
    left join obs o on o.metric = m.metric and o.src = m.src and o.w = wk.w
    group by m.metric, m.src, wk.w, wk.ws
  ),
  ch as (
    select g.*, lead(g.v) over (partition by g.metric, g.src order by g.w) as prev,
      g.v - lead(g.v) over (partition by g.metric, g.src order by g.w) as change
    from grid g
  ),
  base as (
    select c.metric, c.src,
      (percentile_disc(0.5) within group (order by c.change)
        + percentile_disc(0.5) within group (order by c.change desc)) / 2 as med
    from ch c where c.w between 1 and (select n from cfg)
    group by c.metric, c.src
  ),
  mad as (
    select c.metric, c.src, b.med,
      (percentile_disc(0.5) within group (order by abs(c.change - b.med))
        + percentile_disc(0.5) within group (order by abs(c.change - b.med) desc)) / 2 as mad
    from ch c join base b on b.metric = c.metric and b.src = c.src
    where c.w between 1 and (select n from cfg)
    group by c.metric, c.src, b.med
  )
  select c.metric, c.src, c.ws, c.v, c.prev, c.change, analytics.pct(c.change, c.prev),
    m.med, m.mad, round((c.change - m.med) / greatest(1.4826 * m.mad, 1), 2),
    abs(c.change - m.med) / greatest(1.4826 * m.mad, 1) > cfg.k
      and (c.v >= cfg.min_count or c.prev >= cfg.min_count)
  from ch c
  join mad m on m.metric = c.metric and m.src = c.src
  cross join cfg
  where c.w = 0
  order by 1, 2
$$;

