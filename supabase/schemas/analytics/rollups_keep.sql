-- How the rollups (analytics/rollups.sql: tables, views and the rules they keep) are kept: the
-- statement triggers that log each fact's deltas under its keys (analytics/rollups_keys.sql), the
-- fold and the truncate. Leads, closed deals, stage stays and lead response times.

-- f_leads statement → r_leads_log, r_lead_response_log, r_conversions_log and
-- r_dashboard_daily_log: − old rows, + new rows, summed per key (no row locked).
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
    insert into analytics.r_dashboard_daily_log
    select k.day, k.kind, k.lead_source, k.owner_id, k.owner_name, k.band, k.created_late,
      k.deleted_at, -count(*), null
    from old_rows o, analytics.dashboard_lead_key(o) k
    group by 1, 2, 3, 4, 5, 6, 7, 8;
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
    insert into analytics.r_dashboard_daily_log
    select k.day, k.kind, k.lead_source, k.owner_id, k.owner_name, k.band, k.created_late,
      k.deleted_at, count(*), null
    from new_rows n, analytics.dashboard_lead_key(n) k
    group by 1, 2, 3, 4, 5, 6, 7, 8;
  end if;
  return null;
end
$$;

-- f_deals statement → r_deals_closed_log (− old closed rows, + new ones, summed per key),
-- r_deal_amounts_log (the same for the deals with an amount above 0 and a created_at),
-- r_open_deals_log (the open deals with a created day) and r_dashboard_daily_log (closed deals).
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
    insert into analytics.r_deal_amounts_log
    select analytics.amount_bucket(o.amount), -count(*)
    from old_rows o
    where o.amount > 0 and o.created_at is not null
    group by 1;
    insert into analytics.r_open_deals_log
    select k.dimension, k.key, k.owner_name, o.deleted_at, -count(*), -sum(o.amount),
      -sum(o.amount * o.probability / 100)
    from old_rows o, analytics.open_deal_keys(o) k
    group by 1, 2, 3, 4;
    insert into analytics.r_dashboard_daily_log
    select k.day, k.kind, k.lead_source, k.owner_id, k.owner_name, k.band, k.created_late,
      k.deleted_at, -count(*), -sum(k.amount)
    from old_rows o, analytics.dashboard_deal_key(o) k
    group by 1, 2, 3, 4, 5, 6, 7, 8;
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
    insert into analytics.r_deal_amounts_log
    select analytics.amount_bucket(n.amount), count(*)
    from new_rows n
    where n.amount > 0 and n.created_at is not null
    group by 1;
    insert into analytics.r_open_deals_log
    select k.dimension, k.key, k.owner_name, n.deleted_at, count(*), sum(n.amount),
      sum(n.amount * n.probability / 100)
    from new_rows n, analytics.open_deal_keys(n) k
    group by 1, 2, 3, 4;
    insert into analytics.r_dashboard_daily_log
    select k.day, k.kind, k.lead_source, k.owner_id, k.owner_name, k.band, k.created_late,
      k.deleted_at, count(*), sum(k.amount)
    from new_rows n, analytics.dashboard_deal_key(n) k
    group by 1, 2, 3, 4, 5, 6, 7, 8;
  end if;
  return null;
end
$$;

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

-- Converted leads' cohort events (analytics.r_cohorts) follow both the lead and its deal:
-- rollup = Σ over converted leads of analytics.cohort_events(lead, its deal as it is now). An
-- f_leads statement logs − the events of its old rows and + those of its new rows (the rows whose
-- cohort columns changed), each with its deal as it is now; an f_deals statement logs − the won
-- events of the leads converted into a changed deal with the deal's old row, + with its new row
-- (the deals whose outcome, Closing_Date or deletion changed). One maintainer at a time, to its
-- commit, on the lock analytics.keep_first_wins takes (one lock for the facts kept across tables,
-- so the two cannot wait on each other): a writer that waited sees what the other committed, where
-- two at once would each have paired its rows with the other's old ones. Only a statement that
-- has such rows takes it (a deal statement whose won deals changed, whether or not a lead names
-- them yet): a day's lead status changes and first touches do not.
create or replace function analytics.f_leads_to_cohorts() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  tz text := analytics.time_zone();
  ids text[];
