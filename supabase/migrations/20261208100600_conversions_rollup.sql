-- Conversions rolled up (analytics.r_conversions: converted leads per conversion month,
-- dimension value, deleted_at and days bucket, with Σ hundredths of days), kept by the f_leads
-- statement triggers, folded and truncated with the other rollups, aggregated by the full
-- rebuild, and read by analytics.conversion_velocity (analytics/rollups.sql, rollups_keys.sql,
-- rollups_keep.sql, facts_refresh.sql, kpis_lead_times.sql). Built here from the facts as they
-- stand.
-- Conversions (analytics.conversion_velocity): converted leads with a Created_Time per conversion
-- month, dimension (all, source), deleted_at and bucket of days from creation to conversion
-- (analytics.conversion_bucket of the hundredths of days; null: no conversion time), with Σ
-- hundredths of days. The KPI's months are calendar months, so a month is one key: it takes the
-- as_of month's conversions after as_of out, finds the median's bucket and reads the exact days of
-- that bucket only (f_leads_conversion_bucket_idx). 13 months on the 1M-lead demo: about 3.6k rows
-- instead of 80k conversions.
create unlogged table analytics.r_conversions_folded (
  converted_month date not null,
  -- all (key null), source (Lead_Source)
  dimension text not null,
  key text,
  deleted_at timestamptz,
  -- analytics.conversion_bucket(hundredths of days); null: no conversion time
  bucket smallint,
  conversions bigint not null,
  -- Σ hundredths of days of those with a time (0 for the rest)
  days_h bigint not null
);
comment on table analytics.r_conversions_folded is
  'Count of converted analytics.f_leads and Σ days to conversion (hundredths) per conversion '
  'month, dimension (all/source) and key, deleted_at and days bucket, as of the last '
  'analytics.fold_rollups()';
create unique index r_conversions_key_idx on analytics.r_conversions_folded
  (converted_month, dimension, key, deleted_at, bucket) nulls not distinct;

create unlogged table analytics.r_conversions_log (like analytics.r_conversions_folded);
create index r_conversions_log_month_idx on analytics.r_conversions_log (converted_month);

create view analytics.r_conversions as
  select * from analytics.r_conversions_folded
  union all
  select * from analytics.r_conversions_log;
comment on view analytics.r_conversions is
  'Converted leads counted per conversion month, dimension (all/source) and key, deleted_at and '
  'days bucket (Σ hundredths of days): folded rollups + the log since the last fold (sum rows per '
  'key)';

alter table analytics.r_conversions_folded enable row level security;
alter table analytics.r_conversions_log enable row level security;
revoke all on analytics.r_conversions_folded, analytics.r_conversions_log,
  analytics.r_conversions from anon, authenticated;
grant select on analytics.r_conversions_folded, analytics.r_conversions_log,
  analytics.r_conversions to service_role;

-- A lead's days from Created_Time to conversion in hundredths, as conversion_velocity rounds them:
-- round(days, 2) × 100, days = seconds ÷ 86,400 (as analytics.days, which is defined after this
-- file); null without both times.
create or replace function analytics.conversion_hundredths(p_created_at timestamptz,
  p_converted_at timestamptz)
returns bigint
language sql immutable parallel safe
as $$
  select (round(extract(epoch from p_converted_at - p_created_at) / 86400, 2) * 100)::bigint
$$;

-- The days bucket of a conversion (hundredths of days): before creation (-1), a day each up to 60
-- days (0-59: the demo's conversions take 0-30 days), a week each up to 179 days (60-76), then
-- 179-364 days and later (77-78). Null for null.
create or replace function analytics.conversion_bucket(p_hundredths bigint) returns smallint
language sql immutable parallel safe
as $$
  select (case when p_hundredths is null then null when p_hundredths < 0 then -1
    when p_hundredths < 6000 then p_hundredths / 100
    when p_hundredths < 17900 then 60 + (p_hundredths - 6000) / 700
    when p_hundredths < 36500 then 77 else 78 end)::smallint
$$;

-- A converted lead's keys in analytics.r_conversions (its conversion month, each dimension value,
-- deleted_at, days bucket) and its days in hundredths. None for a lead not converted, without a
-- conversion day or without a Created_Time (conversion_velocity counts none of them).
create or replace function analytics.conversion_keys(f analytics.f_leads)
returns table (converted_month date, dimension text, key text, deleted_at timestamptz,
  bucket smallint, h bigint)
