-- Leads' exits in the rollups (analytics/rollups.sql: exit_open, exit_untouched): data quality's
-- open and untouched leads as two sums over days instead of a read of every lead.

-- The first local day whose end (analytics.day_end) is after the instant x: a record deleted or
-- touched at x is gone or touched "by the end of as_of" from that day on. The local date of x,
-- moved a day where a DST change at midnight repeats or skips local times around it, so that
-- x < day_end(d) exactly when d >= the result (pgTAP analytics_rollups.sql).
create or replace function analytics.first_day_after(x timestamptz, tz text) returns date
language sql immutable parallel safe
as $$
  -- one expression, no FROM, so that Postgres inlines it (a call cost 10 µs a row)
  select case when (((x at time zone tz)::date + 1)::timestamp at time zone tz) <= x
      then (x at time zone tz)::date + 1
    when ((x at time zone tz)::date::timestamp at time zone tz) > x
      then (x at time zone tz)::date - 1
    else (x at time zone tz)::date end
$$;

-- A lead's rollup keys: one per dimension value, and its two end days (exit_open: converted, or
-- deleted by the end of the day; exit_untouched: that, or first touched), none when it never
-- ends or has no created day. A converted lead without a conversion day ends when created.
create or replace function analytics.lead_rollup_keys(f analytics.f_leads, tz text)
returns table (day date, dimension text, key text, owner_name text, deleted_at timestamptz)
language sql immutable
as $$
  select k.day, k.dimension, k.key, k.owner_name, k.deleted_at
  from (select least(case when f.converted then coalesce(f.converted_day, '-infinity') end,
      analytics.first_day_after(f.deleted_at, tz)) as open_end) e
  cross join lateral (select least(e.open_end,
      analytics.first_day_after(f.first_touch_at, tz)) as untouched_end) u
  cross join lateral (values (f.created_day, 'all', null, null, f.deleted_at),
    (f.created_day, 'source', f.lead_source, null, f.deleted_at),
    (f.created_day, 'owner', f.owner_id, f.owner_name, f.deleted_at),
    (f.created_day, 'status', f.lead_status, null, f.deleted_at),
    (greatest(f.created_day, e.open_end), 'exit_open', null, null, null),
    (greatest(f.created_day, u.untouched_end), 'exit_untouched', null, null, null))
    k(day, dimension, key, owner_name, deleted_at)
  where k.dimension not like 'exit%'
    or (f.created_day is not null and (case k.dimension when 'exit_open' then e.open_end
      else u.untouched_end end) is not null)
$$;

-- f_leads statement → r_leads_log: − old rows, + new rows, summed per key (no row locked).
create or replace function analytics.f_leads_to_rollups() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  tz text := analytics.time_zone();
begin
  if tg_op <> 'INSERT' then
    insert into analytics.r_leads_log
    select k.day, k.dimension, k.key, k.owner_name, k.deleted_at, -count(*)
    from old_rows o, analytics.lead_rollup_keys(o, tz) k
    group by 1, 2, 3, 4, 5;
  end if;
  if tg_op <> 'DELETE' then
    insert into analytics.r_leads_log
    select k.day, k.dimension, k.key, k.owner_name, k.deleted_at, count(*)
    from new_rows n, analytics.lead_rollup_keys(n, tz) k
    group by 1, 2, 3, 4, 5;
  end if;
  return null;
end
$$;

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
    where r.dimension in ('all', 'source', 'owner', 'status')
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
    select 'all', null, null, 0, 0 where not exists (select from g0 where g0.dimension = 'all')
  )
  select g.dimension, case when g.dimension <> 'all' then coalesce(g.key, '(none)') end, g.label,
    g.leads, g.prev_leads, analytics.pct(g.leads - g.prev_leads, g.prev_leads)
  from g
  order by 1, 2 nulls first
$$;
comment on function analytics.leads_created(date, text) is
  'Leads created = count of leads created in the period (to date), by all/source/owner/status; '
  'growth_pct = (this − previous equal period) ÷ previous × 100 (standard MoM/WoW growth)';

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

-- The facts already built get their exit rows (the other dimensions are there already). The
-- time zone as a variable, as the trigger has it: Postgres then inlines first_day_after (with
-- analytics.time_zone() in the query it did not: 114 s at 1M leads against 8 s).
do $$
declare
  tz text := analytics.time_zone();
begin
  insert into analytics.r_leads_log
  select k.day, k.dimension, k.key, k.owner_name, k.deleted_at, count(*)
  from analytics.f_leads f, analytics.lead_rollup_keys(f, tz) k
  where k.dimension like 'exit%'
  group by 1, 2, 3, 4, 5;
end
$$;
select analytics.fold_rollups();
