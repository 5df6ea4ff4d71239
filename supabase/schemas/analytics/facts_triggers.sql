-- The write-time triggers that keep the fact tables (analytics/facts.sql) current, and the
-- ones that invalidate them when the time zone, stage settings or the raw store are reset.

-- zoho.records → facts for the rows a statement inserted, changed (content or deletion) or
-- removed. The transition tables are only visible in this function, so the queries are built
-- with the statement's row source and run with EXECUTE.
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
  -- A deal's source or campaign, or a campaign, may have changed: the campaign facts follow.
  execute format('insert into analytics.f_campaigns_dirty select ''records'' from (%s) g'
    || ' where g.module in (''Deals'', ''Campaigns'') limit 1', gone);
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
create trigger records_facts_insert after insert on zoho.records
  referencing new table as new_rows
  for each statement execute function analytics.records_to_facts();
create trigger records_facts_update after update on zoho.records
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.records_to_facts();
create trigger records_facts_delete after delete on zoho.records
  referencing old table as old_rows
  for each statement execute function analytics.records_to_facts();

-- zoho.record_versions (append-only; deletes only by maintenance) → deal version facts.
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
create trigger record_versions_facts_insert after insert on zoho.record_versions
  referencing new table as new_rows
  for each statement execute function analytics.versions_to_facts();
create trigger record_versions_facts_delete after delete on zoho.record_versions
  referencing old table as old_rows
  for each statement execute function analytics.versions_to_facts();

-- zoho.stage_history (append-only; deletes only by maintenance) → the history facts of the deals
-- a statement touched (the newest stored version of each of their rows), then their stage entries.
create or replace function analytics.stage_history_to_facts() returns trigger
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
    deals := array(select distinct n.deal_id from new_rows n);
  else
    deals := array(select distinct o.deal_id from old_rows o);
  end if;
  delete from analytics.f_stage_history f where f.deal_id = any(deals);
  insert into analytics.f_stage_history
  select h.deal_id, h.row_id, f.*
  from (
    select distinct on (sh.deal_id, sh.row_id) sh.deal_id, sh.row_id, sh.data
    from zoho.stage_history sh
    where sh.deal_id = any(deals)
    order by sh.deal_id, sh.row_id, sh.version desc
  ) h, analytics.stage_history_fact(h.data) f;
  perform analytics.relink_stage_entries(deals);
  return null;
end
$$;
create trigger stage_history_facts_insert after insert on zoho.stage_history
  referencing new table as new_rows
  for each statement execute function analytics.stage_history_to_facts();
create trigger stage_history_facts_delete after delete on zoho.stage_history
  referencing old table as old_rows
  for each statement execute function analytics.stage_history_to_facts();

-- The tables kept per deal beside the facts (analytics.f_first_wins, f_open_deal_signals,
-- f_stage_rate_deals) follow their definition (a view with the same columns, deal_id first) for
-- the deals a statement wrote: their rows deleted and computed again from the definition, by
-- one maintainer at a time, to its commit. A writer that waited here recomputes with what the
-- other committed (each statement below sees it), where two at once each recomputed from the
-- other's old rows (a win with the Amount before an edit made alongside it) or collided on a
-- deal's row. Readers are not blocked; the sync writes facts one slice at a time anyway.
create or replace function analytics.keep_deal_rows(p_kept regclass, p_definition regclass,
  p_ids text[])
returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if cardinality(p_ids) = 0 then
    return;
  end if;
  execute format('lock table %s in share row exclusive mode', p_kept);
  execute format('delete from %s k where k.deal_id = any($1)', p_kept) using p_ids;
  execute format('insert into %s select d.* from %s d where d.deal_id = any($1)', p_kept,
    p_definition) using p_ids;
end
$$;
revoke all on function analytics.keep_deal_rows(regclass, regclass, text[]) from public;

-- Facts bake in the time zone (local days) and stage fallback probabilities: changing them, or
-- truncating the raw store, means a full rebuild on the next snapshot.
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
create trigger settings_time_zone_invalidates_facts after update of time_zone on analytics.settings
  for each row when (old.time_zone is distinct from new.time_zone)
  execute function analytics.invalidate_facts();
create trigger stage_settings_invalidate_facts
  after insert or update or delete or truncate on analytics.stage_settings
  for each statement execute function analytics.invalidate_facts();
create trigger records_truncate_invalidates_facts after truncate on zoho.records
  for each statement execute function analytics.invalidate_facts();
create trigger record_versions_truncate_invalidates_facts after truncate on zoho.record_versions
  for each statement execute function analytics.invalidate_facts();
create trigger stage_history_truncate_invalidates_facts after truncate on zoho.stage_history
  for each statement execute function analytics.invalidate_facts();

-- The campaign source overrides change which source a campaign's cost belongs to.
create or replace function analytics.mark_campaigns_dirty() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  insert into analytics.f_campaigns_dirty values (tg_table_name);
  return null;
end
$$;
create trigger campaign_sources_mark_campaigns
  after insert or update or delete or truncate on analytics.campaign_sources
  for each statement execute function analytics.mark_campaigns_dirty();