language sql immutable
as $$
  select date_trunc('month', f.converted_day::timestamp)::date, k.dimension, k.key, f.deleted_at,
    analytics.conversion_bucket(x.h), x.h
  -- offset 0: the days computed once per lead
  from (select analytics.conversion_hundredths(f.created_at, f.converted_at) as h offset 0) x
  cross join lateral (values ('all', null), ('source', f.lead_source)) k(dimension, key)
  where f.converted and f.converted_day is not null and f.created_at is not null
$$;

-- The exact days of one bucket's conversions, for the median (analytics.conversion_velocity).
create index f_leads_conversion_bucket_idx on analytics.f_leads (
  analytics.conversion_bucket(analytics.conversion_hundredths(created_at, converted_at)),
  converted_day) where converted and created_at is not null;

-- f_leads statement → r_leads_log, r_lead_response_log and r_conversions_log: − old rows, + new
-- rows, summed per key (no row locked).
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
    insert into analytics.r_conversions_log
    select k.converted_month, k.dimension, k.key, k.deleted_at, k.bucket, -count(*),
      -coalesce(sum(k.h), 0)
    from old_rows o, analytics.conversion_keys(o) k
    group by 1, 2, 3, 4, 5;
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
    insert into analytics.r_conversions_log
    select k.converted_month, k.dimension, k.key, k.deleted_at, k.bucket, count(*),
      coalesce(sum(k.h), 0)
    from new_rows n, analytics.conversion_keys(n) k
    group by 1, 2, 3, 4, 5;
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
      analytics.r_lead_response_log, analytics.r_conversions_folded, analytics.r_conversions_log;
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
declare
  -- The folded rows this fold brought to 0, by row address, then deleted: the fold touches only
  -- the keys in the log. (Deleting "where count = 0" read every folded row: 57 ms a fold at 1M
  -- leads, at the end of every sync slice and every snapshot, with nothing to fold.)
  z tid[];
