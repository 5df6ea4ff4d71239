-- Dashboard pre-aggregates: dashboard.build(snapshot) gives a snapshot per-day rollups (leads, won/lost deals, lead response buckets by source and owner) and its at-risk deal list, so the dashboard reads only small tables and the snapshot, never the fact tables.
-- Why per snapshot: the page shows the numbers of one snapshot (the brief's), and the fact
-- tables move with every sync. compute-metrics calls dashboard.build right after the snapshot
-- commits, from the facts the snapshot has just caught up. Not a trigger inside
-- compute_snapshot: on the 1M-lead bench the build reads ~400k leads and every open deal
-- (seconds), which the snapshot's own time budget does not have. The latest three snapshots
-- keep their rollups; the dashboard shows the newest built one.
create schema if not exists dashboard;
revoke all on schema dashboard from anon, authenticated;
grant usage on schema dashboard to service_role;

-- Snapshots whose rollups are built (the dashboard shows the newest of them).
create table dashboard.builds (
  snapshot_id uuid primary key references analytics.snapshots (id),
  as_of date not null,
  created_at timestamptz not null,
  built_at timestamptz not null default now()
);
create index builds_created_idx on dashboard.builds (created_at desc);

-- One row per (day, lead source, owner) of the snapshot's t12m window ∪ its year to date.
-- leads: leads created that day (Created_Time, company time zone), alive at as_of, as
-- analytics.series. won/lost: Closed Won / Closed Lost deals whose Closing_Date is that day,
-- created by as_of and alive at as_of (analytics.win_rate's deals). response_*: that day's leads
-- by hours from creation to first call/task/event before the end of as_of (analytics.
-- lead_response's hours): ≤ 1, ≤ 4, ≤ 24, ≤ 72, ≤ 168, later; untouched = no touch yet.
create table dashboard.daily (
  snapshot_id uuid not null references dashboard.builds (snapshot_id) on delete cascade,
  day date not null,
  lead_source text not null,
  owner_id text not null,
  owner_name text,
  leads integer not null,
  won integer not null,
  won_amount numeric not null,
  lost integer not null,
  lost_amount numeric not null,
  response_1h integer not null,
  response_4h integer not null,
  response_24h integer not null,
  response_72h integer not null,
  response_168h integer not null,
  response_later integer not null,
  untouched integer not null,
  primary key (snapshot_id, day, lead_source, owner_id)
);

-- Open deals that are stale, slipped or past their stage's median days (analytics.
-- open_deal_health with the snapshot's own stage medians): the 25 largest per lead source,
-- which contain the 25 largest overall.
create table dashboard.risky_deals (
  snapshot_id uuid not null references dashboard.builds (snapshot_id) on delete cascade,
  deal_id text not null,
  deal_name text,
  account_name text,
  owner_name text,
  lead_source text not null,
  stage text,
  amount numeric,
  closing_date date,
  days_in_stage numeric,
  stage_median_days numeric,
  days_since_change numeric,
  is_stale boolean not null,
  is_slipped boolean not null,
  past_median boolean not null,
  close_date_pushes bigint not null,
  primary key (snapshot_id, deal_id)
);

alter table dashboard.builds enable row level security;
alter table dashboard.daily enable row level security;
alter table dashboard.risky_deals enable row level security;
grant select on all tables in schema dashboard to service_role;

-- Builds the rollups of one snapshot from the current facts (call right after computing it);
-- false when they were built already.
create function dashboard.build(p_snapshot_id uuid)
returns boolean
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
set work_mem = '64MB'
as $$
declare
  s analytics.snapshots;
  first_day date;
  t1 timestamptz;
  medians jsonb;
begin
  select * into s from analytics.snapshots where id = p_snapshot_id;
  if s.id is null then
    raise exception 'dashboard.build: no snapshot %', p_snapshot_id using errcode = 'P0002';
  end if;
  insert into dashboard.builds (snapshot_id, as_of, created_at)
  values (s.id, s.as_of, s.created_at)
  on conflict do nothing;
  if not found then return false; end if;
  perform set_config('timezone', s.time_zone, true);
  perform set_config('jit', 'off', true);
  first_day := (select min(p.start_day) from analytics.periods(s.as_of) p);
  t1 := analytics.day_end(s.as_of);
  medians := (select jsonb_object_agg(x ->> 'stage', x -> 'median_days_in_stage')
    from jsonb_array_elements(s.kpis -> 'stage_conversion') x);

  -- The window's leads and closed deals per day, source and owner, from the kept rollup of that
  -- grain (analytics.r_dashboard_daily: about 100k rows for a year at 1M leads, where grouping
  -- the year's 396k leads and 78k closed deals took 750 ms), each key as of the end of as_of:
  -- alive then, deals created by as_of. The rollup holds each lead touched if ever touched; the
  -- leads first touched after as_of (analytics.leads_touched_after, as analytics.lead_response
  -- takes them out) move from their band to untouched. None for today's as_of.
  insert into dashboard.daily
  with late as materialized (
    select k.*
    from analytics.leads_touched_after(first_day, s.as_of + 1, s.as_of) f,
      analytics.dashboard_lead_key(f) k
  ),
  keyed as (
    -- (bigint: the sums over these are integer sums, not numeric ones)
    select x.day, x.kind, x.lead_source, x.owner_id, x.owner_name, x.band, sum(x.n)::bigint as n,
      sum(x.amount) as amount
    from (
      select r.day, r.kind, r.lead_source, r.owner_id, r.owner_name, r.band, r.n, r.amount
      from analytics.r_dashboard_daily r
      where r.day >= first_day and r.day <= s.as_of and analytics.alive_at(r.deleted_at, t1)
        and (r.created_late is null or r.created_late <= s.as_of)
      union all
      select l.day, l.kind, l.lead_source, l.owner_id, l.owner_name, l.band, -1, null from late l
      union all
      select l.day, l.kind, l.lead_source, l.owner_id, l.owner_name, 6::smallint, 1, null
      from late l
    ) x
    group by 1, 2, 3, 4, 5, 6
    having sum(x.n) <> 0
  )
  select s.id, k.day, k.lead_source, k.owner_id, max(k.owner_name),
    coalesce(sum(k.n) filter (where k.kind = 0), 0)::integer,
    coalesce(sum(k.n) filter (where k.kind = 1), 0)::integer,
    coalesce(sum(k.amount) filter (where k.kind = 1), 0),
    coalesce(sum(k.n) filter (where k.kind = 2), 0)::integer,
    coalesce(sum(k.amount) filter (where k.kind = 2), 0),
    coalesce(sum(k.n) filter (where k.kind = 0 and k.band = 0), 0)::integer,
    coalesce(sum(k.n) filter (where k.kind = 0 and k.band = 1), 0)::integer,
    coalesce(sum(k.n) filter (where k.kind = 0 and k.band = 2), 0)::integer,
    coalesce(sum(k.n) filter (where k.kind = 0 and k.band = 3), 0)::integer,
    coalesce(sum(k.n) filter (where k.kind = 0 and k.band = 4), 0)::integer,
    coalesce(sum(k.n) filter (where k.kind = 0 and k.band = 5), 0)::integer,
    coalesce(sum(k.n) filter (where k.kind = 0 and k.band = 6), 0)::integer
  from keyed k
  group by k.day, k.lead_source, k.owner_id;

  insert into dashboard.risky_deals
  select s.id, h.deal_id, r.data ->> 'Deal_Name', r.data -> 'Account_Name' ->> 'name',
    h.owner_name, h.src, h.stage, h.amount, h.closing_date, h.days_in_stage,
    h.stage_median_days, h.days_since_change, coalesce(h.is_stale, false),
    coalesce(h.is_slipped, false), coalesce(h.past_median, false), h.close_date_pushes
  from (
    select o.*, coalesce(d.lead_source, '(none)') as src, d.owner_name,
      row_number() over (partition by coalesce(d.lead_source, '(none)')
        order by o.amount desc nulls last, o.deal_id) as n
    from analytics.open_deal_health(s.as_of, coalesce(medians, '{}')) o
    -- its deals are open ones: their rows from the open deals' index (every deal's row hashed
    -- for the 6.5k at-risk ones cost 206 ms against 103 at 1M leads, the same rows)
    join analytics.f_deals d on d.id = o.deal_id and not d.is_closed
    where o.is_stale or o.is_slipped or o.past_median
  ) h
  left join zoho.records r on r.module = 'Deals' and r.id = h.deal_id
  where h.n <= 25;

  -- Older snapshots' rollups go (the snapshots themselves stay).
  delete from dashboard.builds b
  where b.snapshot_id not in (
    select x.snapshot_id from dashboard.builds x order by x.created_at desc limit 3);
  return true;
end
$$;
comment on function dashboard.build(uuid) is
  'Fills dashboard.daily and dashboard.risky_deals for one snapshot from analytics.f_* '
  '(false when already built; keeps the latest three snapshots'' rollups)';

revoke all on function dashboard.build(uuid) from public;
grant execute on function dashboard.build(uuid) to service_role;