begin
  -- the converted leads written; of an update, only those whose cohort columns changed
  if tg_op = 'INSERT' then
    ids := array(select n.id from new_rows n where n.converted);
  elsif tg_op = 'DELETE' then
    ids := array(select o.id from old_rows o where o.converted);
  else
    ids := array(select o.id from old_rows o join new_rows n on n.id = o.id
      where (o.converted or n.converted)
        and (o.converted, o.converted_day, o.created_day, o.lead_source, o.deleted_at,
          o.converted_deal_id) is distinct from (n.converted, n.converted_day, n.created_day,
          n.lead_source, n.deleted_at, n.converted_deal_id));
  end if;
  if cardinality(ids) = 0 then
    return null;
  end if;
  lock table analytics.f_first_wins in share row exclusive mode;
  -- each with its deal as it is now, after the lock (a writer that waited sees the other's)
  if tg_op <> 'INSERT' then
    insert into analytics.r_cohorts_log
    select k.cohort_month, k.lead_source, k.measure, k.day, -sum(k.n)
    from old_rows o
    join unnest(ids) c(id) on c.id = o.id
    left join analytics.f_deals d on d.id = o.converted_deal_id
    cross join lateral analytics.cohort_events(o, d, tz) k
    group by 1, 2, 3, 4;
  end if;
  if tg_op <> 'DELETE' then
    insert into analytics.r_cohorts_log
    select k.cohort_month, k.lead_source, k.measure, k.day, sum(k.n)
    from new_rows n
    join unnest(ids) c(id) on c.id = n.id
    left join analytics.f_deals d on d.id = n.converted_deal_id
    cross join lateral analytics.cohort_events(n, d, tz) k
    group by 1, 2, 3, 4;
  end if;
  return null;
end
$$;

create or replace function analytics.f_deals_to_cohorts() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  tz text := analytics.time_zone();
  ids text[];
begin
  if tg_op = 'INSERT' then
    ids := array(select n.id from new_rows n where n.is_won);
  elsif tg_op = 'DELETE' then
    ids := array(select o.id from old_rows o where o.is_won);
  else
    ids := array(select n.id from new_rows n join old_rows o on o.id = n.id
      where (n.is_won or o.is_won)
        and (n.is_won, n.closing_date, n.deleted_at) is distinct from
          (o.is_won, o.closing_date, o.deleted_at));
  end if;
  if cardinality(ids) = 0 then
    return null;
  end if;
  -- The lock before the leads are looked for: a lead converted into this deal by a transaction
  -- not yet committed is seen once it commits (looked for first, it was missed: a Deno test).
  lock table analytics.f_first_wins in share row exclusive mode;
  if not exists (select from analytics.f_leads f join unnest(ids) c(id)
      on f.converted_deal_id = c.id where f.converted) then
    return null;
  end if;
  -- the leads as they are now, after the lock (a writer that waited sees the other's)
  if tg_op <> 'INSERT' then
    insert into analytics.r_cohorts_log
    select k.cohort_month, k.lead_source, k.measure, k.day, -sum(k.n)
    from old_rows o
    join unnest(ids) c(id) on c.id = o.id
    join analytics.f_leads f on f.converted and f.converted_deal_id = o.id
    cross join lateral analytics.cohort_events(f, o, tz) k
    where k.measure = 2
    group by 1, 2, 3, 4;
  end if;
  if tg_op <> 'DELETE' then
    insert into analytics.r_cohorts_log
    select k.cohort_month, k.lead_source, k.measure, k.day, sum(k.n)
    from new_rows n
    join unnest(ids) c(id) on c.id = n.id
    join analytics.f_leads f on f.converted and f.converted_deal_id = n.id
    cross join lateral analytics.cohort_events(f, n, tz) k
    where k.measure = 2
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
    truncate analytics.r_leads_folded, analytics.r_leads_log, analytics.r_lead_response_folded,
      analytics.r_lead_response_log, analytics.r_lead_response_month, analytics.r_conversions_folded,
      analytics.r_conversions_log, analytics.r_cohorts_folded, analytics.r_cohorts_log,
      analytics.r_cohorts_month, analytics.r_dashboard_daily_folded,
      analytics.r_dashboard_daily_log;
  elsif tg_table_name = 'f_deals' then
    truncate analytics.r_deals_closed_folded, analytics.r_deals_closed_log,
      analytics.r_deal_amounts_folded, analytics.r_deal_amounts_log, analytics.r_open_deals_folded,
      analytics.r_open_deals_log, analytics.r_cohorts_folded, analytics.r_cohorts_log,
      analytics.r_cohorts_month, analytics.r_dashboard_daily_folded,
      analytics.r_dashboard_daily_log;
  else
    truncate analytics.r_stage_stays_folded, analytics.r_stage_stays_log,
      analytics.r_stage_stays_month;
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
  zm tid[];
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

  -- The same log rows into the daily and the monthly table, in one statement.
  with moved as (delete from analytics.r_stage_stays_log returning *),
  up as (
    insert into analytics.r_stage_stays_folded as r
    select m.entered_day, m.stage, m.advanced, m.bucket, sum(m.stays), sum(m.days_h)
    from moved m
    group by 1, 2, 3, 4
    having sum(m.stays) <> 0 or sum(m.days_h) <> 0
    on conflict (entered_day, stage, advanced, bucket)
    do update set stays = r.stays + excluded.stays, days_h = r.days_h + excluded.days_h
    returning r.ctid, r.stays),
  upm as (
    insert into analytics.r_stage_stays_month as r
    select date_trunc('month', m.entered_day)::date, m.stage, m.advanced, m.bucket,
      sum(m.stays), sum(m.days_h)
    from moved m
    group by 1, 2, 3, 4
    having sum(m.stays) <> 0 or sum(m.days_h) <> 0
    on conflict (entered_month, stage, advanced, bucket)
    do update set stays = r.stays + excluded.stays, days_h = r.days_h + excluded.days_h
    returning r.ctid, r.stays)
  select (select array_agg(up.ctid) filter (where up.stays = 0) from up),
    (select array_agg(upm.ctid) filter (where upm.stays = 0) from upm)
  into z, zm;
  delete from analytics.r_stage_stays_folded where ctid = any(z) and stays = 0;
  delete from analytics.r_stage_stays_month where ctid = any(zm) and stays = 0;

  -- The same log rows into the daily and the monthly table, in one statement.
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
    returning r.ctid, r.leads),
  upm as (
    insert into analytics.r_lead_response_month as r
    select date_trunc('month', m.created_day)::date, m.dimension, m.key, m.owner_name,
      m.deleted_at, m.bucket, sum(m.leads), sum(m.hours_h)
    from moved m
    group by 1, 2, 3, 4, 5, 6
    having sum(m.leads) <> 0 or sum(m.hours_h) <> 0
    on conflict (created_month, dimension, key, owner_name, deleted_at, bucket)
    do update set leads = r.leads + excluded.leads, hours_h = r.hours_h + excluded.hours_h
    returning r.ctid, r.leads)
  select (select array_agg(up.ctid) filter (where up.leads = 0) from up),
    (select array_agg(upm.ctid) filter (where upm.leads = 0) from upm)
  into z, zm;
  delete from analytics.r_lead_response_folded where ctid = any(z) and leads = 0;
  delete from analytics.r_lead_response_month where ctid = any(zm) and leads = 0;

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

  with moved as (delete from analytics.r_deal_amounts_log returning *),
  up as (
    insert into analytics.r_deal_amounts_folded as r
    select m.bucket, sum(m.deals)
    from moved m
    group by 1
    having sum(m.deals) <> 0
    on conflict (bucket) do update set deals = r.deals + excluded.deals
    returning r.ctid, r.deals)
  select array_agg(up.ctid) filter (where up.deals = 0) into z from up;
  delete from analytics.r_deal_amounts_folded where ctid = any(z) and deals = 0;

  with moved as (delete from analytics.r_open_deals_log returning *),
  up as (
    insert into analytics.r_open_deals_folded as r
    select m.dimension, m.key, m.owner_name, m.deleted_at, sum(m.deals), sum(m.amount),
      sum(m.weighted)
    from moved m
    group by 1, 2, 3, 4
    having sum(m.deals) <> 0 or sum(m.amount) <> 0 or sum(m.weighted) <> 0
    on conflict (dimension, key, owner_name, deleted_at)
    do update set deals = r.deals + excluded.deals,
      amount = case when excluded.amount is null then r.amount
        else coalesce(r.amount, 0) + excluded.amount end,
      weighted = case when excluded.weighted is null then r.weighted
        else coalesce(r.weighted, 0) + excluded.weighted end
    returning r.ctid, r.deals)
  select array_agg(up.ctid) filter (where up.deals = 0) into z from up;
  delete from analytics.r_open_deals_folded where ctid = any(z) and deals = 0;

  with moved as (delete from analytics.r_dashboard_daily_log returning *),
  up as (
    insert into analytics.r_dashboard_daily_folded as r
    select m.day, m.kind, m.lead_source, m.owner_id, m.owner_name, m.band, m.created_late,
      m.deleted_at, sum(m.n), sum(m.amount)
    from moved m
    group by 1, 2, 3, 4, 5, 6, 7, 8
    having sum(m.n) <> 0 or sum(m.amount) <> 0
    on conflict (day, kind, lead_source, owner_id, owner_name, band, created_late, deleted_at)
    do update set n = r.n + excluded.n,
      amount = case when excluded.amount is null then r.amount
        else coalesce(r.amount, 0) + excluded.amount end
    returning r.ctid, r.n)
  select array_agg(up.ctid) filter (where up.n = 0) into z from up;
  delete from analytics.r_dashboard_daily_folded where ctid = any(z) and n = 0;

  -- The same log rows into the day and the month table, in one statement.
  with moved as (delete from analytics.r_cohorts_log returning *),
  up as (
    insert into analytics.r_cohorts_folded as r
    select m.cohort_month, m.lead_source, m.measure, m.day, sum(m.n)
    from moved m
    group by 1, 2, 3, 4
    having sum(m.n) <> 0
    on conflict (cohort_month, lead_source, measure, day) do update set n = r.n + excluded.n
    returning r.ctid, r.n),
  upm as (
    insert into analytics.r_cohorts_month as r
    select m.cohort_month, m.lead_source, m.measure, date_trunc('month', m.day)::date, sum(m.n)
    from moved m
    group by 1, 2, 3, 4
    having sum(m.n) <> 0
    on conflict (cohort_month, lead_source, measure, month) do update set n = r.n + excluded.n
    returning r.ctid, r.n)
  select (select array_agg(up.ctid) filter (where up.n = 0) from up),
    (select array_agg(upm.ctid) filter (where upm.n = 0) from upm)
  into z, zm;
  delete from analytics.r_cohorts_folded where ctid = any(z) and n = 0;
  delete from analytics.r_cohorts_month where ctid = any(zm) and n = 0;
end
$$;
comment on function analytics.fold_rollups() is
  'Moves each rollup''s log (analytics.r_leads_log, r_deals_closed_log, r_stage_stays_log (also '
  'into r_stage_stays_month), r_lead_response_log (also into r_lead_response_month), '
  'r_conversions_log, r_deal_amounts_log, r_open_deals_log, r_cohorts_log (also into '
  'r_cohorts_month), r_dashboard_daily_log) into its folded table (the views r_leads, '
  'r_deals_closed, r_stage_stays, r_lead_response, r_conversions, r_deal_amounts, r_open_deals, '
  'r_dashboard_daily read the same before and after)';

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

create trigger f_leads_cohorts_insert after insert on analytics.f_leads
  referencing new table as new_rows
  for each statement execute function analytics.f_leads_to_cohorts();
create trigger f_leads_cohorts_update after update on analytics.f_leads
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.f_leads_to_cohorts();
create trigger f_leads_cohorts_delete after delete on analytics.f_leads
  referencing old table as old_rows
  for each statement execute function analytics.f_leads_to_cohorts();
create trigger f_deals_cohorts_insert after insert on analytics.f_deals
  referencing new table as new_rows
  for each statement execute function analytics.f_deals_to_cohorts();
create trigger f_deals_cohorts_update after update on analytics.f_deals
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.f_deals_to_cohorts();
create trigger f_deals_cohorts_delete after delete on analytics.f_deals
  referencing old table as old_rows
  for each statement execute function analytics.f_deals_to_cohorts();

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
revoke all on function analytics.f_leads_to_cohorts() from public;
revoke all on function analytics.f_deals_to_cohorts() from public;
revoke all on function analytics.fold_rollups() from public;
grant execute on function analytics.fold_rollups() to service_role;