begin
  perform pg_advisory_xact_lock(hashtext('analytics.fold_rollups'));
  with moved as (delete from analytics.r_leads_log returning *),
  up as (
    insert into analytics.r_leads_folded as r
    select m.created_day, m.dimension, m.key, m.owner_name, m.deleted_at, sum(m.leads)
    from moved m
    group by 1, 2, 3, 4, 5
    having sum(m.leads) <> 0
    on conflict (created_day, dimension, key, owner_name, deleted_at)
    do update set leads = r.leads + excluded.leads
    returning r.ctid, r.leads)
  select array_agg(up.ctid) filter (where up.leads = 0) into z from up;
  delete from analytics.r_leads_folded where ctid = any(z) and leads = 0;

  with moved as (delete from analytics.r_deals_closed_log returning *),
  up as (
    insert into analytics.r_deals_closed_folded as r
    select m.closing_date, m.dimension, m.key, m.owner_name, m.is_won, m.created_late,
      m.deleted_at, sum(m.deals), sum(m.amount)
    from moved m
    group by 1, 2, 3, 4, 5, 6, 7
    having sum(m.deals) <> 0 or sum(m.amount) <> 0
    on conflict (closing_date, dimension, key, owner_name, is_won, created_late, deleted_at)
    do update set deals = r.deals + excluded.deals,
      amount = case when excluded.amount is null then r.amount
        else coalesce(r.amount, 0) + excluded.amount end
    returning r.ctid, r.deals)
  select array_agg(up.ctid) filter (where up.deals = 0) into z from up;
  delete from analytics.r_deals_closed_folded where ctid = any(z) and deals = 0;

  with moved as (delete from analytics.r_stage_stays_log returning *),
  up as (
    insert into analytics.r_stage_stays_folded as r
    select m.entered_day, m.stage, m.advanced, m.bucket, sum(m.stays), sum(m.days_h)
    from moved m
    group by 1, 2, 3, 4
    having sum(m.stays) <> 0 or sum(m.days_h) <> 0
    on conflict (entered_day, stage, advanced, bucket)
    do update set stays = r.stays + excluded.stays, days_h = r.days_h + excluded.days_h
    returning r.ctid, r.stays)
  select array_agg(up.ctid) filter (where up.stays = 0) into z from up;
  delete from analytics.r_stage_stays_folded where ctid = any(z) and stays = 0;

  with moved as (delete from analytics.r_lead_response_log returning *),
  up as (
    insert into analytics.r_lead_response_folded as r
    select m.created_day, m.dimension, m.key, m.owner_name, m.deleted_at, m.bucket,
      sum(m.leads), sum(m.hours_h)
    from moved m
    group by 1, 2, 3, 4, 5, 6
    having sum(m.leads) <> 0 or sum(m.hours_h) <> 0
    on conflict (created_day, dimension, key, owner_name, deleted_at, bucket)
    do update set leads = r.leads + excluded.leads, hours_h = r.hours_h + excluded.hours_h
    returning r.ctid, r.leads)
  select array_agg(up.ctid) filter (where up.leads = 0) into z from up;
  delete from analytics.r_lead_response_folded where ctid = any(z) and leads = 0;

  with moved as (delete from analytics.r_conversions_log returning *),
  up as (
    insert into analytics.r_conversions_folded as r
    select m.converted_month, m.dimension, m.key, m.deleted_at, m.bucket, sum(m.conversions),
      sum(m.days_h)
    from moved m
    group by 1, 2, 3, 4, 5
    having sum(m.conversions) <> 0 or sum(m.days_h) <> 0
    on conflict (converted_month, dimension, key, deleted_at, bucket)
    do update set conversions = r.conversions + excluded.conversions,
      days_h = r.days_h + excluded.days_h
    returning r.ctid, r.conversions)
  select array_agg(up.ctid) filter (where up.conversions = 0) into z from up;
  delete from analytics.r_conversions_folded where ctid = any(z) and conversions = 0;
end
$$;
comment on function analytics.fold_rollups() is
  'Moves each rollup''s log (analytics.r_leads_log, r_deals_closed_log, r_stage_stays_log, '
  'r_lead_response_log, r_conversions_log) into its folded table (the views r_leads, '
  'r_deals_closed, r_stage_stays, r_lead_response, r_conversions read the same before and after)';

