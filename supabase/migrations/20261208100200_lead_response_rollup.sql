-- Lead response times rolled up (analytics.r_lead_response: leads per created day, dimension
-- value, deleted_at and response bucket, with Σ hundredths of hours), kept by the f_leads
-- statement triggers, folded and truncated with the other rollups, and read by
-- analytics.lead_response (analytics/rollups.sql, rollups_keys.sql, rollups_keep.sql,
-- kpis_leads.sql). Built here from the facts as they stand.
-- Lead response times (analytics.f_leads' first touch, analytics.lead_response): leads per created
-- day, dimension (all, source, owner: the keys of analytics.r_leads), deleted_at and response
-- bucket (analytics.response_bucket of the hundredths of hours; null: never touched), with Σ
-- hundredths of hours. Each lead in its final state (touched if ever touched): lead_response
-- takes the few leads touched after as_of out of their bucket. Counts, Σ and the buckets give the
-- mean, the share within the hour and the median's rank; the exact values come from the leads of
-- one bucket (f_leads_response_bucket_idx). Twelve months on the 1M-lead demo: 128k rows instead
-- of 396k leads read three times (once per dimension).
create unlogged table analytics.r_lead_response_folded (
  created_day date not null,
  -- all (key null), source (Lead_Source), owner (owner id, with its name)
  dimension text not null,
  key text,
  owner_name text,
  deleted_at timestamptz,
  -- analytics.response_bucket(hundredths of hours); null: not touched
  bucket smallint,
  leads bigint not null,
  -- Σ hundredths of hours of the touched leads (0 for the rest)
  hours_h bigint not null
);
comment on table analytics.r_lead_response_folded is
  'Count of analytics.f_leads and Σ response time (hundredths of hours) per created_day, '
  'dimension (all/source/owner) and key, owner name, deleted_at and response bucket, as of the '
  'last analytics.fold_rollups()';
create unique index r_lead_response_key_idx on analytics.r_lead_response_folded
  (created_day, dimension, key, owner_name, deleted_at, bucket) nulls not distinct;

create unlogged table analytics.r_lead_response_log (like analytics.r_lead_response_folded);
create index r_lead_response_log_day_idx on analytics.r_lead_response_log (created_day);

create view analytics.r_lead_response as
  select * from analytics.r_lead_response_folded
  union all
  select * from analytics.r_lead_response_log;
comment on view analytics.r_lead_response is
  'Leads counted per created_day, dimension (all/source/owner) and key, owner name, deleted_at '
  'and response bucket (Σ hundredths of hours): folded rollups + the log since the last fold '
  '(sum rows per key)';

alter table analytics.r_lead_response_folded enable row level security;
alter table analytics.r_lead_response_log enable row level security;
revoke all on analytics.r_lead_response_folded, analytics.r_lead_response_log,
  analytics.r_lead_response from anon, authenticated;
grant select on analytics.r_lead_response_folded, analytics.r_lead_response_log,
  analytics.r_lead_response to service_role;

-- A lead's response time in hundredths of hours, as analytics.lead_response rounds it:
-- round(hours, 2) × 100, hours = seconds from Created_Time to the first call/task/event ÷ 3,600
-- (0 when touched before it was created, or with no Created_Time); null when never touched.
create or replace function analytics.response_hundredths(p_created_at timestamptz,
  p_first_touch_at timestamptz)
returns bigint
language sql immutable parallel safe
as $$
  select case when p_first_touch_at is not null then (round(greatest(extract(epoch from
    p_first_touch_at - p_created_at), 0) / 3600, 2) * 100)::bigint end
$$;

-- The response bucket of a lead (hundredths of hours): a tenth of an hour each up to 1 hour
-- (0-9, so buckets 0-9 are exactly the leads answered within the hour), an hour each up to 24
-- hours (10-32), then 1-2 days, 2-3 days, 3-7 days and later (33-36). Null: not touched.
-- Most leads are answered within 8 hours (77% on the 1M-lead demo; the medians are 0.5-3 h).
create or replace function analytics.response_bucket(p_hundredths bigint) returns smallint
language sql immutable parallel safe
as $$
  select (case when p_hundredths is null then null
    when p_hundredths <= 100 then greatest(p_hundredths - 1, 0) / 10
    when p_hundredths <= 2400 then 9 + (p_hundredths - 1) / 100
    when p_hundredths <= 4800 then 33 when p_hundredths <= 7200 then 34
    when p_hundredths <= 16800 then 35 else 36 end)::smallint
$$;

-- A lead's keys in analytics.r_lead_response (its created day, each dimension value, deleted_at,
-- response bucket) and its response in hundredths of hours, in its final state (touched if ever
-- touched: lead_response corrects the leads touched after as_of). None without a created day.
create or replace function analytics.lead_response_keys(f analytics.f_leads)
returns table (created_day date, dimension text, key text, owner_name text,
  deleted_at timestamptz, bucket smallint, h bigint)
