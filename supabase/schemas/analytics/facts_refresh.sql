-- Full rebuild and catch-up of the fact tables (analytics/facts.sql): what a snapshot runs.

-- Campaign facts: few rows, but their lead source depends on f_deals; rebuilt when marked dirty
-- (analytics.f_campaigns_dirty) by analytics.settle_facts().
create or replace function analytics.refresh_campaign_facts() returns void
language sql
as $$
  delete from analytics.f_campaigns;
  insert into analytics.f_campaigns
  select c.id, c.name, coalesce(cs.lead_source, src.lead_source), c.start_date, c.end_date,
    c.budgeted_cost, c.actual_cost, c.deleted_at
  from crm.campaigns c
  left join analytics.campaign_sources cs on cs.campaign_id = c.id
  left join lateral (
    select d.lead_source from analytics.f_deals d
    where d.campaign_id = c.id and d.lead_source is not null and d.deleted_at is null
    group by d.lead_source order by count(*) desc, d.lead_source limit 1
  ) src on true;
$$;

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
    analytics.f_campaigns_dirty, analytics.facts_built;

  -- Touches first: a lead's fact carries its first touch.
  insert into analytics.f_activities
  select f.* from zoho.records r, analytics.activity_fact(r.module, r.id, r.data, r.deleted_at) f
  where r.module in ('Calls', 'Tasks', 'Events');

  insert into analytics.f_touches
  select a.parent_module, a.parent_id, min(a.touched_at), max(a.touched_at)
  from analytics.f_activities a
  group by a.parent_module, a.parent_id;

  -- Every lead at once: its rollups (r_leads, r_lead_response, r_conversions, r_dashboard_daily)
  -- are aggregated from the table after the insert, as the stays' below, not through the
  -- statement trigger's capture of 1M inserted rows, log and fold.
  alter table analytics.f_leads disable trigger f_leads_rollups_insert;
  alter table analytics.f_leads disable trigger f_leads_cohorts_insert;
  insert into analytics.f_leads
  select f.* from zoho.records r, analytics.lead_fact(r.id, r.data, r.deleted_at, tz) f
  where r.module = 'Leads';
  alter table analytics.f_leads enable trigger f_leads_rollups_insert;
  alter table analytics.f_leads enable trigger f_leads_cohorts_insert;
  insert into analytics.r_leads_folded
  select k.day, k.dimension, k.key, k.owner_name, k.deleted_at, count(*)
  from analytics.f_leads f, analytics.lead_rollup_keys(f, tz) k
  group by 1, 2, 3, 4, 5;
  insert into analytics.r_lead_response_folded
  select k.created_day, k.dimension, k.key, k.owner_name, k.deleted_at, k.bucket, count(*),
    coalesce(sum(k.h), 0)
  from analytics.f_leads f, analytics.lead_response_keys(f) k
  group by 1, 2, 3, 4, 5, 6;
  insert into analytics.r_lead_response_month
  select date_trunc('month', r.created_day)::date, r.dimension, r.key, r.owner_name, r.deleted_at,
    r.bucket, sum(r.leads), sum(r.hours_h)
  from analytics.r_lead_response_folded r
  group by 1, 2, 3, 4, 5, 6;
  insert into analytics.r_conversions_folded
  select k.converted_month, k.dimension, k.key, k.deleted_at, k.bucket, count(*),
    coalesce(sum(k.h), 0)
  from analytics.f_leads f, analytics.conversion_keys(f) k
  group by 1, 2, 3, 4, 5;
  insert into analytics.r_dashboard_daily_folded
  select k.day, k.kind, k.lead_source, k.owner_id, k.owner_name, k.band, k.created_late,
    k.deleted_at, count(*), null
  from analytics.f_leads f, analytics.dashboard_lead_key(f) k
  group by 1, 2, 3, 4, 5, 6, 7, 8;

  alter table analytics.f_deals disable trigger f_deals_cohorts_insert;
  insert into analytics.f_deals
  select f.* from zoho.records r, analytics.deal_fact(r.id, r.data, r.deleted_at, tz) f
  where r.module = 'Deals';
  alter table analytics.f_deals enable trigger f_deals_cohorts_insert;
  -- Cohort conversion's events (analytics.r_cohorts) from every converted lead and its deal at
  -- once, not through the two tables' triggers.
  insert into analytics.r_cohorts_folded
  select k.cohort_month, k.lead_source, k.measure, k.day, sum(k.n)
  from analytics.f_leads f
  left join analytics.f_deals d on d.id = f.converted_deal_id
  cross join lateral analytics.cohort_events(f, d, tz) k
  where f.converted
  group by 1, 2, 3, 4
  having sum(k.n) <> 0;
  insert into analytics.r_cohorts_month
  select r.cohort_month, r.lead_source, r.measure, date_trunc('month', r.day)::date, sum(r.n)
  from analytics.r_cohorts_folded r
  group by 1, 2, 3, 4
  having sum(r.n) <> 0;

  insert into analytics.f_deal_versions
  select v.id, v.version, v.change, v.valid_from, lead(v.valid_from) over w, v.stage, v.amount,
    v.closing_date, lag(v.stage) over w, lag(v.closing_date) over w,
    min(v.valid_from) over (partition by v.id)
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
  insert into analytics.r_stage_stays_month
  select date_trunc('month', r.entered_day)::date, r.stage, r.advanced, r.bucket, sum(r.stays),
    sum(r.days_h)
  from analytics.r_stage_stays_folded r
  group by 1, 2, 3, 4;

  insert into analytics.f_deal_pushes select * from analytics.deal_pushes;
  -- Open deals' last touches and pushes (analytics/kpis_stages.sql), once the deal facts, the
  -- touches and the pushes are in (their triggers keep them only while the facts are built).
  insert into analytics.f_open_deal_signals (deal_id, last_touch_at, pushes, last_push_at)
  select g.deal_id, g.last_touch_at, g.pushes, g.last_push_at from analytics.open_deal_signals g;

  perform analytics.refresh_campaign_facts();
  -- The forecast's kept observations read the stage entries and deals (analytics/forecast_keep.sql).
  perform analytics.build_forecast_obs();
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
  analyze analytics.f_first_wins;
  analyze analytics.f_open_deal_signals;
