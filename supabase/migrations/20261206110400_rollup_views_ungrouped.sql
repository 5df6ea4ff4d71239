-- Issue 25: the rollup views are the folded rows and the log side by side, not grouped, so a
-- KPI's window bounds reach both tables' day indexes (the grouped views of 20261206110300 made
-- each WhatsApp answer aggregate every rollup row: 45 ms of Postgres at 1M leads against 5 ms).
-- The KPIs that read them sum per group and leave out groups whose sum is 0.

create or replace view analytics.r_leads as
  select * from analytics.r_leads_folded
  union all
  select * from analytics.r_leads_log;
comment on view analytics.r_leads is
  'f_leads counted per created_day, dimension (all/source/owner/status) and key, owner name and '
  'deleted_at: folded rollups + the log since the last fold (sum rows per key)';

create or replace view analytics.r_deals_closed as
  select * from analytics.r_deals_closed_folded
  union all
  select * from analytics.r_deals_closed_log;
comment on view analytics.r_deals_closed is
  'Closed Won / Closed Lost f_deals counted and summed (Amount) per closing_date, dimension '
  '(all/source/owner) and key, owner name, is_won, created_late and deleted_at: folded rollups + '
  'the log since the last fold (sum rows per key)';

create or replace function analytics.leads_created(p_as_of date, p_period text default 'mtd')
returns table (dimension text, key text, label text, leads bigint, prev_leads bigint,
  growth_pct numeric)
language sql stable
as $$
  -- analytics.r_leads: f_leads counted per day and dimension key (analytics/rollups.sql)
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  l as (
    select r.dimension, r.key, r.owner_name, r.leads, r.created_day >= p.start_day as cur
    from analytics.r_leads r, p
    where r.created_day >= p.prev_start and r.created_day < p.end_day
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
    select 'all', null, null, 0, 0 where not exists (select from g0 where g0.dimension = 'all')
  )
  select g.dimension, case when g.dimension <> 'all' then coalesce(g.key, '(none)') end, g.label,
    g.leads, g.prev_leads, analytics.pct(g.leads - g.prev_leads, g.prev_leads)
  from g
  order by 1, 2 nulls first
$$;

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

