-- Analytics fact tables: the typed crm views (and deal versions) read once into narrow tables
-- every KPI reads. Why tables: every `data ->> 'Field'` re-reads the JSONB, so KPIs straight over
-- crm.* would scan the raw store once per KPI. The facts cut local days in the company time zone.
-- They are derived data, never a source of truth.
--
-- Kept current at write time by statement-level triggers (transition tables, one set-based pass
-- per write batch); a snapshot only catches up instead of rebuilding them. Rebuilding re-read
-- every record's compressed JSON (≈ 60 s on the 1M-lead demo) on every snapshot. Each INSERT /
-- UPDATE / DELETE statement on zoho.records, zoho.record_versions and zoho.stage_history (the sync
-- writers' upserts included) re-derives the facts of the rows it changed, with the same row → fact functions the
-- full rebuild uses, so incremental facts equal a full rebuild (pgTAP
-- analytics_facts_incremental.sql).
--
-- Validity: the fact tables are unlogged (derived data, no WAL on ingest). A crash empties every
-- unlogged table together, analytics.facts_built included, and an empty facts_built means "facts not
-- built": triggers then skip their work (an initial full sync pays nothing) and the next
-- snapshot rebuilds everything once. Changing the time zone or stage settings (which facts
-- bake in: local days, fallback probability, progress ranks) empties facts_built the same way.

create unlogged table analytics.facts_built (
  id boolean primary key default true check (id),
  built_at timestamptz not null default now()
);
comment on table analytics.facts_built is
  'One row while analytics.f_* are complete and current; empty = rebuild on the next snapshot';

create unlogged table analytics.f_leads (
  id text primary key,
  created_at timestamptz,
  created_day date,
  owner_id text,
  owner_name text,
  lead_source text,
  lead_status text,
  converted boolean not null,
  converted_at timestamptz,
  converted_day date,
  converted_deal_id text,
  deleted_at timestamptz
);
-- Leads by creation day: leads_created (day/wtd/mtd), lead_response and source_anomalies read a
-- few weeks of 1M leads.
create index f_leads_created_day_idx on analytics.f_leads (created_day);

create unlogged table analytics.f_deals (
  id text primary key,
  created_at timestamptz,
  created_day date,
  modified_at timestamptz,
  owner_id text,
  owner_name text,
  stage text,
  amount numeric,
  -- The deal's own Probability (Zoho fills it per stage), else analytics.stage_settings.
  probability numeric,
  closing_date date,
  lead_source text,
  campaign_id text,
  is_won boolean not null,
  is_lost boolean not null,
  is_closed boolean not null,
  deleted_at timestamptz
);
create index f_deals_campaign_idx on analytics.f_deals (campaign_id);
-- Deals closing in a window (revenue, win rate, lost deals, closing soon): read by range.
create index f_deals_closing_idx on analytics.f_deals (closing_date);

-- Alive calls/tasks/events with a parent and a touch time; f_touches = min/max per parent.
create unlogged table analytics.f_activities (
  module text not null,
  id text not null,
  parent_module text not null,
  parent_id text not null,
  touched_at timestamptz not null,
  primary key (module, id)
);
create index f_activities_parent_idx on analytics.f_activities (parent_module, parent_id);

-- First and last call/task/event per parent record (Leads, Deals, ...). A touch happens at
-- Call_Start_Time / Start_DateTime for calls and events, at Created_Time for tasks (a task's
-- Due_Date is a plan, not a touch).
create unlogged table analytics.f_touches (
  parent_module text not null,
  parent_id text not null,
  first_at timestamptz not null,
  last_at timestamptz not null,
  primary key (parent_module, parent_id)
);

-- Parents whose activities changed since the last catch-up (f_touches recomputed for them).
-- Written by triggers, consumed by analytics.catch_up_facts(): no lock between concurrent writers.
create unlogged table analytics.f_touches_dirty (
  parent_module text not null,
  parent_id text not null
);

-- Every kept version of every deal with the interval it was current:
-- [valid_from, valid_to), valid_from = Modified_Time of the version (observed_at for deletions).
create unlogged table analytics.f_deal_versions (
  deal_id text not null,
  version integer not null,
  change text not null,
  valid_from timestamptz not null,
  valid_to timestamptz,
  stage text,
  amount numeric,
  closing_date date,
  previous_stage text,
  previous_closing_date date,
  primary key (deal_id, version)
);
-- Versions by end of validity: the current ones (valid_to is null) and those ending after t0
-- (the pipeline waterfall reads only the versions still valid at the period start).
create index if not exists f_deal_versions_valid_to_idx on analytics.f_deal_versions (valid_to);

-- Zoho's Stage_History rows (the newest stored version of each): each row is a stay in Stage that
-- began at the row's Modified_Time, with the deal's Closing_Date then. It reaches back before our
-- first sync; f_deal_versions adds what we observed after.
create unlogged table analytics.f_stage_history (
  deal_id text not null,
  row_id text not null,
  entered_at timestamptz not null,
  stage text not null,
  closing_date date,
  primary key (deal_id, row_id)
);

-- Stage entries as a fact kept at write time, so a snapshot computes no stage history:
-- stage_conversion reads it, open deals find their current stage by index, deal_risks reuses
-- the medians. A window over every kept deal version (1.1M on the 1M-lead demo) cost ≈ 4 s of
-- CPU per stage_conversion. analytics.f_stage_entries holds analytics.stage_entries' rows (one
-- per stage entry or deletion, in time order) with what stage_conversion derives from the whole
-- history: the stage's progress rank, when the deal left it (next entry), the highest progress of
-- any later entry, and the deal's last entry time. The entries merge Zoho's Stage_History (stays
-- from before our first sync) with the versions we observed (stage_entry_facts says how).
-- relink_stage_entries (run by the version and Stage_History triggers for the deals a statement
-- touched) and refresh_facts rebuild them per deal. Those derived columns are the history up to
-- as_of whenever the deal has no entry after as_of (its last entry is before the end of as_of):
-- always so for as_of = today. Deals with later entries (a past as_of) get the window over their
-- entries up to as_of (a prefix in seq order, as seq follows entered_at). Progress ranks come
-- from analytics.stage_settings, whose changes empty facts_built (a full rebuild on the next
-- snapshot).
create unlogged table analytics.f_stage_entries (
  deal_id text not null,
  -- position in the deal's path (1 = first entry), in entered_at order
  seq integer not null,
  entered_at timestamptz not null,
  -- null: the deletion marker
  stage text,
  -- stage_settings.position of open stages and Closed Won, else null (as stage_conversion)
  progress integer,
  -- the next entry's entered_at, over all entries of the deal
  left_at timestamptz,
  -- max(progress) of the deal's later entries
  later_progress integer,
  -- the deal's last entered_at: left_at and later_progress hold for any as_of from there on
  last_entry_at timestamptz not null,
  -- the deal version that observed the entry (null: known from Stage_History only)
  version integer,
  -- the Stage_History row that lists it (null: observed only)
  row_id text,
  primary key (deal_id, seq)
);
comment on table analytics.f_stage_entries is
  'analytics.stage_entries over the whole history (Stage_History merged with the versions we '
  'own) with progress rank, next entry and later progress per entry (kept per deal by '
  'relink_stage_entries)';
