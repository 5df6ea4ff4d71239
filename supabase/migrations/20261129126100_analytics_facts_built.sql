-- Renames analytics.f_ready to analytics.facts_built: the table says whether the facts are built
-- (one row while analytics.f_* are complete and current). The functions that read it are
-- redefined with the new name (their bodies are otherwise as in the migrations named before each).

alter table analytics.f_ready rename to facts_built;
comment on table analytics.facts_built is
  'One row while analytics.f_* are complete and current; empty = rebuild on the next snapshot';

-- as 20261126160000_analytics_stage_entries_fact.sql, reading analytics.facts_built
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
    analytics.f_touches_dirty, analytics.f_deal_versions, analytics.f_stage_entries,
    analytics.f_campaigns, analytics.facts_built;

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

  insert into analytics.f_stage_entries
  select * from analytics.stage_entry_facts(array(select distinct v.deal_id
    from analytics.f_deal_versions v));

  perform analytics.refresh_campaign_facts();
  insert into analytics.facts_built default values;

  analyze analytics.f_leads;
  analyze analytics.f_deals;
  analyze analytics.f_activities;
  analyze analytics.f_touches;
  analyze analytics.f_deal_versions;
  analyze analytics.f_stage_entries;
  analyze analytics.f_campaigns;
end
$$;

-- as 20261126130100_analytics_facts_incremental.sql, reading analytics.facts_built
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
end
$$;

-- as 20261126130100_analytics_facts_incremental.sql, reading analytics.facts_built
create or replace function analytics.records_to_facts() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  tz text;
  came text;
  gone text;
begin
  if not exists (select from analytics.facts_built) then
    return null;
  end if;
  tz := analytics.time_zone();
  if tg_op = 'INSERT' then
    came := 'select module, id, data, deleted_at from new_rows';
    gone := 'select module, id from new_rows';
  elsif tg_op = 'UPDATE' then
    -- last_synced_at-only updates (unchanged records) derive nothing
    came := 'select n.module, n.id, n.data, n.deleted_at from new_rows n join old_rows o'
      || ' on o.module = n.module and o.id = n.id where n.content_hash <> o.content_hash'
      || ' or n.deleted_at is distinct from o.deleted_at';
    gone := format('select module, id from (%s) c', came);
  else
    gone := 'select module, id from old_rows';
  end if;

  execute format('delete from analytics.f_leads f using (%s) g'
    || ' where g.module = ''Leads'' and f.id = g.id', gone);
  execute format('delete from analytics.f_deals f using (%s) g'
    || ' where g.module = ''Deals'' and f.id = g.id', gone);
  execute format('with d as (delete from analytics.f_activities f using (%s) g'
    || ' where f.module = g.module and f.id = g.id returning f.parent_module, f.parent_id)'
    || ' insert into analytics.f_touches_dirty select * from d', gone);
  if came is null then
    return null;
  end if;
  execute format('insert into analytics.f_leads select f.* from (%s) r,'
    || ' analytics.lead_fact(r.id, r.data, r.deleted_at, $1) f where r.module = ''Leads''', came)
    using tz;
  execute format('insert into analytics.f_deals select f.* from (%s) r,'
    || ' analytics.deal_fact(r.id, r.data, r.deleted_at, $1) f where r.module = ''Deals''', came)
    using tz;
  execute format('with a as (insert into analytics.f_activities select f.* from (%s) r,'
    || ' analytics.activity_fact(r.module, r.id, r.data, r.deleted_at) f'
    || ' where r.module in (''Calls'', ''Tasks'', ''Events'')'
    || ' returning parent_module, parent_id)'
    || ' insert into analytics.f_touches_dirty select * from a', came);
  return null;
end
$$;

-- as 20261126130100_analytics_facts_incremental.sql, reading analytics.facts_built
create or replace function analytics.versions_to_facts() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  deals text[];
begin
  if not exists (select from analytics.facts_built) then
    return null;
  end if;
  if tg_op = 'INSERT' then
    delete from analytics.f_deal_versions f using new_rows n
    where n.module = 'Deals' and f.deal_id = n.id and f.version = n.version;
    insert into analytics.f_deal_versions (deal_id, version, change, valid_from, stage, amount,
      closing_date)
    select n.id, n.version, n.change, f.*
    from new_rows n, analytics.deal_version_fact(n.change, n.data, n.observed_at) f
    where n.module = 'Deals';
    deals := array(select distinct n.id from new_rows n where n.module = 'Deals');
  else
    delete from analytics.f_deal_versions f using old_rows o
    where o.module = 'Deals' and f.deal_id = o.id and f.version = o.version;
    deals := array(select distinct o.id from old_rows o where o.module = 'Deals');
  end if;
  if cardinality(deals) > 0 then
    perform analytics.relink_deal_versions(deals);
  end if;
  return null;
end
$$;

-- as 20261126130100_analytics_facts_incremental.sql, reading analytics.facts_built
create or replace function analytics.invalidate_facts() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  delete from analytics.facts_built;
  return null;
end
$$;
