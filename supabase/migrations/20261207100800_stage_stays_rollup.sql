-- Stage stays rolled up per entered day, stage, advanced and length bucket (analytics/rollups.sql,
-- rollups_keep.sql), kept by statement triggers on f_stage_entries; stage_conversion reads them
-- (analytics/kpis_stages.sql): 0.53 s → 0.07 s for twelve months at 1M leads.
create unlogged table analytics.r_stage_stays_folded (
  entered_day date not null,
  stage text not null,
  advanced boolean not null,
  -- analytics.stay_bucket(hundredths of days in the stage); null: not left yet
  bucket smallint,
  stays bigint not null,
  -- Σ hundredths of days of the stays that ended (0 for the rest)
  days_h bigint not null
);
comment on table analytics.r_stage_stays_folded is
  'Count and Σ length (hundredths of days) of analytics.f_stage_entries stays in open stages per '
  'entered_day, stage, advanced and length bucket, as of the last analytics.fold_rollups()';
create unique index r_stage_stays_key_idx on analytics.r_stage_stays_folded
  (entered_day, stage, advanced, bucket) nulls not distinct;

create unlogged table analytics.r_stage_stays_log (like analytics.r_stage_stays_folded);
create index r_stage_stays_log_day_idx on analytics.r_stage_stays_log (entered_day);

create view analytics.r_stage_stays as
  select * from analytics.r_stage_stays_folded
  union all
  select * from analytics.r_stage_stays_log;
comment on view analytics.r_stage_stays is
  'Stays in open stages counted per entered_day, stage, advanced and length bucket (Σ length in '
  'hundredths of days): folded rollups + the log since the last fold (sum rows per key)';

alter table analytics.r_stage_stays_folded enable row level security;
alter table analytics.r_stage_stays_log enable row level security;
revoke all on analytics.r_stage_stays_folded, analytics.r_stage_stays_log, analytics.r_stage_stays
  from anon, authenticated;
grant select on analytics.r_stage_stays_folded, analytics.r_stage_stays_log,
  analytics.r_stage_stays to service_role;

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
    select analytics.first_day_after(o.entered_at, tz), o.stage,
      coalesce(o.later_progress > o.progress, false),
      analytics.stay_bucket(analytics.stay_hundredths(o.entered_at, o.left_at)), -count(*),
      -coalesce(sum(analytics.stay_hundredths(o.entered_at, o.left_at)), 0)
    from old_rows o
    where o.progress is not null and o.stage <> 'Closed Won'
    group by 1, 2, 3, 4;
  end if;
  if tg_op <> 'DELETE' then
    insert into analytics.r_stage_stays_log
    select analytics.first_day_after(n.entered_at, tz), n.stage,
      coalesce(n.later_progress > n.progress, false),
      analytics.stay_bucket(analytics.stay_hundredths(n.entered_at, n.left_at)), count(*),
      coalesce(sum(analytics.stay_hundredths(n.entered_at, n.left_at)), 0)
    from new_rows n
    where n.progress is not null and n.stage <> 'Closed Won'
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

revoke all on function analytics.f_stage_entries_to_rollups() from public;

-- The stays the facts already hold, then folded.
insert into analytics.r_stage_stays_log
select analytics.first_day_after(s.entered_at, analytics.time_zone()), s.stage,
  coalesce(s.later_progress > s.progress, false),
  analytics.stay_bucket(analytics.stay_hundredths(s.entered_at, s.left_at)), count(*),
  coalesce(sum(analytics.stay_hundredths(s.entered_at, s.left_at)), 0)
from analytics.f_stage_entries s
where s.progress is not null and s.stage <> 'Closed Won'
group by 1, 2, 3, 4;
select analytics.fold_rollups();

create or replace function analytics.stage_conversion(p_as_of date, p_period text default 't12m')
returns table (stage text, stage_position integer, entered bigint, advanced bigint,
  conversion_pct numeric, completed_stays bigint, avg_days_in_stage numeric,
  median_days_in_stage numeric)
language plpgsql stable
-- Planned with its instants and days: the deals with entries after as_of are none for today and
-- many for a past as_of.
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
declare
  v_d0 date := (select w.start_day from analytics.periods(p_as_of) w where w.period = p_period);
  v_t1 timestamptz := analytics.day_end(p_as_of);
  v_t0 timestamptz := v_d0::timestamp at time zone analytics.time_zone();