create index f_stage_entries_entered_idx on analytics.f_stage_entries (entered_at);
create index f_stage_entries_last_idx on analytics.f_stage_entries (last_entry_at);

create unlogged table analytics.f_campaigns (
  id text primary key,
  name text,
  lead_source text,
  start_date date,
  end_date date,
  budgeted_cost numeric,
  actual_cost numeric,
  deleted_at timestamptz
);

-- The company time zone of periods.
create or replace function analytics.time_zone() returns text
language sql stable
as $$ select coalesce((select time_zone from analytics.settings), 'UTC') $$;

-- Row → fact, one definition for the full rebuild and the triggers. jsonb_to_record decompresses
-- a record once (each `data ->> 'Field'` would decompress it again); same JSON paths as crm.*.
create or replace function analytics.lead_fact(p_id text, p_data jsonb, p_deleted_at timestamptz, tz text)
returns setof analytics.f_leads
language sql stable
as $$
  select p_id, crm.ts(x."Created_Time"), (crm.ts(x."Created_Time") at time zone tz)::date,
    x."Owner" ->> 'id', x."Owner" ->> 'name',
    crm.picklist(x."Lead_Source"), crm.picklist(x."Lead_Status"),
    c.converted, c.converted_at, (c.converted_at at time zone tz)::date, c.deal_id, p_deleted_at
  from jsonb_to_record(p_data) as x("Created_Time" text, "Owner" jsonb, "Lead_Source" text,
    "Lead_Status" text, "Converted__s" jsonb, "$converted" jsonb, "Converted_Date_Time" text,
    "Converted_Deal" jsonb, "$converted_detail" jsonb)
  cross join lateral crm.lead_conversion(x."Converted__s", x."$converted",
    x."Converted_Date_Time", x."Converted_Deal", null, null, x."$converted_detail") c
$$;

