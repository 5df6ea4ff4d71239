-- Issue 25: rollups of f_leads / f_deals kept by triggers on the facts (analytics/rollups.sql),
-- and the KPIs leads_created, win_rate, revenue, revenue_by_owner, revenue_by_month and
-- source_roi reading them instead of every fact of their window.

create unlogged table analytics.r_leads (
  created_day date,
  -- all (key null), source (Lead_Source), owner (owner id, with its name), status (Lead_Status)
  dimension text not null,
  key text,
  owner_name text,
  deleted_at timestamptz,
  leads bigint not null
);
comment on table analytics.r_leads is
  'Count of analytics.f_leads per created_day, dimension (all/source/owner/status) and key, '
  'owner name and deleted_at; kept by triggers on f_leads';
create unique index r_leads_key_idx on analytics.r_leads
  (created_day, dimension, key, owner_name, deleted_at) nulls not distinct;
-- Keys whose count fell to 0 (removed by the same statement).
create index r_leads_empty_idx on analytics.r_leads (leads) where leads = 0;

-- Closed Won / Closed Lost deals with a Closing_Date. created_late: the created day when it is
-- after the closing date ('infinity' when unknown), else null: a KPI over closing dates up to
-- as_of needs the created day only for those (created_day <= closing_date <= as_of otherwise).
create unlogged table analytics.r_deals_closed (
  closing_date date not null,
  -- all (key null), source (Lead_Source), owner (owner id, with its name)
  dimension text not null,
  key text,
  owner_name text,
  is_won boolean not null,
  created_late date,
  deleted_at timestamptz,
  deals bigint not null,
  -- Σ Amount (null amounts skipped; null while no amount was added to the key)
  amount numeric
);
comment on table analytics.r_deals_closed is
  'Count and Σ Amount of Closed Won / Closed Lost analytics.f_deals per closing_date, dimension '
  '(all/source/owner) and key, owner name, is_won, created_late and deleted_at; kept by '
  'triggers on f_deals';
create unique index r_deals_closed_key_idx on analytics.r_deals_closed
  (closing_date, dimension, key, owner_name, is_won, created_late, deleted_at) nulls not distinct;
create index r_deals_closed_empty_idx on analytics.r_deals_closed (deals) where deals = 0;

alter table analytics.r_leads enable row level security;
alter table analytics.r_deals_closed enable row level security;
revoke all on analytics.r_leads, analytics.r_deals_closed from anon, authenticated;
grant select on analytics.r_leads, analytics.r_deals_closed to service_role;

-- The rollup key of a closed deal's created day (see r_deals_closed.created_late).
create or replace function analytics.created_late(p_created_day date, p_closing_date date)
returns date
language sql immutable parallel safe
as $$
  select case when p_created_day <= p_closing_date then null
    else coalesce(p_created_day, 'infinity'::date) end
$$;

-- f_leads statement → r_leads: − old rows, + new rows per key; keys at 0 removed.
create or replace function analytics.f_leads_to_rollups() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op <> 'INSERT' then
    insert into analytics.r_leads as r
    select o.created_day, k.dimension, k.key, k.owner_name, o.deleted_at, -count(*)
    from old_rows o
    cross join lateral (values ('all', null, null), ('source', o.lead_source, null),
      ('owner', o.owner_id, o.owner_name), ('status', o.lead_status, null))
      k(dimension, key, owner_name)
    group by 1, 2, 3, 4, 5
    order by 1, 2, 3, 4, 5
    on conflict (created_day, dimension, key, owner_name, deleted_at)
    do update set leads = r.leads + excluded.leads;
  end if;
  if tg_op <> 'DELETE' then
    insert into analytics.r_leads as r
    select n.created_day, k.dimension, k.key, k.owner_name, n.deleted_at, count(*)
    from new_rows n
    cross join lateral (values ('all', null, null), ('source', n.lead_source, null),
      ('owner', n.owner_id, n.owner_name), ('status', n.lead_status, null))
      k(dimension, key, owner_name)
    group by 1, 2, 3, 4, 5
    order by 1, 2, 3, 4, 5
    on conflict (created_day, dimension, key, owner_name, deleted_at)
    do update set leads = r.leads + excluded.leads;
  end if;
  if tg_op <> 'INSERT' then
    delete from analytics.r_leads where leads = 0;
  end if;
  return null;
end
$$;

