-- How the rollups (analytics/rollups.sql: tables, views and the rules they keep) are kept: each
-- fact's keys, the statement triggers that log deltas, the fold and the truncate. Leads, closed
-- deals and stage stays.

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

-- A stay's length in hundredths of days, as stage_conversion rounds it: round(days, 2) × 100,
-- days = seconds ÷ 86,400 (analytics.days). Null while the deal is in the stage.
create or replace function analytics.stay_hundredths(p_entered_at timestamptz,
  p_left_at timestamptz)
returns bigint
language sql immutable parallel safe
as $$ select (round(extract(epoch from p_left_at - p_entered_at) / 86400, 2) * 100)::bigint $$;

-- The length bucket of a stay (hundredths of days): a day each below 14 days, where most stays
-- end (the median of every stage on the 1M-lead demo is 3-7 days), then 14-20, 21-29, 30-44,
-- 45-59, 60-89, 90-179, 180-364 and 365 days or more. Null for null.
create or replace function analytics.stay_bucket(p_hundredths bigint) returns smallint
language sql immutable parallel safe
as $$
  select (case when p_hundredths is null then null
    when p_hundredths < 1400 then greatest(p_hundredths, -100) / 100
    when p_hundredths < 2100 then 14 when p_hundredths < 3000 then 15
    when p_hundredths < 4500 then 16 when p_hundredths < 6000 then 17
    when p_hundredths < 9000 then 18 when p_hundredths < 18000 then 19
    when p_hundredths < 36500 then 20 else 21 end)::smallint
$$;

-- A stay's key in analytics.r_stage_stays (its local day of entry, stage, whether a later entry
-- went further, length bucket) and its length in hundredths of days (null while in the stage);
-- no row for a stay outside the stages stage_conversion reports (no progress rank, Closed Won).
-- The statement triggers and the full rebuild count stays by it.
create or replace function analytics.stage_stay_key(s analytics.f_stage_entries, tz text)
returns table (entered_day date, stage text, advanced boolean, bucket smallint, h bigint)
language sql immutable
as $$
  select analytics.first_day_after(s.entered_at, tz), s.stage,
    coalesce(s.later_progress > s.progress, false), analytics.stay_bucket(x.h), x.h
  -- offset 0: the length computed once per stay (flattened, the bucket computed it again)
  from (select analytics.stay_hundredths(s.entered_at, s.left_at) as h offset 0) x
  where s.progress is not null and s.stage <> 'Closed Won'
$$;

-- The exact lengths of one bucket's stays, for the median (analytics.stage_conversion).
create index f_stage_entries_stay_bucket_idx on analytics.f_stage_entries (stage,
  analytics.stay_bucket(analytics.stay_hundredths(entered_at, left_at)), entered_at)
  where left_at is not null;

-- f_stage_entries statement → r_stage_stays_log: − old stays, + new ones, summed per key.
create or replace function analytics.f_stage_entries_to_rollups() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  tz text := analytics.time_zone();
begin
  if tg_op <> 'INSERT' then
    insert into analytics.r_stage_stays_log
    select k.entered_day, k.stage, k.advanced, k.bucket, -count(*), -coalesce(sum(k.h), 0)
    from old_rows o, analytics.stage_stay_key(o, tz) k
    group by 1, 2, 3, 4;
  end if;
  if tg_op <> 'DELETE' then
    insert into analytics.r_stage_stays_log
    select k.entered_day, k.stage, k.advanced, k.bucket, count(*), coalesce(sum(k.h), 0)
    from new_rows n, analytics.stage_stay_key(n, tz) k
    group by 1, 2, 3, 4;
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
  elsif tg_table_name = 'f_deals' then
    truncate analytics.r_deals_closed_folded, analytics.r_deals_closed_log;
  else
    truncate analytics.r_stage_stays_folded, analytics.r_stage_stays_log;
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

  with moved as (delete from analytics.r_stage_stays_log returning *)
  insert into analytics.r_stage_stays_folded as r
  select m.entered_day, m.stage, m.advanced, m.bucket, sum(m.stays), sum(m.days_h)
  from moved m
  group by 1, 2, 3, 4
  having sum(m.stays) <> 0 or sum(m.days_h) <> 0
  on conflict (entered_day, stage, advanced, bucket)
  do update set stays = r.stays + excluded.stays, days_h = r.days_h + excluded.days_h;
  delete from analytics.r_stage_stays_folded where stays = 0;
end
$$;
comment on function analytics.fold_rollups() is
  'Moves analytics.r_leads_log / r_deals_closed_log / r_stage_stays_log into r_leads_folded / '
  'r_deals_closed_folded / r_stage_stays_folded (the views r_leads / r_deals_closed / '
  'r_stage_stays read the same before and after)';

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

create trigger f_stage_entries_rollups_insert after insert on analytics.f_stage_entries
  referencing new table as new_rows
  for each statement execute function analytics.f_stage_entries_to_rollups();
create trigger f_stage_entries_rollups_update after update on analytics.f_stage_entries
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.f_stage_entries_to_rollups();
create trigger f_stage_entries_rollups_delete after delete on analytics.f_stage_entries
  referencing old table as old_rows
  for each statement execute function analytics.f_stage_entries_to_rollups();
create trigger f_stage_entries_rollups_truncate after truncate on analytics.f_stage_entries
  for each statement execute function analytics.truncate_rollups();

revoke all on function analytics.f_leads_to_rollups() from public;
revoke all on function analytics.f_stage_entries_to_rollups() from public;
revoke all on function analytics.f_deals_to_rollups() from public;
revoke all on function analytics.truncate_rollups() from public;
revoke all on function analytics.fold_rollups() from public;
grant execute on function analytics.fold_rollups() to service_role;