create or replace function analytics.deal_fact(p_id text, p_data jsonb, p_deleted_at timestamptz, tz text)
returns setof analytics.f_deals
language sql stable
as $$
  select p_id, crm.ts(x."Created_Time"), (crm.ts(x."Created_Time") at time zone tz)::date,
    crm.ts(x."Modified_Time"), x."Owner" ->> 'id', x."Owner" ->> 'name', x."Stage",
    crm.num(x."Amount"), coalesce(crm.num(x."Probability"), s.probability),
    crm.day(x."Closing_Date"), crm.picklist(x."Lead_Source"),
    x."Campaign_Source" ->> 'id', coalesce(x."Stage" = 'Closed Won', false),
    coalesce(x."Stage" like 'Closed Lost%', false), coalesce(x."Stage" like 'Closed%', false),
    p_deleted_at
  from jsonb_to_record(p_data) as x("Created_Time" text, "Modified_Time" text,
    "Owner" jsonb, "Stage" text, "Amount" text, "Probability" text, "Closing_Date" text,
    "Lead_Source" text, "Campaign_Source" jsonb)
  left join analytics.stage_settings s on s.stage = x."Stage"
$$;

-- A touch happens at Call_Start_Time / Start_DateTime for calls and events (else Created_Time),
-- at Created_Time for tasks (a task's Due_Date is a plan), as crm.activities and f_touches had it.
create or replace function analytics.activity_fact(p_module text, p_id text, p_data jsonb,
  p_deleted_at timestamptz)
returns setof analytics.f_activities
language sql stable
as $$
  select a.module, a.id, a.parent_module, a.parent_id, a.touched_at from (
    select p_module as module, p_id as id, x."$se_module" as parent_module,
      x."What_Id" ->> 'id' as parent_id,
      case p_module
        when 'Calls' then coalesce(crm.ts(x."Call_Start_Time"), crm.ts(x."Created_Time"))
        when 'Events' then coalesce(crm.ts(x."Start_DateTime"), crm.ts(x."Created_Time"))
        else crm.ts(x."Created_Time") end as touched_at
    from jsonb_to_record(p_data) as x("$se_module" text, "What_Id" jsonb, "Created_Time" text,
      "Call_Start_Time" text, "Start_DateTime" text)
    where p_deleted_at is null and p_module in ('Calls', 'Tasks', 'Events')
  ) a
  where a.parent_module is not null and a.parent_id is not null and a.touched_at is not null
$$;

-- A deal version's own columns; the window columns (valid_to, previous_*) come from its deal's
-- other versions.
create or replace function analytics.deal_version_fact(p_change text, p_data jsonb, p_observed_at timestamptz,
  out valid_from timestamptz, out stage text, out amount numeric, out closing_date date)
returns setof record
language sql stable
as $$
  select case when p_change = 'delete' then p_observed_at
      else coalesce(crm.ts(p_data ->> 'Modified_Time'), p_observed_at) end,
    p_data ->> 'Stage', crm.num(p_data ->> 'Amount'), crm.day(p_data ->> 'Closing_Date')
$$;

-- A Stage_History row's own columns: when its stay began (Modified_Time), the Stage, the deal's
-- Closing_Date then. No row when Stage or Modified_Time is missing (nothing to place).
create or replace function analytics.stage_history_fact(p_data jsonb,
  out entered_at timestamptz, out stage text, out closing_date date)
returns setof record
language sql stable
as $$
  select x.entered_at, x.stage, crm.day(p_data ->> 'Closing_Date')
  from (select crm.ts(p_data ->> 'Modified_Time') as entered_at,
    crm.picklist(p_data ->> 'Stage') as stage) x
  where x.entered_at is not null and x.stage is not null
$$;

-- The stage entry facts of the given deals: Zoho's Stage_History rows (analytics.f_stage_history,
-- stays before our first sync included) merged with the entries the versions we own show
-- (analytics.f_deal_versions: a version whose Stage differs from the version before, and each
-- deletion as a marker with stage null), in time order (at equal times, history rows first in
-- row id order, then versions in version order). Deduplicated in two steps: the same stage
-- entered at the same time counts once (a move Zoho lists and a version observed), and an entry
-- of the stage the deal was already in is no entry (a deal's first observed version repeats the
-- stage its history shows it entered earlier; a version observed a second after the history row
-- of the same move). Without history rows this is exactly the versions' entries.
create or replace function analytics.stage_entry_facts(p_deal_ids text[])
returns setof analytics.f_stage_entries
language sql stable
as $$
  with rank as (
    select s.stage, case when s.is_open or s.stage = 'Closed Won' then s.position end as progress
    from analytics.stage_settings s
  ),
  k as (select distinct unnest(p_deal_ids) as deal_id),
  u as (
    select v.deal_id, v.valid_from as entered_at,
      case when v.change <> 'delete' then v.stage end as stage, v.version, null::text as row_id
    from k join analytics.f_deal_versions v on v.deal_id = k.deal_id
    where v.change = 'delete' or v.stage is distinct from v.previous_stage
    union all
    select h.deal_id, h.entered_at, h.stage, null, h.row_id
    from k join analytics.f_stage_history h on h.deal_id = k.deal_id
  ),
  d as (
    select u.deal_id, u.entered_at, u.stage, min(u.version) as version, min(u.row_id) as row_id
    from u
    group by u.deal_id, u.entered_at, u.stage
  ),
  o as (
    select d.*, lag(d.stage) over (partition by d.deal_id order by d.entered_at,
      d.row_id is null, length(d.row_id), d.row_id, d.version) as before
    from d
  ),
  e as (select * from o where o.stage is null or o.before is distinct from o.stage)
  select e.deal_id, (row_number() over w)::integer, e.entered_at, e.stage, r.progress,
    lead(e.entered_at) over w,
    max(r.progress) over (w rows between 1 following and unbounded following),
    max(e.entered_at) over (partition by e.deal_id), e.version, e.row_id
  from e
  left join rank r on r.stage = e.stage
  window w as (partition by e.deal_id order by e.entered_at, e.row_id is null, length(e.row_id),
    e.row_id, e.version)
