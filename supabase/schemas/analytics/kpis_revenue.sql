-- KPIs over leads and deals: leads created and growth, win rate, revenue vs target, deal size
-- and cycle, sales velocity (pipeline and coverage: analytics/kpis_pipeline.sql). Conventions
-- and shared rules: analytics/rules.sql.

create or replace function analytics.leads_created(p_as_of date, p_period text default 'mtd',
  p_dimension text default null, p_key text default null)
returns table (dimension text, key text, label text, leads bigint, prev_leads bigint,
  growth_pct numeric)
language sql stable
as $$
  -- analytics.r_leads: f_leads counted per day and dimension key (analytics/rollups.sql). Every
  -- dimension's rows, or (p_dimension given: "leads from Facebook") only that dimension's (by
  -- r_leads_key_idx) and, p_key given, that key's: for a year at 1M leads 10.6 → 7.6 ms. (Two
  -- branches, so that the key too is an index condition, gave 5.0 ms for a copy of the filters.)
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  l as (
    select r.dimension, r.key, r.owner_name, r.leads, r.created_day >= p.start_day as cur
    from analytics.r_leads r, p
    where r.dimension = any (case when p_dimension is null
        then '{all,source,owner,status}'::text[] else array[p_dimension] end)
      and (p_key is null or r.key = p_key)
      and r.created_day >= p.prev_start and r.created_day < p.end_day
      and (r.created_day >= p.start_day or r.created_day < p.prev_end)
      and analytics.alive_at(r.deleted_at, (select analytics.day_end(p_as_of)))
  ),
  -- (rollup rows are summed per key: a key whose leads all went sums to 0 and is left out)
  g0 as (
    select l.dimension, l.key, max(l.owner_name) as label,
      coalesce(sum(l.leads) filter (where l.cur), 0)::bigint as leads,
      coalesce(sum(l.leads) filter (where not l.cur), 0)::bigint as prev_leads
    from l group by l.dimension, l.key
    having sum(l.leads) <> 0
  ),
  g as (
    select * from g0
    union all -- the all row even when no lead counts (as a grouping-sets total)
    select 'all', null, null, 0, 0
    where p_dimension is null and not exists (select from g0 where g0.dimension = 'all')
  )
  select g.dimension, case when g.dimension <> 'all' then coalesce(g.key, '(none)') end, g.label,
    g.leads, g.prev_leads, analytics.pct(g.leads - g.prev_leads, g.prev_leads)
  from g
  order by 1, 2 nulls first
$$;
comment on function analytics.leads_created(date, text, text, text) is
  'Leads created = count of leads created in the period (to date), by all/source/owner/status '
  '(or only p_dimension''s key p_key); growth_pct = (this − previous equal period) ÷ previous '
  '× 100 (standard MoM/WoW growth)';

create or replace function analytics.win_rate(p_as_of date, p_period text default 't12m')
returns table (dimension text, key text, label text, won bigint, lost bigint,
  won_amount numeric, lost_amount numeric, win_rate_count_pct numeric,
  win_rate_value_pct numeric)
language sql stable
as $$
  -- analytics.r_deals_closed: won/lost deals per closing day and dimension key; created_day <
  -- end_day is created_late < end_day (null: created by the closing date)
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  d as (
    select r.dimension, r.key, r.owner_name, r.is_won, r.deals, r.amount
    from analytics.r_deals_closed r, p
    where r.closing_date >= p.start_day and r.closing_date < p.end_day
      and (r.created_late is null or r.created_late < p.end_day)
      and analytics.alive_at(r.deleted_at, (select analytics.day_end(p_as_of)))
  ),
  g0 as (
    select d.dimension, d.key, max(d.owner_name) as label,
      coalesce(sum(d.deals) filter (where d.is_won), 0)::bigint as won,
      coalesce(sum(d.deals) filter (where not d.is_won), 0)::bigint as lost,
      coalesce(sum(d.amount) filter (where d.is_won), 0) as won_amount,
      coalesce(sum(d.amount) filter (where not d.is_won), 0) as lost_amount
    from d group by d.dimension, d.key
    having sum(d.deals) <> 0
  ),
  g as (
    select * from g0
    union all
    select 'all', null, null, 0, 0, 0, 0
    where not exists (select from g0 where g0.dimension = 'all')
  )
  select g.dimension, case when g.dimension <> 'all' then coalesce(g.key, '(none)') end, g.label,
    g.won, g.lost, g.won_amount, g.lost_amount, analytics.pct(g.won, g.won + g.lost),
    analytics.pct(g.won_amount, g.won_amount + g.lost_amount)
  from g
  order by 1, 2 nulls first
$$;
comment on function analytics.win_rate(date, text) is
  'Win rate = Closed Won ÷ (Closed Won + Closed Lost) × 100 over deals closed (Closing_Date) in '
  'the period; by count and by value (won amount ÷ closed amount, null amounts as 0); open '
  'deals excluded; variant: all Closed Lost* stages count as lost (no separate no-decision)';

