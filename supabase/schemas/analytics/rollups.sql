-- Rollups of the fact tables (analytics/facts.sql): leads and closed deals counted per day and
-- per value of each dimension the KPIs split by (all, source, owner, status: a day has as many
-- rows as the dimensions have values together, 20 lead keys on the 1M-lead demo, not their
-- product, 240), so a KPI over a window reads a few thousand rollup rows instead of every fact
-- of the window (leads_created year to date read ≈ 115,000 f_leads rows on the 1M-lead demo:
-- 95 ms; from the rollups 4 ms; docs/scaling_answers.md).
--
-- One set of definitions: the KPI functions (analytics.leads_created, win_rate, revenue, ...)
-- read the rollups (the views analytics.r_leads and analytics.r_deals_closed) with the same
-- filters they applied to the facts, and the rollups are exact aggregates of the facts (pgTAP
-- analytics_rollups.sql compares them with direct counts):
-- * Statement-level triggers on analytics.f_leads / analytics.f_deals append each statement's
--   delta (− old rows, + new rows, summed per key) to a log (r_leads_log, r_deals_closed_log):
--   every writer of the facts (the write-time triggers of facts_triggers.sql and the full rebuild
--   of facts_refresh.sql) keeps them, and a sync batch only appends rows: it never waits on or
--   locks a rollup row another batch holds. (Updating the rollup rows in place from the triggers
--   made concurrent batches deadlock on a day's hot keys; serialising them on one lock held to
--   commit made every batch wait for the one before. A day's sync of 27,000 records at 1M leads,
--   facts built so these triggers run: 9.95 s before the rollups, 8.4-12.0 s (median 11.2) in
--   six runs after: perhaps 10% more, inside this machine's noise. The sync bench builds no
--   facts, so it cannot tell.)
-- * analytics.fold_rollups() (called at the end of every sync slice, by analytics.catch_up_facts,
--   so by every snapshot, and by the full rebuild) moves the log into the folded tables
--   (r_leads_folded, r_deals_closed_folded); folders queue on one advisory lock. The views put
--   the log beside the folded rows; the KPIs sum them per group and leave out groups whose sum is
--   0, so they read the same before and after a fold.
-- * A TRUNCATE of the facts (the full rebuild) empties the folded tables and the logs.
-- * Deletion stays at timestamp granularity (deleted_at is a key): "alive at as_of" is
--   analytics.alive_at(deleted_at, analytics.day_end(as_of)), an instant in the company time
--   zone; a local deleted day would not be exact where a DST change falls at midnight. Deleted
--   records are few, so they add a few rows each (one per dimension).
-- * Unlogged like the facts: a crash empties them together with the facts (a full rebuild).
-- * Leads also end (data quality's open and untouched leads): the dimensions exit_open and
--   exit_untouched count each lead once on the first day it no longer counts as open (converted
--   or deleted by then) or as open and untouched (or touched by then), its created day if later
--   (analytics.lead_rollup_keys). Then "created by as_of and not ended by as_of" is two sums over
--   days: the leads created by as_of less those ended by as_of (an end never precedes creation).

create unlogged table analytics.r_leads_folded (
  -- the created day; for exit_open and exit_untouched, the day the lead stops counting
  created_day date,
  -- all (key null), source (Lead_Source), owner (owner id, with its name), status (Lead_Status);
  -- exit_open, exit_untouched (key, owner_name and deleted_at null)
  dimension text not null,
  key text,
  owner_name text,
  deleted_at timestamptz,
  leads bigint not null
);
comment on table analytics.r_leads_folded is
  'Count of analytics.f_leads per created_day, dimension (all/source/owner/status) and key, '
  'owner name and deleted_at, as of the last analytics.fold_rollups()';
create unique index r_leads_key_idx on analytics.r_leads_folded
  (created_day, dimension, key, owner_name, deleted_at) nulls not distinct;

-- Deltas appended by the triggers since the last fold (same key columns; a count may be < 0).
create unlogged table analytics.r_leads_log (like analytics.r_leads_folded);
create index r_leads_log_day_idx on analytics.r_leads_log (created_day);

-- Closed Won / Closed Lost deals with a Closing_Date. created_late: the created day when it is
-- after the closing date ('infinity' when unknown), else null: a KPI over closing dates up to
-- as_of needs the created day only for those (created_day <= closing_date <= as_of otherwise).
create unlogged table analytics.r_deals_closed_folded (
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
comment on table analytics.r_deals_closed_folded is
  'Count and Σ Amount of Closed Won / Closed Lost analytics.f_deals per closing_date, dimension '
  '(all/source/owner) and key, owner name, is_won, created_late and deleted_at, as of the last '
  'analytics.fold_rollups()';
create unique index r_deals_closed_key_idx on analytics.r_deals_closed_folded
  (closing_date, dimension, key, owner_name, is_won, created_late, deleted_at) nulls not distinct;

create unlogged table analytics.r_deals_closed_log (like analytics.r_deals_closed_folded);
create index r_deals_closed_log_day_idx on analytics.r_deals_closed_log (closing_date);

-- The rollups the KPIs read: the folded rows and the log's deltas, as rows (a key may come more
-- than once, a delta may be negative): a reader sums them, and leaves out groups whose sum is 0
-- (a key whose facts all went). Not aggregated here: a KPI's window bounds then reach both
-- tables' day indexes (a grouped view could not take them: 45 ms per WhatsApp answer at 1M
-- leads against 5 ms).
create view analytics.r_leads as
  select * from analytics.r_leads_folded
  union all
  select * from analytics.r_leads_log;