$$;

-- Rebuilds the stage entries of the given deals.
create or replace function analytics.relink_stage_entries(p_deal_ids text[]) returns void
language sql
as $$
  delete from analytics.f_stage_entries s where s.deal_id = any(p_deal_ids);
  insert into analytics.f_stage_entries select * from analytics.stage_entry_facts(p_deal_ids);
$$;

-- Re-derives valid_to and previous_* of the given deals' versions, then their stage entries.
create or replace function analytics.relink_deal_versions(p_deal_ids text[]) returns void
language sql
as $$
  update analytics.f_deal_versions f
  set valid_to = w.valid_to, previous_stage = w.previous_stage,
    previous_closing_date = w.previous_closing_date
  from (
    select v.deal_id, v.version, lead(v.valid_from) over w as valid_to,
      lag(v.stage) over w as previous_stage, lag(v.closing_date) over w as previous_closing_date
    from unnest(p_deal_ids) as k(deal_id)
    join analytics.f_deal_versions v on v.deal_id = k.deal_id
    window w as (partition by v.deal_id order by v.version)
  ) w
  where f.deal_id = w.deal_id and f.version = w.version
    and (f.valid_to, f.previous_stage, f.previous_closing_date)
      is distinct from (w.valid_to, w.previous_stage, w.previous_closing_date);
  select analytics.relink_stage_entries(p_deal_ids);
$$;

-- Campaign facts: few rows, but their lead source depends on f_deals; rebuilt by every catch-up.
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
comment on function analytics.refresh_facts() is
  'Rebuilds analytics.f_* from zoho.records, zoho.record_versions and zoho.stage_history (one '
  'read of each) and marks them ready; afterwards triggers keep them current';

-- What a snapshot runs: a full rebuild when facts are not ready, else the small deferred work
-- (touches of parents whose activities changed, campaign facts).
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
comment on function analytics.catch_up_facts() is
  'Brings analytics.f_* up to date for a snapshot: full rebuild when not ready, else touches of '
  'changed parents and campaign facts (everything else is kept by triggers at write time)';

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

alter table analytics.facts_built enable row level security;
alter table analytics.f_leads enable row level security;
alter table analytics.f_deals enable row level security;
alter table analytics.f_activities enable row level security;
alter table analytics.f_touches enable row level security;
alter table analytics.f_touches_dirty enable row level security;
alter table analytics.f_deal_versions enable row level security;
alter table analytics.f_stage_history enable row level security;
alter table analytics.f_stage_entries enable row level security;
alter table analytics.f_campaigns enable row level security;
revoke all on all tables in schema analytics from anon, authenticated;
grant select on analytics.facts_built, analytics.f_leads, analytics.f_deals, analytics.f_activities,
  analytics.f_touches, analytics.f_deal_versions, analytics.f_stage_history,
  analytics.f_stage_entries, analytics.f_campaigns to service_role;
-- Only the snapshot path (and the owner) rebuilds or catches up facts.
revoke all on function analytics.refresh_facts() from public;
revoke all on function analytics.catch_up_facts() from public;
revoke all on function analytics.relink_deal_versions(text[]) from public;
revoke all on function analytics.relink_stage_entries(text[]) from public;
revoke all on function analytics.refresh_campaign_facts() from public;
grant execute on function analytics.refresh_facts() to service_role;
grant execute on function analytics.catch_up_facts() to service_role;