-- Rebuilds every fact table from the raw store (one read of each table) and marks them ready.
create or replace function analytics.refresh_facts() returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  tz text := analytics.time_zone();
begin
  perform pg_advisory_xact_lock(hashtext('analytics.refresh_facts'));
  truncate analytics.f_leads, analytics.f_deals, analytics.f_touches, analytics.f_activities,
    analytics.f_touches_dirty, analytics.f_deal_versions, analytics.f_stage_history,
    analytics.f_stage_entries, analytics.f_deal_pushes, analytics.f_campaigns,
    analytics.facts_built;

  -- Touches first: a lead's fact carries its first touch.
  insert into analytics.f_activities
  select f.* from zoho.records r, analytics.activity_fact(r.module, r.id, r.data, r.deleted_at) f
  where r.module in ('Calls', 'Tasks', 'Events');

  insert into analytics.f_touches
  select a.parent_module, a.parent_id, min(a.touched_at), max(a.touched_at)
  from analytics.f_activities a
  group by a.parent_module, a.parent_id;

  -- Every lead at once: its rollups (r_leads, r_lead_response, r_conversions) are aggregated
  -- from the table after the insert, as the stays' below, not through the statement trigger's
  -- capture of 1M inserted rows, log and fold.
  alter table analytics.f_leads disable trigger f_leads_rollups_insert;
  insert into analytics.f_leads
  select f.* from zoho.records r, analytics.lead_fact(r.id, r.data, r.deleted_at, tz) f
  where r.module = 'Leads';
  alter table analytics.f_leads enable trigger f_leads_rollups_insert;
  insert into analytics.r_leads_folded
  select k.day, k.dimension, k.key, k.owner_name, k.deleted_at, count(*)
  from analytics.f_leads f, analytics.lead_rollup_keys(f, tz) k
  group by 1, 2, 3, 4, 5;
  insert into analytics.r_lead_response_folded
  select k.created_day, k.dimension, k.key, k.owner_name, k.deleted_at, k.bucket, count(*),
    coalesce(sum(k.h), 0)
  from analytics.f_leads f, analytics.lead_response_keys(f) k
  group by 1, 2, 3, 4, 5, 6;
  insert into analytics.r_conversions_folded
  select k.converted_month, k.dimension, k.key, k.deleted_at, k.bucket, count(*),
    coalesce(sum(k.h), 0)
  from analytics.f_leads f, analytics.conversion_keys(f) k
  group by 1, 2, 3, 4, 5;

  insert into analytics.f_deals
  select f.* from zoho.records r, analytics.deal_fact(r.id, r.data, r.deleted_at, tz) f
  where r.module = 'Deals';

  insert into analytics.f_deal_versions
  select v.id, v.version, v.change, v.valid_from, lead(v.valid_from) over w, v.stage, v.amount,
    v.closing_date, lag(v.stage) over w, lag(v.closing_date) over w
  from (
    select rv.id, rv.version, rv.change, f.*
    from zoho.record_versions rv, analytics.deal_version_fact(rv.change, rv.data, rv.observed_at) f
    where rv.module = 'Deals'
  ) v
  window w as (partition by v.id order by v.version);

  insert into analytics.f_stage_history
  select h.deal_id, h.row_id, f.*
  from (
    select distinct on (sh.deal_id, sh.row_id) sh.deal_id, sh.row_id, sh.data
    from zoho.stage_history sh
    order by sh.deal_id, sh.row_id, sh.version desc
  ) h, analytics.stage_history_fact(h.data) f;

  -- Every stay at once: its rollup (analytics.r_stage_stays) is aggregated from the table after
  -- the insert, not by the statement trigger, whose capture of 1.1M inserted rows, log and fold
  -- cost about 4 s more at 1M leads (the lock truncate took already keeps writers out).
  alter table analytics.f_stage_entries disable trigger f_stage_entries_rollups_insert;
  insert into analytics.f_stage_entries
  select * from analytics.stage_entry_facts(array(select v.deal_id from analytics.f_deal_versions v
    union select h.deal_id from analytics.f_stage_history h));
  alter table analytics.f_stage_entries enable trigger f_stage_entries_rollups_insert;
  insert into analytics.r_stage_stays_folded
  select k.entered_day, k.stage, k.advanced, k.bucket, count(*), coalesce(sum(k.h), 0)
  from analytics.f_stage_entries e, analytics.stage_stay_key(e, tz) k
  group by 1, 2, 3, 4;

  insert into analytics.f_deal_pushes select * from analytics.deal_pushes;

  perform analytics.refresh_campaign_facts();
  insert into analytics.facts_built default values;
  -- The rollups' log holds every fact just inserted: fold it (analytics/rollups.sql).
  perform analytics.fold_rollups();

  analyze analytics.f_leads;
  analyze analytics.f_deals;
  analyze analytics.f_activities;
  analyze analytics.f_touches;
  analyze analytics.f_deal_versions;
  analyze analytics.f_stage_history;
  analyze analytics.f_stage_entries;
  analyze analytics.f_deal_pushes;
  analyze analytics.f_campaigns;
end
$$;
comment on function analytics.refresh_facts() is
  'Rebuilds analytics.f_* from zoho.records, zoho.record_versions and zoho.stage_history (one '
  'read of each) and marks them ready; afterwards triggers keep them current';

-- The facts as they stand, rolled up (nothing when they are not built yet).
insert into analytics.r_conversions_folded
select k.converted_month, k.dimension, k.key, k.deleted_at, k.bucket, count(*),
  coalesce(sum(k.h), 0)