end
$$;
comment on function analytics.refresh_facts() is
  'Rebuilds analytics.f_* from zoho.records, zoho.record_versions and zoho.stage_history (one '
  'read of each) and marks them ready; afterwards triggers keep them current';

-- The deferred work the write triggers leave, done where the writes end (every sync slice,
-- _shared/sync/runs.ts) and again by every snapshot (analytics.catch_up_facts): touches of the
-- parents whose activities changed (and their leads' first touch), the campaign facts when marked
-- dirty, the forecast's kept observations (analytics.keep_forecast_obs), and the rollups' log
-- folded. With the facts not built it only folds (the next snapshot rebuilds everything). A
-- writer never waits on a snapshot's catch-up or rebuild: when one holds the facts' lock, the
-- dirty rows stay for it or for the next settle.
create or replace function analytics.settle_facts() returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  mods text[];
  ids text[];
  campaigns boolean;
begin
  if exists (select from analytics.facts_built)
    and pg_try_advisory_xact_lock(hashtext('analytics.refresh_facts')) then
    -- Exactly the dirty rows this statement deletes are processed; rows committed later stay for
    -- the next settle (recomputing a parent twice is harmless).
    with d as (delete from analytics.f_touches_dirty returning parent_module, parent_id),
    k as (select distinct parent_module, parent_id from d)
    select coalesce(array_agg(k.parent_module), '{}'), coalesce(array_agg(k.parent_id), '{}')
    into mods, ids from k;
    if cardinality(ids) > 0 then
      -- Their touches found by primary key (offset 0 keeps the lookup: the planner hashed all
      -- 716k touches for 4k parents on the 1M-lead demo, 0.33 s against 0.03 s).
      delete from analytics.f_touches t
      where t.ctid = any(array(
        select x.ctid from unnest(mods, ids) as k(parent_module, parent_id)
        cross join lateral (select c.ctid from analytics.f_touches c
          where c.parent_module = k.parent_module and c.parent_id = k.parent_id offset 0) x));
      insert into analytics.f_touches
      select a.parent_module, a.parent_id, min(a.touched_at), max(a.touched_at)
      from unnest(mods, ids) as k(parent_module, parent_id)
      join analytics.f_activities a on a.parent_module = k.parent_module
        and a.parent_id = k.parent_id
      group by a.parent_module, a.parent_id;
      -- The leads among them carry their first touch (analytics/facts.sql).
      update analytics.f_leads l set first_touch_at = t.first_at
      from unnest(mods, ids) as k(parent_module, parent_id)
      left join analytics.f_touches t on t.parent_module = k.parent_module
        and t.parent_id = k.parent_id
      where k.parent_module = 'Leads' and l.id = k.parent_id
        and l.first_touch_at is distinct from t.first_at;
    end if;
    with d as (delete from analytics.f_campaigns_dirty returning 1)
    select count(*) > 0 into campaigns from d;
    if campaigns then
      perform analytics.refresh_campaign_facts();
    end if;
    -- The forecast's observations of the deals marked, and of the Mondays passed.
    perform analytics.keep_forecast_obs();
  end if;
  perform analytics.fold_rollups();
end
$$;
comment on function analytics.settle_facts() is
  'The write triggers'' deferred work, at the end of every sync slice and in every snapshot: '
  'touches of changed parents (and their leads'' first touch), campaign facts when marked dirty, '
  'the forecast''s kept observations, the rollups'' log folded; skipped (but the fold) while the '
  'facts are unbuilt or a catch-up holds them';

-- What a snapshot runs: a full rebuild when facts are not ready, else what the last writes left
-- to settle (usually nothing: every sync slice settles its own).
create or replace function analytics.catch_up_facts() returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform pg_advisory_xact_lock(hashtext('analytics.refresh_facts'));
  if not exists (select from analytics.facts_built) then
    perform analytics.refresh_facts();
    return;
  end if;
  perform analytics.settle_facts();
end
$$;
comment on function analytics.catch_up_facts() is
  'Brings analytics.f_* up to date for a snapshot: full rebuild when not ready, else '
  'analytics.settle_facts() (everything else is kept by triggers at write time)';
-- Only the snapshot path (and the owner) rebuilds or catches up facts.
revoke all on function analytics.refresh_facts() from public;
revoke all on function analytics.catch_up_facts() from public;
revoke all on function analytics.settle_facts() from public;
revoke all on function analytics.relink_deal_versions(text[]) from public;
revoke all on function analytics.relink_stage_entries(text[]) from public;
revoke all on function analytics.refresh_campaign_facts() from public;
grant execute on function analytics.refresh_facts() to service_role;
grant execute on function analytics.catch_up_facts() to service_role;
grant execute on function analytics.settle_facts() to service_role;