comment on view analytics.r_leads is
  'f_leads counted per created_day, dimension (all/source/owner/status) and key, owner name and '
  'deleted_at: folded rollups + the log since the last fold (sum rows per key)';

create view analytics.r_deals_closed as
  select * from analytics.r_deals_closed_folded
  union all
  select * from analytics.r_deals_closed_log;
comment on view analytics.r_deals_closed is
  'Closed Won / Closed Lost f_deals counted and summed (Amount) per closing_date, dimension '
  '(all/source/owner) and key, owner name, is_won, created_late and deleted_at: folded rollups + '
  'the log since the last fold (sum rows per key)';

alter table analytics.r_leads_folded enable row level security;
alter table analytics.r_leads_log enable row level security;
alter table analytics.r_deals_closed_folded enable row level security;
alter table analytics.r_deals_closed_log enable row level security;
revoke all on analytics.r_leads_folded, analytics.r_leads_log, analytics.r_deals_closed_folded,
  analytics.r_deals_closed_log, analytics.r_leads, analytics.r_deals_closed
  from anon, authenticated;
grant select on analytics.r_leads_folded, analytics.r_leads_log, analytics.r_deals_closed_folded,
  analytics.r_deals_closed_log, analytics.r_leads, analytics.r_deals_closed to service_role;

-- The rollup key of a closed deal's created day (see r_deals_closed.created_late).
create or replace function analytics.created_late(p_created_day date, p_closing_date date)
returns date
language sql immutable parallel safe
as $$
  select case when p_created_day <= p_closing_date then null
    else coalesce(p_created_day, 'infinity'::date) end
