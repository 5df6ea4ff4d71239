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
  deleted_at timestamptz,
  -- The lead's first call/task/event (f_touches.first_at): lead response and data quality read
  -- it without joining 600k touches (0.4-0.6 s a KPI on the 1M-lead demo). Set from f_touches
  -- when the lead's fact is written, and by analytics.settle_facts() for leads whose activities changed.
  first_touch_at timestamptz
);
-- Leads by creation day: leads_created (day/wtd/mtd), lead_response and source_anomalies read a
-- few weeks of 1M leads.
create index f_leads_created_day_idx on analytics.f_leads (created_day);
-- Converted leads by conversion day: conversion velocity reads 13 months of conversions without
-- scanning every lead (0.23 -> 0.13 s on the 1M-lead demo).
create index f_leads_converted_day_idx on analytics.f_leads (converted_day) where converted;
-- Converted leads by creation day, with what cohort conversion reads of them: a year's cohorts
-- are an index-only range (74k of the 200k converted leads at 1M; by conversion day it read all
-- 200k and kept 74k).
create index f_leads_converted_created_idx on analytics.f_leads (created_day)
  include (converted_day, lead_source, converted_deal_id, deleted_at) where converted;
-- Converted leads by their deal: a change of a deal's outcome moves its leads' won events in
-- cohort conversion's rollup (analytics.r_cohorts).
create index f_leads_converted_deal_idx on analytics.f_leads (converted_deal_id) where converted;

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
  deleted_at timestamptz,
  -- Deal_Name: deal-name questions search it (trigram index in ask/deals.sql) without reading
  -- the raw record
  name text,
  -- Reason_For_Loss__s as stored (lost-deal questions group by it)
  loss_reason text
);
create index f_deals_campaign_idx on analytics.f_deals (campaign_id);
-- Deals closing in a window (revenue, win rate, lost deals, closing soon): read by range; with the
-- id, the waterfall's deals of a window (analytics.pipeline_waterfall) from the index alone.
create index f_deals_closing_idx on analytics.f_deals (closing_date) include (id);
-- Open deals by closing date: WhatsApp's deals closing soon and top deals read the open deals
-- (≈ 12k of 200k deal facts on the 1M-lead demo) without scanning the closed ones.
create index f_deals_open_closing_idx on analytics.f_deals (closing_date) where not is_closed;
-- Open deals by created day: the pipeline takes the few created after as_of out of its rollup
-- (analytics.r_open_deals) by this range.
create index f_deals_open_created_idx on analytics.f_deals (created_day) where not is_closed;
-- Won deals by id with what cohort conversion checks of a converted lead's deal: its 74k
-- converted leads of a year meet the 84k won deals from the index alone (the table read all 200k
-- deals: cohort conversion 104-115 → 61-66 ms at 1M leads).
create index f_deals_won_idx on analytics.f_deals (id) include (closing_date, deleted_at)
  where is_won;