begin
  -- The stays entered in the window are the rollup's rows of its days (analytics.r_stage_stays,
  -- each stay in its final state), corrected for the deals with entries after as_of: their stays
  -- in the window out (-1) and in again as of as_of (+1: the window over their entries up to
  -- as_of). Twelve months at 1M leads: about 60k rollup rows instead of 464k stays (0.53 s →
  -- 0.07 s). The median comes from the length buckets: the bucket(s) holding the middle rank(s),
  -- then the exact lengths of that bucket's stays.
  return query
  with rank as (
    select s.stage, s.position,
      case when s.is_open or s.stage = 'Closed Won' then s.position end as progress
    from analytics.stage_settings s
  ),
  later as (
    select s.stage, coalesce(s.later_progress > s.progress, false) as advanced,
      analytics.stay_hundredths(s.entered_at, s.left_at) as h, -1 as n
    from analytics.f_stage_entries s
    where s.last_entry_at >= v_t1 and s.entered_at >= v_t0 and s.entered_at < v_t1
      and s.progress is not null and s.stage <> 'Closed Won'
    union all
    select y.stage, coalesce(y.later_progress > y.progress, false),
      analytics.stay_hundredths(y.entered_at, y.left_at), 1
    from (
      select s.stage, s.progress, s.entered_at,
        max(s.progress) over (w rows between 1 following and unbounded following)
          as later_progress,
        lead(s.entered_at) over w as left_at
      from analytics.f_stage_entries s
      where s.last_entry_at >= v_t1 and s.entered_at < v_t1
      window w as (partition by s.deal_id order by s.seq)
    ) y
    where y.entered_at >= v_t0 and y.progress is not null and y.stage <> 'Closed Won'
  ),
  g as (
    select u.stage, u.advanced, u.bucket, sum(u.stays) as stays, sum(u.days_h) as days_h
    from (
      select r.stage, r.advanced, r.bucket, r.stays, r.days_h
      from analytics.r_stage_stays r
      where r.entered_day >= v_d0 and r.entered_day <= p_as_of
      union all
      select l.stage, l.advanced, analytics.stay_bucket(l.h), l.n, l.n * coalesce(l.h, 0)
      from later l
    ) u
    group by 1, 2, 3
  ),
  t as (
    select g.stage, sum(g.stays)::bigint as entered,
      coalesce(sum(g.stays) filter (where g.advanced), 0)::bigint as advanced,
      coalesce(sum(g.stays) filter (where g.bucket is not null), 0)::bigint as completed,
      sum(g.days_h) as days_h
    from g
    group by 1
  ),
  -- Per stage, the bucket(s) of the completed stays holding ranks (n + 1) / 2 and n / 2 + 1.
  b as (
    select c.stage, c.bucket, c.below, c.n
    from (
      -- bigint: ranks divide as integers
      select g.stage, g.bucket,
        (sum(sum(g.stays)) over (partition by g.stage order by g.bucket)
          - sum(g.stays))::bigint as below,
        (sum(sum(g.stays)) over (partition by g.stage order by g.bucket))::bigint as upto,
        (sum(sum(g.stays)) over (partition by g.stage))::bigint as n
      from g
      where g.bucket is not null
      group by g.stage, g.bucket
    ) c
    where c.n > 0 and c.upto >= (c.n + 1) / 2 and c.below < c.n / 2 + 1
  ),
  -- Their stays' exact lengths, sorted: ranks counted from the first bucket's "below".
  m as (
    select b.stage, min(b.below) as below, min(b.n) as n,
      array_agg(x.h order by x.h) as s
    from b
    cross join lateral (
      select analytics.stay_hundredths(s.entered_at, s.left_at) as h
      from analytics.f_stage_entries s
      where s.stage = b.stage and s.left_at is not null
        and analytics.stay_bucket(analytics.stay_hundredths(s.entered_at, s.left_at)) = b.bucket
        and s.entered_at >= v_t0 and s.entered_at < v_t1 and s.last_entry_at < v_t1
      union all
      select l.h from later l
      where l.stage = b.stage and l.n = 1 and analytics.stay_bucket(l.h) = b.bucket
    ) x
    group by b.stage
  )
  select r.stage, r.position, coalesce(t.entered, 0), coalesce(t.advanced, 0),
    analytics.pct(coalesce(t.advanced, 0), coalesce(t.entered, 0)), coalesce(t.completed, 0),
    -- as avg(round(days, 2)): Σ (scale 2) ÷ count, rounded
    round(round(t.days_h / 100.0, 2) / nullif(t.completed, 0), 2),
    -- as analytics.median_hundredths
    round((m.s[((m.n + 1) / 2 - m.below)::integer]
      + m.s[(m.n / 2 + 1 - m.below)::integer]) / 200.0, 2)
  from rank r
  left join t on t.stage = r.stage
  left join m on m.stage = r.stage
  where r.progress is not null and r.stage <> 'Closed Won'
  order by r.position;
end
$$;
comment on function analytics.stage_conversion(date, text) is
  'Stage-to-stage conversion = entries into a stage in the period that later reached a further '
  'stage (higher position, or Closed Won) ÷ entries (skip-tolerant variant of entries(n+1) ÷ '
  'entries(n)); days in stage = entry to the next stage change or deletion, completed stays '
  'only; from Zoho''s Stage_History (stays before our first sync) merged with the versions we '
  'own (analytics.f_stage_entries)';