create or replace function analytics.revenue(p_as_of date)
returns table (period text, start_day date, end_day date, revenue numeric, won_deals bigint,
  prev_revenue numeric, growth_pct numeric, target numeric, attainment_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period in ('day', 'wtd', 'mtd',
    'qtd', 'ytd')),
  won as (
    select r.closing_date, r.deals, coalesce(r.amount, 0) as amount
    from analytics.r_deals_closed r
    where r.dimension = 'all' and r.is_won and r.closing_date <= p_as_of
      and (r.created_late is null or r.created_late <= p_as_of)
      and analytics.alive_at(r.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select p.period, p.start_day, p.end_day, r.revenue, r.won_deals, r.prev_revenue,
    analytics.pct(r.revenue - r.prev_revenue, r.prev_revenue), t.target,
    analytics.pct(r.revenue, t.target)
  from p
  cross join lateral (
    select coalesce(sum(w.amount) filter (where w.closing_date >= p.start_day), 0) as revenue,
      coalesce(sum(w.deals) filter (where w.closing_date >= p.start_day), 0)::bigint
        as won_deals,
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
comment on function analytics.revenue(date) is
  'Revenue = Σ Amount of Closed Won deals by Closing_Date, to date for day/wtd/mtd/qtd/ytd, vs '
  'the previous equal period and vs target (qtd: the quarter''s company target; ytd: targets of '
  'quarters started this year up to p_as_of; attainment = revenue ÷ target × 100)';

create or replace function analytics.revenue_by_owner(p_as_of date)
returns table (owner_id text, label text, revenue numeric, won_deals bigint, target numeric,
  attainment_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = 'qtd'),
  r as (
    select r.key as owner_id, max(r.owner_name) as label, coalesce(sum(r.amount), 0) as revenue,
      sum(r.deals)::bigint as won_deals
    from analytics.r_deals_closed r, p
    where r.dimension = 'owner' and r.is_won and r.closing_date >= p.start_day
      and r.closing_date < p.end_day
      and (r.created_late is null or r.created_late <= p_as_of)
      and analytics.alive_at(r.deleted_at, (select analytics.day_end(p_as_of)))
    group by r.key
    having sum(r.deals) <> 0
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
comment on function analytics.revenue_by_owner(date) is
  'Quarter-to-date Closed Won revenue per deal owner vs the owner''s quarter target';

create or replace function analytics.revenue_by_month(p_as_of date, p_months integer default 12)
returns table (month date, dimension text, key text, revenue numeric, won_deals bigint)
language sql stable
as $$
  select date_trunc('month', r.closing_date::timestamp)::date, r.dimension,
    case when r.dimension = 'source' then coalesce(r.key, '(none)') end,
    coalesce(sum(r.amount), 0), sum(r.deals)::bigint
  from analytics.r_deals_closed r
  where r.dimension in ('all', 'source') and r.is_won and r.closing_date <= p_as_of
    and (r.created_late is null or r.created_late <= p_as_of)
    and r.closing_date >= (date_trunc('month', p_as_of::timestamp)
      - make_interval(months => p_months - 1))::date
    and analytics.alive_at(r.deleted_at, (select analytics.day_end(p_as_of)))
  group by 1, r.dimension, r.key
  having sum(r.deals) <> 0
  order by 1, 2, 3 nulls first
$$;
comment on function analytics.revenue_by_month(date, integer) is
  'Closed Won revenue (Σ Amount) by closing month (Closing_Date), last p_months months, all and '
  'by source';

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
  -- Medians as analytics.median gives them, each set's values sorted once
  -- (analytics.middle_fractions).
  select g.dimension, g.key, g.label, g.n, round(g.avg_amount, 2),
    round(analytics.middle_mean(g.ma), 2), round(g.avg_cycle, 2),
    round(analytics.middle_mean(g.mc), 2)
  from (
    select
      analytics.dimension(grouping(lead_source), grouping(owner_id)) as dimension,
      analytics.dimension_key(grouping(lead_source), lead_source, grouping(owner_id), owner_id)
        as key,
      analytics.owner_label(grouping(owner_id), max(owner_name)) as label,
      count(*) as n, avg(amount) as avg_amount, avg(cycle) as avg_cycle,
      percentile_disc(analytics.middle_fractions()) within group (order by amount) as ma,
      percentile_disc(analytics.middle_fractions()) within group (order by cycle) as mc
    from d
    group by grouping sets ((), (lead_source), (owner_id))
  ) g
  order by 1, 2 nulls first
$$;
comment on function analytics.deal_size(date, text) is
  'Deal size = average and median Amount of Closed Won deals closed in the period (null amounts '
  'skipped, zero amounts counted); sales cycle = Closing_Date − created day (company time zone), '
  'average and median, won deals only';

create or replace function analytics.sales_velocity(p_as_of date)
returns table (dimension text, key text, open_deals bigint, won bigint, closed bigint,
  win_rate_pct numeric, avg_deal_size numeric, avg_cycle_days numeric, velocity_per_day numeric)
language sql stable
as $$
  -- A row per source of the deals alive at the end of as_of and created by it (null and '(none)'
  -- apart, as grouping by the source keeps them, even when none of its deals is open or closed
  -- in the window), and the open deals, the won and the closed of the window read apart: the
  -- open deals by their partial index, the won from the won deals' Closing_Date index, the
  -- closed from analytics.r_deals_closed. Grouping every deal to find those rows cost 61 ms at 1M
  -- leads, this 18 (pgTAP analytics_rollups.sql compares it with that definition).
  with recursive p as (select * from analytics.periods(p_as_of) where period = 't12m'),
  t as (select (select analytics.day_end(p_as_of)) as t1),
  -- the sources in order, each found by one probe of f_deals_source_idx past the one before
  src as (
    (select f.lead_source from analytics.f_deals f, t
     where f.lead_source is not null and f.created_day <= p_as_of
       and analytics.alive_at(f.deleted_at, t.t1)
     order by f.lead_source limit 1)
    union all
    select (select f.lead_source from analytics.f_deals f, t
      where f.lead_source > s.lead_source and f.created_day <= p_as_of
        and analytics.alive_at(f.deleted_at, t.t1)
      order by f.lead_source limit 1)
    from src s where s.lead_source is not null
  ),
  srcs as (
    select s.lead_source from src s where s.lead_source is not null
    union all
    select null from t where exists (select from analytics.f_deals f
      where f.lead_source is null and f.created_day <= p_as_of
        and analytics.alive_at(f.deleted_at, t.t1))
  ),
  op as (
    select f.lead_source, count(*) as n from analytics.f_deals f, t
    where not f.is_closed and f.created_day <= p_as_of and analytics.alive_at(f.deleted_at, t.t1)
    group by f.lead_source
  ),
  -- avg(amount) skips null amounts: Σ amount ÷ their count; the cycle is never null here (the
  -- created day is on or before the closing date's window end)
  wn as (
    select f.lead_source, count(*) as n, sum(f.amount) as amount, count(f.amount) as amount_n,
      sum(f.closing_date - f.created_day) as cycle
    from analytics.f_deals f, p, t
    where f.is_won and f.closing_date >= p.start_day and f.closing_date < p.end_day
      and f.created_day <= p_as_of and analytics.alive_at(f.deleted_at, t.t1)
    group by f.lead_source
  ),
  -- created_day <= as_of is created_late < end_day (null: created by the closing date)
  cl as (
    select r.key as lead_source, sum(r.deals) as n
    from analytics.r_deals_closed r, p, t
    where r.dimension = 'source' and r.closing_date >= p.start_day and r.closing_date < p.end_day
      and (r.created_late is null or r.created_late < p.end_day)
      and analytics.alive_at(r.deleted_at, t.t1)
    group by r.key
  ),
  per as (
    select s.lead_source, coalesce(o.n, 0) as open_deals, coalesce(w.n, 0) as won,
      coalesce(c.n, 0) as closed, w.amount, w.amount_n, w.cycle
    from srcs s
    left join op o on o.lead_source is not distinct from s.lead_source
    left join wn w on w.lead_source is not distinct from s.lead_source
    left join cl c on c.lead_source is not distinct from s.lead_source
  ),
  g as (
    select analytics.dimension(grouping(x.lead_source)) as dimension,
      analytics.dimension_key(grouping(x.lead_source), x.lead_source) as key,
      coalesce(sum(x.open_deals), 0)::bigint as open_deals,
      coalesce(sum(x.won), 0)::bigint as won, coalesce(sum(x.closed), 0)::bigint as closed,
      sum(x.amount) / nullif(sum(x.amount_n), 0) as size,
      sum(x.cycle)::numeric / nullif(sum(x.won), 0) as cycle
    from per x
    group by grouping sets ((), (x.lead_source))
  )
  select dimension, key, open_deals, won, closed, analytics.pct(won, closed), round(size, 2),
    round(cycle, 2),
    round(open_deals * (won::numeric / nullif(closed, 0)) * size / nullif(cycle, 0), 2)
  from g
  order by 1, 2 nulls first
$$;
comment on function analytics.sales_velocity(date) is
  'Sales velocity (revenue per day) = open opportunities × win rate × average deal size ÷ '
  'average sales cycle days; win rate (by count), size and cycle from won/lost deals closed in '
  'the trailing 12 months, open opportunities = open deals at p_as_of; all and per source '
  '(HubSpot formula, winsabove variant: trailing-12-month rate and cycle)';