-- Won deals by Closing_Date with what deal size, the anomalies' won revenue and the forecast's
-- wins to date read of them: their windows from the index alone (at 1M leads deal size's two
-- periods 29 → 12 ms, 3,961 → 452 buffers; the anomalies' ten weeks 12,100 → 875 buffers).
create index f_deals_won_closing_idx on analytics.f_deals (closing_date)
  include (amount, created_day, deleted_at, lead_source, owner_id, owner_name) where is_won;
-- Deals by source with what says whether one counts as of a day: sales velocity finds the
-- sources of the deals alive and created by as_of a source at a time (one probe each), where it
-- grouped all 200k deals to find them (its rows 61 → 18 ms at 1M leads).
create index f_deals_source_idx on analytics.f_deals (lead_source, created_day)
  include (deleted_at);

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

-- Parents whose activities changed since the last settle (f_touches recomputed for them).
-- Written by triggers, consumed by analytics.settle_facts() (at the end of every sync slice and in
-- every snapshot's catch-up): no lock between concurrent writers.
create unlogged table analytics.f_touches_dirty (
  parent_module text not null,
  parent_id text not null
);

-- Marks that the campaign facts' inputs changed (campaign or deal records written, the campaign
-- source overrides edited): the next analytics.settle_facts() rebuilds analytics.f_campaigns.
-- Appended by statement triggers (no row is shared, so concurrent writers never wait on it).
create unlogged table analytics.f_campaigns_dirty (
  marked_by text not null
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
  -- the valid_from of the deal's first version (kept with valid_to; null: not yet linked)
  first_from timestamptz,
  primary key (deal_id, version)
);
-- Versions by end of validity: the current ones (valid_to is null) and those ending after t0
-- (the pipeline waterfall reads only the versions still valid at the period start).
create index if not exists f_deal_versions_valid_to_idx on analytics.f_deal_versions (valid_to);
-- Versions by Closing_Date, then validity: the pipeline waterfall finds the states closing in its
-- window that were current at the period's first instant or at the end of as_of. The validity
-- as keys is checked in the index, so only those states are read (a quarter's window at 1M leads
-- holds 89k versions, 25.5k of them such states), and they are read from the index alone: the
-- quarter 151-159 → 131 ms, the month 42-43 → 32-34 in the daily state (a Closing_Date index of
-- 10 MB read every version's row; this one is 118 MB). A plain covering index (Closing_Date, then
-- the rest included) still filtered all 89k: about 10 ms of 200, within the noise, not kept.
create index f_deal_versions_window_idx on analytics.f_deal_versions (closing_date,
  (coalesce(valid_to, 'infinity'::timestamptz)), valid_from)
  include (deal_id, change, stage, amount, valid_to, first_from);
-- Versions that end before they begin (a deletion observed after the Modified_Time of the restore
-- that follows it): their deal's intervals overlap. Almost always empty; the waterfall asks it
-- per deal.
create index f_deal_versions_backwards_idx on analytics.f_deal_versions (deal_id)
  where valid_to < valid_from;

-- Zoho's Stage_History rows (the newest stored version of each): each row is a stay in Stage that
-- began at the row's Modified_Time, with the deal's Closing_Date and Amount then. It reaches back
-- before our first sync; f_deal_versions adds what we observed after.
create unlogged table analytics.f_stage_history (
  deal_id text not null,
  row_id text not null,
  entered_at timestamptz not null,
  stage text not null,
  closing_date date,
  amount numeric,
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
  -- the Closing_Date as then known: that Stage_History row's, else that version's (the forecast
  -- reads it for 47k stays on the 1M-lead demo; two lookups per stay cost 0.25 s)
  closing_date date,
  primary key (deal_id, seq)
);
comment on table analytics.f_stage_entries is
  'analytics.stage_entries over the whole history (Stage_History merged with the versions we '
  'own) with progress rank, next entry and later progress per entry (kept per deal by '
  'relink_stage_entries)';
create index f_stage_entries_entered_idx on analytics.f_stage_entries (entered_at);
create index f_stage_entries_last_idx on analytics.f_stage_entries (last_entry_at);
-- The stays known from Stage_History only (row_id set): the pipeline waterfall takes a deal's state
-- from them before its first observed version, by Closing_Date and per deal. Empty for a company
-- whose history was not read; small beside the observed entries once it was.
create index f_stage_entries_history_closing_idx on analytics.f_stage_entries (closing_date)
  include (deal_id, entered_at, left_at) where row_id is not null;
create index f_stage_entries_history_deal_idx on analytics.f_stage_entries (deal_id, entered_at,
  seq) include (left_at, stage, closing_date, row_id) where row_id is not null;

-- Closing_Date pushes: on each deal's one timeline of Stage_History rows (the Closing_Date of each
-- stay, from before our first sync too) and the versions we own, in time order (history rows
-- first at equal times, then by row id and version), every point not a deletion whose
-- Closing_Date is later than the point before it. Kept per deal with its stage entries
-- (relink_stage_entries), so open deal health counts a deal's pushes up to as_of by index instead
-- of ordering its timeline (65 ms for the 11,802 open deals of the 1M-lead demo).
create unlogged table analytics.f_deal_pushes (
  deal_id text not null,
  pushed_at timestamptz not null
);
comment on table analytics.f_deal_pushes is
  'Closing_Date pushes per deal (Stage_History rows merged with the versions we own, in time '
  'order): the instant of each point whose Closing_Date is later than the point before';
create index f_deal_pushes_deal_idx on analytics.f_deal_pushes (deal_id, pushed_at);

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

alter table analytics.facts_built enable row level security;
alter table analytics.f_leads enable row level security;
alter table analytics.f_deals enable row level security;
alter table analytics.f_activities enable row level security;
alter table analytics.f_touches enable row level security;
alter table analytics.f_touches_dirty enable row level security;
alter table analytics.f_campaigns_dirty enable row level security;
alter table analytics.f_deal_versions enable row level security;
alter table analytics.f_stage_history enable row level security;
alter table analytics.f_stage_entries enable row level security;
alter table analytics.f_campaigns enable row level security;
alter table analytics.f_deal_pushes enable row level security;
revoke all on all tables in schema analytics from anon, authenticated;
grant select on analytics.facts_built, analytics.f_leads, analytics.f_deals, analytics.f_activities,
  analytics.f_touches, analytics.f_deal_versions, analytics.f_stage_history,
  analytics.f_stage_entries, analytics.f_campaigns, analytics.f_deal_pushes to service_role;
