-- Issue 25: the rollup triggers append each statement's delta to a log instead of updating the
-- rollup rows in place under one advisory lock held to commit (20261206100300): a sync batch no
-- longer waits for the batch before it.
-- analytics.fold_rollups() (called by catch_up_facts and refresh_facts) moves the log into the
-- folded tables; the KPIs read the views analytics.r_leads / r_deals_closed (folded + log).

alter table analytics.r_leads rename to r_leads_folded;
alter table analytics.r_deals_closed rename to r_deals_closed_folded;
drop index analytics.r_leads_empty_idx;
drop index analytics.r_deals_closed_empty_idx;
comment on table analytics.r_leads_folded is
  'Count of analytics.f_leads per created_day, dimension (all/source/owner/status) and key, '
  'owner name and deleted_at, as of the last analytics.fold_rollups()';

-- Deltas appended by the triggers since the last fold (same key columns; a count may be < 0).
create unlogged table analytics.r_leads_log (like analytics.r_leads_folded);
create index r_leads_log_day_idx on analytics.r_leads_log (created_day);

comment on table analytics.r_deals_closed_folded is
  'Count and Σ Amount of Closed Won / Closed Lost analytics.f_deals per closing_date, dimension '
  '(all/source/owner) and key, owner name, is_won, created_late and deleted_at, as of the last '
  'analytics.fold_rollups()';

create unlogged table analytics.r_deals_closed_log (like analytics.r_deals_closed_folded);
create index r_deals_closed_log_day_idx on analytics.r_deals_closed_log (closing_date);

-- The rollups the KPIs read: folded rows plus the log, per key; keys at 0 left out.
create view analytics.r_leads as
  select x.created_day, x.dimension, x.key, x.owner_name, x.deleted_at, sum(x.leads)::bigint
    as leads
  from (
    select * from analytics.r_leads_folded
    union all
    select * from analytics.r_leads_log
  ) x
  group by x.created_day, x.dimension, x.key, x.owner_name, x.deleted_at
  having sum(x.leads) <> 0;
comment on view analytics.r_leads is
  'Count of analytics.f_leads per created_day, dimension (all/source/owner/status) and key, '
  'owner name and deleted_at (folded rollups + the log since the last fold)';

create view analytics.r_deals_closed as
  select x.closing_date, x.dimension, x.key, x.owner_name, x.is_won, x.created_late,
    x.deleted_at, sum(x.deals)::bigint as deals, sum(x.amount) as amount
  from (
    select * from analytics.r_deals_closed_folded
    union all
    select * from analytics.r_deals_closed_log
  ) x
  group by x.closing_date, x.dimension, x.key, x.owner_name, x.is_won, x.created_late,
    x.deleted_at
  having sum(x.deals) <> 0;
comment on view analytics.r_deals_closed is
  'Count and Σ Amount of Closed Won / Closed Lost analytics.f_deals per closing_date, dimension '
  '(all/source/owner) and key, owner name, is_won, created_late and deleted_at (folded rollups + '
  'the log since the last fold)';

alter table analytics.r_leads_folded enable row level security;
alter table analytics.r_leads_log enable row level security;
alter table analytics.r_deals_closed_folded enable row level security;
alter table analytics.r_deals_closed_log enable row level security;
revoke all on analytics.r_leads_folded, analytics.r_leads_log, analytics.r_deals_closed_folded,
  analytics.r_deals_closed_log, analytics.r_leads, analytics.r_deals_closed
  from anon, authenticated;
grant select on analytics.r_leads_folded, analytics.r_leads_log, analytics.r_deals_closed_folded,
  analytics.r_deals_closed_log, analytics.r_leads, analytics.r_deals_closed to service_role;

-- f_leads statement → r_leads_log: − old rows, + new rows, summed per key (no row locked).
create or replace function analytics.f_leads_to_rollups() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op <> 'INSERT' then
    insert into analytics.r_leads_log
    select o.created_day, k.dimension, k.key, k.owner_name, o.deleted_at, -count(*)
    from old_rows o
    cross join lateral (values ('all', null, null), ('source', o.lead_source, null),
      ('owner', o.owner_id, o.owner_name), ('status', o.lead_status, null))
      k(dimension, key, owner_name)
    group by 1, 2, 3, 4, 5;
  end if;
  if tg_op <> 'DELETE' then
    insert into analytics.r_leads_log
    select n.created_day, k.dimension, k.key, k.owner_name, n.deleted_at, count(*)
    from new_rows n
    cross join lateral (values ('all', null, null), ('source', n.lead_source, null),
      ('owner', n.owner_id, n.owner_name), ('status', n.lead_status, null))
      k(dimension, key, owner_name)
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

revoke all on function analytics.fold_rollups() from public;
grant execute on function analytics.fold_rollups() to service_role;

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
    analytics.f_stage_entries, analytics.f_campaigns, analytics.facts_built;

  insert into analytics.f_leads
  select f.* from zoho.records r, analytics.lead_fact(r.id, r.data, r.deleted_at, tz) f
  where r.module = 'Leads';

  insert into analytics.f_deals
  select f.* from zoho.records r, analytics.deal_fact(r.id, r.data, r.deleted_at, tz) f
  where r.module = 'Deals';

  insert into analytics.f_activities
  select f.* from zoho.records r, analytics.activity_fact(r.module, r.id, r.data, r.deleted_at) f
  where r.module in ('Calls', 'Tasks', 'Events');

  insert into analytics.f_touches
  select a.parent_module, a.parent_id, min(a.touched_at), max(a.touched_at)
  from analytics.f_activities a
  group by a.parent_module, a.parent_id;

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

  insert into analytics.f_stage_entries
  select * from analytics.stage_entry_facts(array(select v.deal_id from analytics.f_deal_versions v
    union select h.deal_id from analytics.f_stage_history h));

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
  analyze analytics.f_campaigns;
end
$$;
create or replace function analytics.catch_up_facts() returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  mods text[];
  ids text[];
begin
  perform pg_advisory_xact_lock(hashtext('analytics.refresh_facts'));
  if not exists (select from analytics.facts_built) then
    perform analytics.refresh_facts();
    return;
  end if;
  -- Exactly the dirty rows this statement deletes are processed; rows committed later stay for
  -- the next catch-up (recomputing a parent twice is harmless).
  with d as (delete from analytics.f_touches_dirty returning parent_module, parent_id),
  k as (select distinct parent_module, parent_id from d)
  select coalesce(array_agg(k.parent_module), '{}'), coalesce(array_agg(k.parent_id), '{}')
  into mods, ids from k;
  if cardinality(ids) > 0 then
    delete from analytics.f_touches t
    using unnest(mods, ids) as k(parent_module, parent_id)
    where t.parent_module = k.parent_module and t.parent_id = k.parent_id;
    insert into analytics.f_touches
    select a.parent_module, a.parent_id, min(a.touched_at), max(a.touched_at)
    from unnest(mods, ids) as k(parent_module, parent_id)
    join analytics.f_activities a on a.parent_module = k.parent_module
      and a.parent_id = k.parent_id
    group by a.parent_module, a.parent_id;
  end if;
  perform analytics.refresh_campaign_facts();
  perform analytics.fold_rollups();
end
$$;
comment on function analytics.catch_up_facts() is
  'Brings analytics.f_* up to date for a snapshot: full rebuild when not ready, else touches of '
  'changed parents, campaign facts and the rollups'' log folded (everything else is kept by '
  'triggers at write time)';