$$;

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
  -- offset 0: each end computed once per lead (inlined, the planner copied the expressions into
  -- every use: 8.9 s for 1M leads' keys against about 3)
  from (select e.open_end, least(e.open_end,
      analytics.first_day_after(f.first_touch_at, tz)) as untouched_end
    from (select least(case when f.converted then coalesce(f.converted_day, '-infinity') end,
      analytics.first_day_after(f.deleted_at, tz)) as open_end offset 0) e offset 0) u
  cross join lateral (values (f.created_day, 'all', null, null, f.deleted_at),
    (f.created_day, 'source', f.lead_source, null, f.deleted_at),
    (f.created_day, 'owner', f.owner_id, f.owner_name, f.deleted_at),
    (f.created_day, 'status', f.lead_status, null, f.deleted_at),
    (greatest(f.created_day, u.open_end), 'exit_open', null, null, null),
    (greatest(f.created_day, u.untouched_end), 'exit_untouched', null, null, null))
    k(day, dimension, key, owner_name, deleted_at)
  where k.dimension not like 'exit%'
    or (f.created_day is not null and (case k.dimension when 'exit_open' then u.open_end
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

-- f_deals statement → r_deals_closed_log: − old closed rows, + new ones, summed per key.
create or replace function analytics.f_deals_to_rollups() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op <> 'INSERT' then
    insert into analytics.r_deals_closed_log
    select o.closing_date, k.dimension, k.key, k.owner_name, o.is_won,
      analytics.created_late(o.created_day, o.closing_date), o.deleted_at, -count(*),
      -sum(o.amount)
    from old_rows o
    cross join lateral (values ('all', null, null), ('source', o.lead_source, null),
      ('owner', o.owner_id, o.owner_name)) k(dimension, key, owner_name)
    where (o.is_won or o.is_lost) and o.closing_date is not null
    group by 1, 2, 3, 4, 5, 6, 7;
  end if;
  if tg_op <> 'DELETE' then
    insert into analytics.r_deals_closed_log
    select n.closing_date, k.dimension, k.key, k.owner_name, n.is_won,
      analytics.created_late(n.created_day, n.closing_date), n.deleted_at, count(*),
      sum(n.amount)
    from new_rows n
    cross join lateral (values ('all', null, null), ('source', n.lead_source, null),
      ('owner', n.owner_id, n.owner_name)) k(dimension, key, owner_name)
    where (n.is_won or n.is_lost) and n.closing_date is not null
    group by 1, 2, 3, 4, 5, 6, 7;
  end if;
  return null;
end
$$;

-- A TRUNCATE of the facts (the full rebuild) empties their rollups and logs.
create or replace function analytics.truncate_rollups() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_table_name = 'f_leads' then
    truncate analytics.r_leads_folded, analytics.r_leads_log;
  else
    truncate analytics.r_deals_closed_folded, analytics.r_deals_closed_log;
  end if;
  return null;
end
$$;

-- Moves the logs into the folded rollups (what a reader of the views sees does not change);
-- keys whose count reaches 0 are removed. Exactly the log rows this statement deletes are
-- folded: rows appended by transactions committing later wait for the next fold.
create or replace function analytics.fold_rollups() returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform pg_advisory_xact_lock(hashtext('analytics.fold_rollups'));
  with moved as (delete from analytics.r_leads_log returning *)
  insert into analytics.r_leads_folded as r
  select m.created_day, m.dimension, m.key, m.owner_name, m.deleted_at, sum(m.leads)
  from moved m
  group by 1, 2, 3, 4, 5
  having sum(m.leads) <> 0
  on conflict (created_day, dimension, key, owner_name, deleted_at)
  do update set leads = r.leads + excluded.leads;
  delete from analytics.r_leads_folded where leads = 0;

  with moved as (delete from analytics.r_deals_closed_log returning *)
  insert into analytics.r_deals_closed_folded as r
  select m.closing_date, m.dimension, m.key, m.owner_name, m.is_won, m.created_late,
    m.deleted_at, sum(m.deals), sum(m.amount)
  from moved m
  group by 1, 2, 3, 4, 5, 6, 7
  having sum(m.deals) <> 0 or sum(m.amount) <> 0
  on conflict (closing_date, dimension, key, owner_name, is_won, created_late, deleted_at)
  do update set deals = r.deals + excluded.deals,
    amount = case when excluded.amount is null then r.amount
      else coalesce(r.amount, 0) + excluded.amount end;
  delete from analytics.r_deals_closed_folded where deals = 0;
end
$$;
comment on function analytics.fold_rollups() is
  'Moves analytics.r_leads_log / r_deals_closed_log into r_leads_folded / r_deals_closed_folded '
  '(the views r_leads / r_deals_closed read the same before and after)';

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
revoke all on function analytics.fold_rollups() from public;
grant execute on function analytics.fold_rollups() to service_role;
