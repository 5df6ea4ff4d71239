-- The full rebuild aggregates the lead rollups (analytics.r_leads, r_lead_response) from the
-- table after its bulk insert of the leads, with the insert trigger disabled, instead of through
-- the statement trigger, its log and fold (analytics/facts_refresh.sql).
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

  -- Every lead at once: its rollups (analytics.r_leads, r_lead_response) are aggregated from the
  -- table after the insert, as the stays' below, not through the statement trigger's capture of
  -- 1M inserted rows, log and fold.
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