from analytics.f_leads f, analytics.conversion_keys(f) k
group by 1, 2, 3, 4, 5;

-- From the conversions rollup (analytics.r_conversions: converted leads per conversion month,
-- source and days bucket, with Σ days), the as_of month's conversions after as_of taken out (by
-- conversion day: none for today). The median comes from the buckets: the bucket(s) holding each
-- month and source's middle rank(s), then the exact days of those buckets' conversions counted per
-- source, each (month, bucket) read once (f_leads_conversion_bucket_idx). 13 months at 1M leads:
-- about 3.6k rollup rows and a few thousand conversions instead of 80k.
create or replace function analytics.conversion_velocity(p_as_of date, p_months integer default 12)
returns table (month date, dimension text, key text, conversions bigint, median_days numeric,
  avg_days numeric, prev_median_days numeric, trend_days numeric)
language plpgsql stable
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
declare
  -- the first month read (its median is only the next month's previous one) and as_of's month
  v_m0 date := (date_trunc('month', p_as_of::timestamp) - make_interval(months => p_months))::date;
  v_m1 date := date_trunc('month', p_as_of::timestamp)::date;
  v_t1 timestamptz := analytics.day_end(p_as_of);
begin
  return query
  with late as materialized (
    select k.converted_month, k.dimension, k.key, k.bucket, k.h
    from analytics.f_leads f, analytics.conversion_keys(f) k
    where f.converted and f.converted_day > p_as_of
      and f.converted_day < (v_m1 + interval '1 month')::date
      and analytics.alive_at(f.deleted_at, v_t1)
  ),
  -- Per month, dimension value and bucket as of the end of as_of.
  rb as (
    select x.converted_month as month, x.dimension, x.key, x.bucket, sum(x.n) as n,
      sum(x.h) as h
    from (
      select r.converted_month, r.dimension, r.key, r.bucket, r.conversions as n, r.days_h as h
      from analytics.r_conversions r
      where r.converted_month >= v_m0 and r.converted_month <= v_m1
        and analytics.alive_at(r.deleted_at, v_t1)
      union all
      select l.converted_month, l.dimension, l.key, l.bucket, -1, -coalesce(l.h, 0) from late l
    ) x
    group by 1, 2, 3, 4
    having sum(x.n) <> 0
  ),
  g as (
    select rb.month, rb.dimension, rb.key, sum(rb.n)::bigint as conversions,
      -- bigint: the middle ranks below are integer divisions
      coalesce(sum(rb.n) filter (where rb.bucket is not null), 0)::bigint as timed,
      sum(rb.h) as days_h
    from rb
    group by 1, 2, 3
  ),
  -- Each bucket's rank range, and the bucket of each middle rank (nth: an odd count's middle
  -- rank is both).
  c as (
    select rb.month, rb.dimension, rb.key, rb.bucket, rb.n,
      (sum(rb.n) over (partition by rb.month, rb.dimension, rb.key order by rb.bucket)
        - rb.n)::bigint as below
    from rb where rb.bucket is not null
  ),
  need as (
    select c.month, c.dimension, c.key, c.bucket, r.rnk - c.below as rn, r.nth
    from c
    join g on g.month = c.month and g.dimension = c.dimension
      and g.key is not distinct from c.key
    cross join lateral (values ((g.timed + 1) / 2, 1), (g.timed / 2 + 1, 2)) r(rnk, nth)
    where r.rnk > c.below and r.rnk <= c.below + c.n
  ),
  -- The exact days in the needed buckets, counted per source and in all (a day's bucket holds at
  -- most 100 distinct hundredths).
  vh as (
    select f.month, f.bucket, analytics.dimension(grouping(f.lead_source)) as dimension,
      case when grouping(f.lead_source) = 0 then f.lead_source end as key, f.h, count(*) as n
    from (select distinct need.month, need.bucket from need) b
    cross join lateral (
      select b.month, b.bucket, f.lead_source,
        analytics.conversion_hundredths(f.created_at, f.converted_at) as h
      from analytics.f_leads f
      where analytics.conversion_bucket(analytics.conversion_hundredths(f.created_at,
          f.converted_at)) = b.bucket
        and f.converted and f.created_at is not null
        and f.converted_day >= b.month and f.converted_day < (b.month + interval '1 month')::date
        and f.converted_day <= p_as_of and analytics.alive_at(f.deleted_at, v_t1)
    ) f
    group by grouping sets ((f.month, f.bucket, f.h), (f.month, f.bucket, f.lead_source, f.h))
  ),
  vc as (
    select vh.month, vh.dimension, vh.key, vh.bucket, vh.h,
      (sum(vh.n) over (partition by vh.month, vh.dimension, vh.key, vh.bucket
        order by vh.h))::bigint as upto
    from vh
  ),
  -- Each middle rank's days: the least whose running count within the bucket reaches it.
  m as (
    select x.month, x.dimension, x.key, sum(x.h) as s
    from (
      select need.month, need.dimension, need.key, need.nth, min(vc.h) as h
      from need
      join vc on vc.month = need.month and vc.dimension = need.dimension
        and vc.bucket = need.bucket and vc.key is not distinct from need.key
        and vc.upto >= need.rn
      group by 1, 2, 3, 4
    ) x
    group by 1, 2, 3
  ),
  -- as analytics.median_hundredths (Σ of the two middle values ÷ 200) and round(avg(round(days,
  -- 2)), 2) (Σ with scale 2 ÷ count, rounded); labelled as analytics.dimension_key labels
  t as (
    select g.month, g.dimension, g.key,
      case when g.dimension = 'source' then coalesce(g.key, '(none)') end as label,
      g.conversions, m.s / 200.0 as median_days,
      round(round(g.days_h / 100.0, 2) / nullif(g.timed, 0), 2) as avg_days
    from g
    left join m on m.month = g.month and m.dimension = g.dimension
      and m.key is not distinct from g.key
  ),
  tl as (
    select t.*, lag(t.median_days) over (partition by t.dimension, t.label order by t.month)
      as prev_median, lag(t.month) over (partition by t.dimension, t.label order by t.month)
      as prev_month
    from t
  )
  select tl.month, tl.dimension, tl.label, tl.conversions, round(tl.median_days, 2), tl.avg_days,
    case when tl.prev_month = (tl.month - interval '1 month')::date
      then round(tl.prev_median, 2) end,
    case when tl.prev_month = (tl.month - interval '1 month')::date
      then round(tl.median_days - tl.prev_median, 2) end
  from tl
  where tl.month > v_m0
  order by 1, 2, 3 nulls first, tl.key nulls first;