language sql immutable
as $$
  select f.created_day, k.dimension, k.key, k.owner_name, f.deleted_at,
    analytics.response_bucket(x.h), x.h
  -- offset 0: the response computed once per lead (flattened, each use computed it again)
  from (select analytics.response_hundredths(f.created_at, f.first_touch_at) as h offset 0) x
  cross join lateral (values ('all', null, null), ('source', f.lead_source, null),
    ('owner', f.owner_id, f.owner_name)) k(dimension, key, owner_name)
  where f.created_day is not null
$$;

-- The exact response times of one bucket's leads, for the median (analytics.lead_response), and
-- the slowest answers (bucket 36), among which are the leads first touched after a past as_of.
create index f_leads_response_bucket_idx on analytics.f_leads (
  analytics.response_bucket(analytics.response_hundredths(created_at, first_touch_at)),
  created_day) where first_touch_at is not null;

-- f_leads statement → r_leads_log and r_lead_response_log: − old rows, + new rows, summed per
-- key (no row locked).
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
    insert into analytics.r_lead_response_log
    select k.created_day, k.dimension, k.key, k.owner_name, k.deleted_at, k.bucket, -count(*),
      -coalesce(sum(k.h), 0)
    from old_rows o, analytics.lead_response_keys(o) k
    group by 1, 2, 3, 4, 5, 6;
  end if;
  if tg_op <> 'DELETE' then
    insert into analytics.r_leads_log
    select k.day, k.dimension, k.key, k.owner_name, k.deleted_at, count(*)
    from new_rows n, analytics.lead_rollup_keys(n, tz) k
    group by 1, 2, 3, 4, 5;
    insert into analytics.r_lead_response_log
    select k.created_day, k.dimension, k.key, k.owner_name, k.deleted_at, k.bucket, count(*),
      coalesce(sum(k.h), 0)
    from new_rows n, analytics.lead_response_keys(n) k
    group by 1, 2, 3, 4, 5, 6;
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
    truncate analytics.r_leads_folded, analytics.r_leads_log, analytics.r_lead_response_folded,
      analytics.r_lead_response_log;
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

  with moved as (delete from analytics.r_lead_response_log returning *)
  insert into analytics.r_lead_response_folded as r
  select m.created_day, m.dimension, m.key, m.owner_name, m.deleted_at, m.bucket, sum(m.leads),
    sum(m.hours_h)
  from moved m
  group by 1, 2, 3, 4, 5, 6
  having sum(m.leads) <> 0 or sum(m.hours_h) <> 0
  on conflict (created_day, dimension, key, owner_name, deleted_at, bucket)
  do update set leads = r.leads + excluded.leads, hours_h = r.hours_h + excluded.hours_h;
  delete from analytics.r_lead_response_folded where leads = 0;
end
$$;
comment on function analytics.fold_rollups() is
  'Moves analytics.r_leads_log / r_deals_closed_log / r_stage_stays_log / r_lead_response_log '
  'into r_leads_folded / r_deals_closed_folded / r_stage_stays_folded / r_lead_response_folded '
  '(the views r_leads / r_deals_closed / r_stage_stays / r_lead_response read the same before '
  'and after)';

