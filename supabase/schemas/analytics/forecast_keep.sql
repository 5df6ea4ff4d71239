-- The forecast's training observations, kept (analytics/forecast.sql learns from them): every
-- Monday 00:00 (company time) at which a sampled deal was in an open stage is one observation,
-- with what does not depend on the day the forecast is made (its stage, days in stage and age
-- bands then, its Amount, the Closing_Date then known, the day of its first win). The day's
-- forecast only counts them with its horizon. Building them each day read some 45,000 deal-weeks
-- out of the stage entries (about 450 ms at 1M leads); counting a kept table costs a third of it.
--
-- Kept for the deals whose id hashes into the first k of 1,024 buckets, k fixed by the full
-- rebuild (the forecast's sample for the company then: every deal up to 10,000 deals), and for
-- every Monday up to `through`, the last Monday the keeping saw. Write-time triggers on the facts
-- mark the deals whose stays or deal fact changed (analytics.f_forecast_obs_dirty); every settle
-- (each sync slice's end, each snapshot's catch-up) recomputes them and adds the Mondays passed
-- since. The forecast reads the kept rows when they cover its sample and Mondays, and computes
-- (with the same function) the marked deals' instead; not covered, it computes them all.
-- Below them: the stage rates' rows of the same sample (analytics.f_stage_rate_deals).

-- The Monday of a date's week (ISO weeks start on Monday).
create or replace function analytics.monday_of(d date) returns date
language sql immutable parallel safe
as $$ select d - (extract(isodow from d)::integer - 1) $$;

create unlogged table analytics.f_forecast_obs (
  deal_id text not null,
  -- the Monday whose 00:00 (company time) is the instant observed
  monday date not null,
  stage text not null,
  -- hashtext(deal_id) & 1023: the sample bucket
  bucket smallint not null,
  -- days in stage then: 0-14, 15-45, 46-90, 91+ (analytics.forecast_cell's bands)
  ds smallint not null,
  -- deal age then: 0-30, 31-90, 91-180, 181+ days
  ag smallint not null,
  -- the deal's Amount (f_deals, as the scored deals')
  amount numeric,
  -- the Closing_Date then known (the stay's Stage_History row or observed version)
  closing_date date,
  -- the first day whose 00:00 is at or after the deal's first Closed Won entry (null: never won):
  -- won within (Monday, Monday + h days] ⟺ monday < won_day ≤ monday + h
  won_day date
);
comment on table analytics.f_forecast_obs is
  'The forecast''s training observations (one per Monday 00:00 a sampled deal was in an open '
  'stage), kept per deal by analytics.keep_forecast_obs()';
create index f_forecast_obs_deal_idx on analytics.f_forecast_obs (deal_id);

-- What f_forecast_obs holds: the sample (buckets < k) and the Mondays up to `through`. No row:
-- not built (the forecast computes its observations).
create unlogged table analytics.f_forecast_obs_kept (
  k integer not null,
  through date not null
);

-- Deals whose kept observations are stale (their stays or deal fact changed), in the kept
-- buckets. Appended by statement triggers, consumed by analytics.keep_forecast_obs().
create unlogged table analytics.f_forecast_obs_dirty (
  deal_id text not null
);

alter table analytics.f_forecast_obs enable row level security;
alter table analytics.f_forecast_obs_kept enable row level security;
alter table analytics.f_forecast_obs_dirty enable row level security;
revoke all on analytics.f_forecast_obs, analytics.f_forecast_obs_kept,
  analytics.f_forecast_obs_dirty from anon, authenticated;
grant select on analytics.f_forecast_obs, analytics.f_forecast_obs_kept to service_role;

-- The observations of the sampled deals (bucket < p_k; only p_deals' when given) at the Mondays
-- from p_from to p_to: each Monday M whose 00:00 falls inside one of their open-stage stays
-- (entered ≤ M 00:00 < left). One definition for the kept table and for the forecast when the
-- kept rows do not cover its day.
create or replace function analytics.forecast_obs_rows(p_k integer, p_from date, p_to date,
  p_deals text[] default null)
returns table (deal_id text, monday date, stage text, bucket smallint, ds smallint,
  ag smallint, amount numeric, closing_date date, won_day date)
language sql stable
as $$
  with z as materialized (
    select analytics.time_zone() as tz,
      (p_from::timestamp at time zone analytics.time_zone()) as from_ts,
      ((p_to + 1)::timestamp at time zone analytics.time_zone()) as to_ts
  ),
  -- The stays that may hold one of the Mondays (by the bucket index, or the deals' keys).
  e0 as materialized (
    select e.deal_id, e.stage, e.entered_at, e.left_at, e.closing_date
    from analytics.f_stage_entries e, z
    where (hashtext(e.deal_id) & 1023) < p_k
      and (p_deals is null or e.deal_id = any(p_deals))
      and e.stage in (select s.stage from analytics.stage_settings s where s.is_open)
      and e.entered_at < z.to_ts and (e.left_at is null or e.left_at > z.from_ts)
  ),
  -- Per deal, by primary key: its creation and Amount, and its first Closed Won entry.
  dl as materialized (
    select x.deal_id, d.created_at, d.amount,
      (select analytics.first_day_after(min(w.entered_at) - interval '1 microsecond', z.tz) + 1
        from analytics.f_stage_entries w
        where w.deal_id = x.deal_id and w.stage = 'Closed Won') as won_day
    from (select distinct e.deal_id from e0 e) x
    cross join z
    left join lateral (select d.created_at, d.amount from analytics.f_deals d
      where d.id = x.deal_id limit 1) d on true
  ),
  -- Each stay's Mondays from the week it began to the week it ended, each Monday's 00:00 taken
  -- once (a time zone conversion costs more than the rest of the row).
  m as (
    select e.deal_id, e.stage, e.entered_at, e.closing_date, mm.monday, mm.at
    from e0 e
    cross join z
    cross join lateral (
      select c.monday, (c.monday::timestamp at time zone z.tz) as at
      from (select greatest(p_from, analytics.monday_of((e.entered_at at time zone z.tz)::date))
          as lo,
        least(p_to, analytics.monday_of(coalesce((e.left_at at time zone z.tz)::date, p_to)))
          as hi) b,
      generate_series(0, (b.hi - b.lo) / 7) g,
      lateral (select b.lo + 7 * g as monday) c
      offset 0
    ) mm
    where mm.at >= e.entered_at and (e.left_at is null or mm.at < e.left_at)
  )
  select m.deal_id, m.monday, m.stage, (hashtext(m.deal_id) & 1023)::smallint,
    c.cell[2]::smallint, c.cell[3]::smallint, dl.amount, m.closing_date, dl.won_day
  from m
  join dl on dl.deal_id = m.deal_id
  cross join lateral (select analytics.forecast_cell(extract(epoch from m.at - m.entered_at),
    extract(epoch from m.at - dl.created_at), 0, 0, 0, null, null) as cell) c
$$;
comment on function analytics.forecast_obs_rows(integer, date, date, text[]) is
  'The forecast''s training observations of the sampled deals (bucket < p_k, only p_deals'' when '
  'given) at each Monday 00:00 from p_from to p_to inside one of their open-stage stays';

-- The full build (analytics.refresh_facts, after the stage entries and deals): k = the
-- forecast's sample for the company as it is, every Monday up to this week's.
create or replace function analytics.build_forecast_obs() returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_deals bigint := (select count(*) from analytics.f_deals d where d.amount > 0);
  v_k integer := analytics.forecast_sample_k(v_deals);
  v_through date := analytics.monday_of((now() at time zone analytics.time_zone())::date);
begin
  truncate analytics.f_forecast_obs, analytics.f_forecast_obs_kept,
    analytics.f_forecast_obs_dirty, analytics.f_stage_rate_deals;
  insert into analytics.f_forecast_obs
  select * from analytics.forecast_obs_rows(v_k, '-infinity', v_through);
  insert into analytics.f_forecast_obs_kept values (v_k, v_through);
  -- The stage rates' rows of the same sample (analytics/forecast_sim.sql).
  insert into analytics.f_stage_rate_deals
  select r.deal_id, r.bucket, r.stage, r.first_entered_at, r.last_entered_at, r.closed_at,
    r.won_at
  from analytics.stage_rate_deals r where (hashtext(r.deal_id) & 1023) < v_k;
  analyze analytics.f_forecast_obs;
  analyze analytics.f_stage_rate_deals;
end
$$;

-- What every settle runs (analytics.settle_facts, under the facts' lock): the Mondays passed
-- since `through` added for every kept deal, then the marked deals recomputed. Exactly the marks
-- this statement deletes are processed; marks committed later wait for the next settle.
create or replace function analytics.keep_forecast_obs() returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_k integer;
  v_through date;
  v_now date;
  ids text[];
begin
  select k.k, k.through into v_k, v_through from analytics.f_forecast_obs_kept k;
  if not found then
    return;
  end if;
  v_now := analytics.monday_of((now() at time zone analytics.time_zone())::date);
  if v_now > v_through then
    insert into analytics.f_forecast_obs
    select * from analytics.forecast_obs_rows(v_k, v_through + 7, v_now);
    update analytics.f_forecast_obs_kept set through = v_now;
    v_through := v_now;
  end if;
  with d as (delete from analytics.f_forecast_obs_dirty returning deal_id)
  select coalesce(array_agg(distinct d.deal_id), '{}') into ids from d;
  if cardinality(ids) > 0 then
    delete from analytics.f_forecast_obs o where o.deal_id = any(ids);
    insert into analytics.f_forecast_obs
    select * from analytics.forecast_obs_rows(v_k, '-infinity', v_through, ids);
  end if;
end
$$;

-- Marks: a statement that wrote stage entries or deal facts marks its deals in the kept buckets.
create or replace function analytics.mark_forecast_obs() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_k integer := (select k.k from analytics.f_forecast_obs_kept k);
  -- the deal's id in the written table; the transition tables are visible to EXECUTE only here
  v_id text := case tg_table_name when 'f_deals' then 'id' else 'deal_id' end;
begin
  if v_k is null then
    return null;
  end if;
  if tg_op = 'TRUNCATE' then
    -- the full rebuild truncates the facts and then rebuilds the observations
    truncate analytics.f_forecast_obs, analytics.f_forecast_obs_kept,
      analytics.f_forecast_obs_dirty;
    return null;
  end if;
  if tg_op <> 'INSERT' then
    execute format('insert into analytics.f_forecast_obs_dirty select distinct o.%1$I'
      || ' from old_rows o where (hashtext(o.%1$I) & 1023) < $1', v_id) using v_k;
  end if;
  if tg_op <> 'DELETE' then
    execute format('insert into analytics.f_forecast_obs_dirty select distinct n.%1$I'
      || ' from new_rows n where (hashtext(n.%1$I) & 1023) < $1', v_id) using v_k;
  end if;
  return null;
end
$$;
create trigger f_deals_forecast_obs_insert after insert on analytics.f_deals
  referencing new table as new_rows
  for each statement execute function analytics.mark_forecast_obs();
create trigger f_deals_forecast_obs_update after update on analytics.f_deals
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.mark_forecast_obs();
create trigger f_deals_forecast_obs_delete after delete on analytics.f_deals
  referencing old table as old_rows
  for each statement execute function analytics.mark_forecast_obs();
create trigger f_deals_forecast_obs_truncate after truncate on analytics.f_deals
  for each statement execute function analytics.mark_forecast_obs();
create trigger f_stage_entries_forecast_obs_insert after insert on analytics.f_stage_entries
  referencing new table as new_rows
  for each statement execute function analytics.mark_forecast_obs();
create trigger f_stage_entries_forecast_obs_update after update on analytics.f_stage_entries
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.mark_forecast_obs();
create trigger f_stage_entries_forecast_obs_delete after delete on analytics.f_stage_entries
  referencing old table as old_rows
  for each statement execute function analytics.mark_forecast_obs();
create trigger f_stage_entries_forecast_obs_truncate after truncate on analytics.f_stage_entries
  for each statement execute function analytics.mark_forecast_obs();

revoke all on function analytics.build_forecast_obs() from public;
revoke all on function analytics.keep_forecast_obs() from public;
revoke all on function analytics.mark_forecast_obs() from public;

-- What the stage rates ask of each deal, kept for the forecast's sample: per deal and open stage it
-- entered (a stage open in analytics.stage_settings), its first and last entry into that stage,
-- and the deal's first entry into a closed stage and into Closed Won (null: none). Whether a deal
-- entered the stage inside a window [from, to) follows from the first and last entry unless the
-- first came before the window and the last after it (then its entries are looked up). Counting
-- the sample's deals from their entries each day cost the forecast's stage rates 54 ms at 1M leads
-- in the daily state (57k entries of 10k deals aggregated per deal). One definition,
-- analytics.stage_rate_deals. Kept, like the training observations (analytics/forecast_keep.sql),
-- for the deals in the sample's buckets fixed by the full build (all 200k deals at 1M leads are
-- 942k rows, 211 MB, for the 47k the sample reads); the rows follow every write of the stage
-- entries in the same statement while the facts are built (they bake in which stages are open: a
-- change of the stage settings empties facts_built, and the rebuild fills them again).
create view analytics.stage_rate_deals as
select g.deal_id, (hashtext(g.deal_id) & 1023)::smallint as bucket, g.stage,
  g.first_at as first_entered_at, g.last_at as last_entered_at, g.closed_at, g.won_at
from (
  select e.deal_id, e.stage, s.is_open, min(e.entered_at) as first_at,
    max(e.entered_at) as last_at,
    min(min(e.entered_at)) filter (where not s.is_open) over w as closed_at,
    min(min(e.entered_at)) filter (where not s.is_open and e.stage = 'Closed Won') over w
      as won_at
  from analytics.f_stage_entries e
  join analytics.stage_settings s on s.stage = e.stage
  group by e.deal_id, e.stage, s.is_open
  window w as (partition by e.deal_id)
) g
where g.is_open;
comment on view analytics.stage_rate_deals is
  'Per deal and open stage it entered: first and last entry into it, the deal''s first entry '
  'into a closed stage and into Closed Won (kept in f_stage_rate_deals)';
revoke all on analytics.stage_rate_deals from anon, authenticated;
grant select on analytics.stage_rate_deals to service_role;

create unlogged table analytics.f_stage_rate_deals (
  deal_id text not null,
  -- hashtext(deal_id) & 1023: the forecast's sample bucket
  bucket smallint not null,
  stage text not null,
  first_entered_at timestamptz not null,
  last_entered_at timestamptz not null,
  closed_at timestamptz,
  won_at timestamptz,
  primary key (deal_id, stage)
);
comment on table analytics.f_stage_rate_deals is
  'analytics.stage_rate_deals kept: each deal''s first and last entry into every open stage it '
  'entered, and its first close and first win';
alter table analytics.f_stage_rate_deals enable row level security;
revoke all on analytics.f_stage_rate_deals from anon, authenticated;
grant select on analytics.f_stage_rate_deals to service_role;

-- A statement that wrote stage entries recomputes those deals' rows (of the kept buckets).
-- Truncating them (the full rebuild) empties them; the rebuild's analytics.build_forecast_obs
-- inserts the sample's once its stage entries are in.
create or replace function analytics.keep_stage_rate_deals() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  ids text[];
  v_k integer;
begin
  if tg_op = 'TRUNCATE' then
    truncate analytics.f_stage_rate_deals;
    return null;
  end if;
  v_k := (select k.k from analytics.f_forecast_obs_kept k);
  if v_k is null or not exists (select from analytics.facts_built) then
    return null;
  end if;
  if tg_op = 'INSERT' then
    ids := array(select distinct n.deal_id from new_rows n
      where (hashtext(n.deal_id) & 1023) < v_k);
  elsif tg_op = 'DELETE' then
    ids := array(select distinct o.deal_id from old_rows o
      where (hashtext(o.deal_id) & 1023) < v_k);
  else
    ids := array(select n.deal_id from new_rows n where (hashtext(n.deal_id) & 1023) < v_k
      union select o.deal_id from old_rows o where (hashtext(o.deal_id) & 1023) < v_k);
  end if;
  if cardinality(ids) > 0 then
    perform analytics.keep_deal_rows('analytics.f_stage_rate_deals', 'analytics.stage_rate_deals',
      ids);
  end if;
  return null;
end
$$;
revoke all on function analytics.keep_stage_rate_deals() from public;
create trigger f_stage_entries_stage_rates_insert after insert on analytics.f_stage_entries
  referencing new table as new_rows
  for each statement execute function analytics.keep_stage_rate_deals();
create trigger f_stage_entries_stage_rates_update after update on analytics.f_stage_entries
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.keep_stage_rate_deals();
create trigger f_stage_entries_stage_rates_delete after delete on analytics.f_stage_entries
  referencing old table as old_rows
  for each statement execute function analytics.keep_stage_rate_deals();
create trigger f_stage_entries_stage_rates_truncate after truncate on analytics.f_stage_entries
  for each statement execute function analytics.keep_stage_rate_deals();