end
$$;
comment on function analytics.conversion_velocity(date, integer) is
  'Conversion velocity = median days from lead Created_Time to conversion, by conversion month '
  '(and source); trend_days = median − the previous month''s median (negative = faster)';

-- No KPI sorts every value for a median any more: analytics.median_hundredths, the definition the
-- rolled-up medians follow, sorts in SQL again and intarray goes (analytics/rules.sql).
-- The same median of values kept to 2 decimals, given in hundredths (integer: value × 100, so
-- ±21,474,836.47 at most): the exact median of x for `analytics.median_hundredths(array_agg((x *
-- 100)::integer))`, x rounded to 2 decimals. The definition the rolled-up medians follow (lead
-- response, conversion velocity, stage conversion: Σ of the two middle values ÷ 200), which read
-- the middle values from buckets instead of sorting every value.
create or replace function analytics.median_hundredths(p_values integer[]) returns numeric
language sql immutable parallel safe
as $$
  select (x.s[(x.n + 1) / 2]::bigint + x.s[x.n / 2 + 1]) / 200.0
  from (select array_agg(v order by v) as s, count(*)::integer as n
    from unnest(p_values) v where v is not null) x
$$;
comment on function analytics.median_hundredths(integer[]) is
  'analytics.median of values with 2 decimals given × 100 as integers, as numeric';
drop extension if exists intarray;