-- The facts as they stand, rolled up (nothing when they are not built yet).
insert into analytics.r_lead_response_folded
select k.created_day, k.dimension, k.key, k.owner_name, k.deleted_at, k.bucket, count(*),
  coalesce(sum(k.h), 0)
from analytics.f_leads f, analytics.lead_response_keys(f) k
group by 1, 2, 3, 4, 5, 6;

-- From the response rollup (analytics.r_lead_response: leads per created day, dimension value and
-- response bucket, each in its final state), corrected for the leads of the window first touched
-- after as_of (untouched as of then: out of their bucket, into "not touched"). The median comes
-- from the buckets: the bucket(s) holding each key's middle rank(s), then the exact times of
-- those buckets' leads, each bucket read once for every key (f_leads_response_bucket_idx).
create or replace function analytics.lead_response(p_as_of date, p_period text default 'mtd')
returns table (dimension text, key text, label text, leads bigint, touched bigint,
  untouched bigint, median_hours numeric, avg_hours numeric, within_1h_pct numeric)
language plpgsql stable
-- Planned with its days and instant: the leads touched after as_of are none for today and many
-- for a past as_of.
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
declare
  v_d0 date;
  v_d1 date;
  v_t1 timestamptz := analytics.day_end(p_as_of);
begin
  select w.start_day, w.end_day into v_d0, v_d1
  from analytics.periods(p_as_of) w where w.period = p_period;
  return query
  -- The window's leads first touched after as_of: those created in its last 8 days by day
  -- (f_leads_created_day_idx), the earlier ones among the leads answered after more than 7 days
  -- (bucket 36, f_leads_response_bucket_idx): created before as_of − 7, a lead touched after
  -- as_of waited at least 8 days less an hour of DST. A handful for today's as_of; a past as_of
  -- reads about 8 days of leads and the window's slowest answers, not every later touch.
  with late as materialized (
    select k.dimension, k.key, k.owner_name, k.bucket, k.h
    from analytics.f_leads f, analytics.lead_response_keys(f) k
    where f.first_touch_at >= v_t1 and f.created_day >= greatest(v_d0, p_as_of - 7)
      and f.created_day < v_d1 and analytics.alive_at(f.deleted_at, v_t1)
    union all
    select k.dimension, k.key, k.owner_name, k.bucket, k.h
    from analytics.f_leads f, analytics.lead_response_keys(f) k
    where analytics.response_bucket(analytics.response_hundredths(f.created_at,
        f.first_touch_at)) = 36
      and f.first_touch_at is not null and f.first_touch_at >= v_t1
      and f.created_day >= v_d0 and f.created_day < least(v_d1, p_as_of - 7)
      and analytics.alive_at(f.deleted_at, v_t1)
  ),
  -- Per dimension value and bucket as of the end of as_of.
  rb as (
    select x.dimension, x.key, x.owner_name, x.bucket, sum(x.leads) as n, sum(x.hours_h) as h
    from (
      select r.dimension, r.key, r.owner_name, r.bucket, r.leads, r.hours_h
      from analytics.r_lead_response r
      where r.created_day >= v_d0 and r.created_day < v_d1
        and analytics.alive_at(r.deleted_at, v_t1)
      union all
      select l.dimension, l.key, l.owner_name, l.bucket, -1, -l.h from late l
      union all
      select l.dimension, l.key, l.owner_name, null, 1, 0 from late l
    ) x
    group by 1, 2, 3, 4
    having sum(x.leads) <> 0
  ),
  -- Per dimension value; 'all' even with no lead (as a grouping set () over no rows).
  k as (
    select d.dimension, rb.key, max(rb.owner_name) as owner_name,
      coalesce(sum(rb.n), 0)::bigint as leads,
      -- bigint: the middle ranks below are integer divisions
      coalesce(sum(rb.n) filter (where rb.bucket is not null), 0)::bigint as touched,
      sum(rb.h) as hours_h, sum(rb.n) filter (where rb.bucket <= 9) as within
    from (values ('all'), ('source'), ('owner')) d(dimension)
    left join rb on rb.dimension = d.dimension
    where rb.dimension is not null or d.dimension = 'all'
    group by 1, 2
  ),
  -- Each touched bucket's rank range, and the bucket of each middle rank.
  -- (an owner's leads may carry two names: one row per bucket first)
  c as (
    select b.dimension, b.key, b.bucket, b.n,
      (sum(b.n) over (partition by b.dimension, b.key order by b.bucket) - b.n)::bigint as below
    from (
      select rb.dimension, rb.key, rb.bucket, sum(rb.n) as n from rb
      where rb.bucket is not null group by 1, 2, 3
    ) b
  ),
  need as (
    select c.dimension, c.key, c.bucket, r.rnk - c.below as rn, r.rnk
    from c
    join k on k.dimension = c.dimension and k.key is not distinct from c.key
    cross join lateral (values ((k.touched + 1) / 2), (k.touched / 2 + 1)) r(rnk)
    where r.rnk > c.below and r.rnk <= c.below + c.n
  ),
  -- The exact times in the needed buckets, counted per dimension value (a bucket holds at most
  -- 100 distinct times): each bucket's leads touched by as_of read once for every value.
  vh as (
    select f.bucket, analytics.dimension(grouping(f.lead_source), grouping(f.owner_id))
        as dimension,
      case when grouping(f.lead_source) = 0 then f.lead_source
        when grouping(f.owner_id) = 0 then f.owner_id end as key, f.h, count(*) as n
    from (select distinct need.bucket from need) b
    cross join lateral (
      select b.bucket, f.lead_source, f.owner_id,
        analytics.response_hundredths(f.created_at, f.first_touch_at) as h
      from analytics.f_leads f
      where analytics.response_bucket(analytics.response_hundredths(f.created_at,
          f.first_touch_at)) = b.bucket
        and f.first_touch_at is not null and f.first_touch_at < v_t1
        and f.created_day >= v_d0 and f.created_day < v_d1
        and analytics.alive_at(f.deleted_at, v_t1)
    ) f
    group by grouping sets ((f.bucket, f.h), (f.bucket, f.lead_source, f.h),
      (f.bucket, f.owner_id, f.h))
  ),
  vc as (
    select vh.dimension, vh.key, vh.bucket, vh.h,
      sum(vh.n) over (partition by vh.dimension, vh.key, vh.bucket order by vh.h) as upto
    from vh
  ),
  -- Each middle rank's time: the least time whose running count within the bucket reaches it.
  m as (
    select need.dimension, need.key, sum(x.h) as s
    from need
    cross join lateral (select min(vc.h) as h from vc
      where vc.dimension = need.dimension and vc.key is not distinct from need.key
        and vc.bucket = need.bucket and vc.upto >= need.rn) x
    group by 1, 2
  )
  select k.dimension,
    case when k.dimension <> 'all' then coalesce(k.key, '(none)') end,
    case when k.dimension = 'owner' then k.owner_name end,
    k.leads, k.touched, k.leads - k.touched,
    -- as round(analytics.median_hundredths(...), 2): Σ of the two middle ranks' values (an odd
    -- count's middle rank is both)
    round(m.s / 200.0, 2),
    -- as round(avg(round(hours, 2)), 2): Σ (scale 2) ÷ count, rounded
    round(round(k.hours_h / 100.0, 2) / nullif(k.touched, 0), 2),
    analytics.pct(coalesce(k.within, 0), k.touched)
  from k
  left join m on m.dimension = k.dimension and m.key is not distinct from k.key
  order by 1, 2 nulls first, k.key nulls first;
end
$$;
comment on function analytics.lead_response(date, text) is
  'Lead response time = first call/task/event on the lead (What_Id) − lead Created_Time, hours; '
  'median (leadsource.co), mean and share within 1 hour (HBR) over touched leads created in the '
  'period; untouched = no touch by the end of p_as_of';