-- f_deals statement → r_deals_closed: − old closed rows, + new ones per key; keys at 0 removed.
create or replace function analytics.f_deals_to_rollups() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op <> 'INSERT' then
    insert into analytics.r_deals_closed as r
    select o.closing_date, k.dimension, k.key, k.owner_name, o.is_won,
      analytics.created_late(o.created_day, o.closing_date), o.deleted_at, -count(*),
      -sum(o.amount)
    from old_rows o
    cross join lateral (values ('all', null, null), ('source', o.lead_source, null),
      ('owner', o.owner_id, o.owner_name)) k(dimension, key, owner_name)
    where (o.is_won or o.is_lost) and o.closing_date is not null
    group by 1, 2, 3, 4, 5, 6, 7
    order by 1, 2, 3, 4, 5, 6, 7
    on conflict (closing_date, dimension, key, owner_name, is_won, created_late, deleted_at)
    do update set deals = r.deals + excluded.deals,
      amount = case when excluded.amount is null then r.amount
        else coalesce(r.amount, 0) + excluded.amount end;
  end if;
  if tg_op <> 'DELETE' then
    insert into analytics.r_deals_closed as r
    select n.closing_date, k.dimension, k.key, k.owner_name, n.is_won,
      analytics.created_late(n.created_day, n.closing_date), n.deleted_at, count(*),
      sum(n.amount)
    from new_rows n
    cross join lateral (values ('all', null, null), ('source', n.lead_source, null),
      ('owner', n.owner_id, n.owner_name)) k(dimension, key, owner_name)
    where (n.is_won or n.is_lost) and n.closing_date is not null
    group by 1, 2, 3, 4, 5, 6, 7
    order by 1, 2, 3, 4, 5, 6, 7
    on conflict (closing_date, dimension, key, owner_name, is_won, created_late, deleted_at)
    do update set deals = r.deals + excluded.deals,
      amount = case when excluded.amount is null then r.amount
        else coalesce(r.amount, 0) + excluded.amount end;
  end if;
  if tg_op <> 'INSERT' then
    delete from analytics.r_deals_closed where deals = 0;
  end if;
  return null;
end
$$;

-- A TRUNCATE of the facts (the full rebuild) empties their rollups.
create or replace function analytics.truncate_rollups() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_table_name = 'f_leads' then
    truncate analytics.r_leads;
  else
    truncate analytics.r_deals_closed;
  end if;
  return null;
end
$$;

create trigger f_leads_rollups_insert after insert on analytics.f_leads
  referencing new table as new_rows
  for each statement execute function analytics.f_leads_to_rollups();
create trigger f_leads_rollups_update after update on analytics.f_leads
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.f_leads_to_rollups();
create trigger f_leads_rollups_delete after delete on analytics.f_leads
  referencing old table as old_rows
  for each statement execute function analytics.f_leads_to_rollups();
create trigger f_leads_rollups_truncate after truncate on analytics.f_leads
  for each statement execute function analytics.truncate_rollups();

create trigger f_deals_rollups_insert after insert on analytics.f_deals
  referencing new table as new_rows
  for each statement execute function analytics.f_deals_to_rollups();
create trigger f_deals_rollups_update after update on analytics.f_deals
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.f_deals_to_rollups();
create trigger f_deals_rollups_delete after delete on analytics.f_deals
  referencing old table as old_rows
  for each statement execute function analytics.f_deals_to_rollups();
create trigger f_deals_rollups_truncate after truncate on analytics.f_deals
  for each statement execute function analytics.truncate_rollups();

revoke all on function analytics.f_leads_to_rollups() from public;
revoke all on function analytics.f_deals_to_rollups() from public;
revoke all on function analytics.truncate_rollups() from public;

-- The facts already built: their rollups once (later changes go through the triggers above).
insert into analytics.r_leads
select f.created_day, k.dimension, k.key, k.owner_name, f.deleted_at, count(*)
from analytics.f_leads f
cross join lateral (values ('all', null, null), ('source', f.lead_source, null),
  ('owner', f.owner_id, f.owner_name), ('status', f.lead_status, null))
  k(dimension, key, owner_name)
group by 1, 2, 3, 4, 5;
insert into analytics.r_deals_closed
select f.closing_date, k.dimension, k.key, k.owner_name, f.is_won,
  analytics.created_late(f.created_day, f.closing_date), f.deleted_at, count(*), sum(f.amount)
from analytics.f_deals f
cross join lateral (values ('all', null, null), ('source', f.lead_source, null),
  ('owner', f.owner_id, f.owner_name)) k(dimension, key, owner_name)
where (f.is_won or f.is_lost) and f.closing_date is not null
group by 1, 2, 3, 4, 5, 6, 7;
analyze analytics.r_leads;
analyze analytics.r_deals_closed;

-- KPIs read the rollups (same definitions, same results).
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
  g as (
    select l.dimension, l.key, max(l.owner_name) as label,
      coalesce(sum(l.leads) filter (where l.cur), 0)::bigint as leads,
      coalesce(sum(l.leads) filter (where not l.cur), 0)::bigint as prev_leads
    from l group by l.dimension, l.key
    union all -- the all row even when no lead counts (as a grouping-sets total)
    select 'all', null, null, 0, 0 where not exists (select from l where l.dimension = 'all')
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
  g as (
    select d.dimension, d.key, max(d.owner_name) as label,
      coalesce(sum(d.deals) filter (where d.is_won), 0)::bigint as won,
      coalesce(sum(d.deals) filter (where not d.is_won), 0)::bigint as lost,
      coalesce(sum(d.amount) filter (where d.is_won), 0) as won_amount,
      coalesce(sum(d.amount) filter (where not d.is_won), 0) as lost_amount
    from d group by d.dimension, d.key
    union all
    select 'all', null, null, 0, 0, 0, 0 where not exists (select from d where d.dimension = 'all')
  )
  select g.dimension, case when g.dimension <> 'all' then coalesce(g.key, '(none)') end, g.label,
    g.won, g.lost, g.won_amount, g.lost_amount, analytics.pct(g.won, g.won + g.lost),
    analytics.pct(g.won_amount, g.won_amount + g.lost_amount)
  from g
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

