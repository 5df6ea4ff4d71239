-- Baseline: the squash of the first 18 migrations (20261126100000..20261126190000), generated once
-- from supabase/schemas/ (each file in [db.migrations] schema_paths order, verbatim). Migrations
-- after it are append-only and written by `deno task db:diff <name>` (or by hand where it says so).

-- ========================================
-- schemas/zoho/raw_store.sql
-- ========================================

-- Raw Zoho CRM store: every record whole as JSONB, every distinct version, every deletion.
-- Nothing here is derived; typed views (crm schema) and KPIs (analytics schema) read from it.
create schema if not exists zoho;

-- The current state of every record we have seen, keyed by (module, id), stored as returned.
-- Records stay in the heap up to a full page (compressed with lz4 on the way in): about half the
-- simulator's records (~1.9 kB after lz4) went to TOAST at the default 2 kB toast_tuple_target,
-- one more heap and index insert each, in both tables.
create table zoho.records (
  module text not null,
  id text not null,
  data jsonb compression lz4 not null,
  modified_time timestamptz,
  content_hash text not null,
  first_seen_at timestamptz not null default now(),
  last_synced_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_type text check (deleted_type in ('recycle', 'permanent')),
  version integer not null default 1,
  primary key (module, id)
) with (toast_tuple_target = 8160);
comment on table zoho.records is
  'Current state of each Zoho record (module, id) exactly as the API returned it';
comment on column zoho.records.content_hash is
  'zoho.content_hash(data): equal content gives an equal hash; a new version only when it changes';
create index records_module_modified_idx on zoho.records (module, modified_time);

-- Append-only history: one row per distinct content of a record, plus deletions and restores.
create table zoho.record_versions (
  module text not null,
  id text not null,
  version integer not null,
  change text not null check (change in ('insert', 'update', 'delete', 'restore')),
  data jsonb compression lz4 not null,
  content_hash text not null,
  modified_time timestamptz,
  observed_at timestamptz not null default now(),
  sync_run_id uuid,
  primary key (module, id, version)
) with (toast_tuple_target = 8160);
comment on table zoho.record_versions is
  'Append-only: every distinct version of every record, so stage and amount history is ours';

-- Deletions as Zoho's deleted-records API reports them; restores are kept, never removed.
create table zoho.deletions (
  module text not null,
  id text not null,
  deleted_time timestamptz not null,
  type text not null check (type in ('recycle', 'permanent')),
  display_name text,
  deleted_by jsonb,
  raw jsonb not null,
  observed_at timestamptz not null default now(),
  restored_at timestamptz,
  primary key (module, id, deleted_time)
);
-- The content hash every writer uses: one definition, in SQL. Profiled on 50,000 simulator leads
-- (about 2.9 kB of JSON each): sha256(data::text) spent ~20 µs a record rendering the jsonb back
-- to text (a sixth of the write).
-- The hash is Postgres's own jsonb hash (the one hash joins and hash indexes use; it walks the
-- binary form): equal jsonb gives an equal hash whatever the key order, and any change of a
-- key, value or nesting changes it. It follows jsonb equality, so numbers that are equal (1.0
-- and 1) hash alike: a change of a number's trailing zeros alone is not a new version. 64 bits:
-- it is only ever compared with the previous hash of the same record.
create or replace function zoho.content_hash(data jsonb) returns text
language sql
immutable
parallel safe
as $$ select lpad(to_hex(jsonb_hash_extended(data, 0)), 16, '0') $$;
comment on function zoho.content_hash(jsonb) is
  'Hex 64-bit jsonb hash: equal for equal jsonb (key order, whitespace and number scale ignored)';

-- Versions are append-only: updates and deletes are refused, unless a maintenance session
-- (retention, test clean-up) sets zoho.allow_purge = 'on' explicitly; updates never.
create or replace function zoho.refuse_change() returns trigger
language plpgsql
as $$
begin
  if tg_op = 'DELETE' and current_setting('zoho.allow_purge', true) = 'on' then
    return old;
  end if;
  raise exception '% is append-only', tg_table_schema || '.' || tg_table_name
    using errcode = '42501';
end
$$;
create trigger record_versions_append_only
  before update or delete on zoho.record_versions
  for each row execute function zoho.refuse_change();

alter table zoho.records enable row level security;
alter table zoho.record_versions enable row level security;
alter table zoho.deletions enable row level security;
revoke all on schema zoho from anon, authenticated;
revoke all on all tables in schema zoho from anon, authenticated;
grant usage on schema zoho to service_role;
grant select, insert, update on zoho.records, zoho.deletions to service_role;
grant select, insert on zoho.record_versions to service_role;

-- ========================================
-- schemas/zoho/sync_state.sql
-- ========================================

-- Sync engine state: metadata snapshots, per-module cursors, run lease, audit logs, OAuth token.
-- Cursors move in the same transaction as the records they cover, so a crash resumes cleanly.

-- Module and field metadata as Zoho returned it, one row per distinct content (append-only).
create table zoho.metadata_snapshots (
  kind text not null check (kind in ('modules', 'fields')),
  module text not null default '',
  data jsonb not null,
  content_hash text not null,
  captured_at timestamptz not null default now(),
  primary key (kind, module, content_hash)
);
comment on table zoho.metadata_snapshots is
  'Every distinct /settings/modules and /settings/fields answer; the newest per (kind, module) is current';

-- Per-module sync state: the incremental cursor, deletions cursor and full-read bookkeeping.
create table zoho.sync_state (
  module text primary key,
  next_since timestamptz,
  max_modified_time timestamptz,
  deleted_since timestamptz,
  full_started_at timestamptz,
  last_full_read_at timestamptz,
  fields_hash text,
  updated_at timestamptz not null default now(),
  deleted_checked_at timestamptz
);
comment on column zoho.sync_state.next_since is
  'If-Modified-Since for the next incremental read (inclusive); null means read everything';
comment on column zoho.sync_state.deleted_checked_at is
  'Zoho server time of the last /deleted read (ZOHO_DELETED_CHECK_MINUTES cadence; restores are found there too)';

-- A module read splits into segments of Modified_Time; each is one ascending page_token chain.
create table zoho.sync_segments (
  module text not null,
  segment integer not null,
  since timestamptz,
  until timestamptz,
  cursor timestamptz,
  page_token text,
  token_since timestamptz,
  done boolean not null default false,
  updated_at timestamptz not null default now(),
  primary key (module, segment)
);
comment on table zoho.sync_segments is
  'Read progress: records with Modified_Time in [since, until) up to cursor are committed';

-- One running sync at a time: a lease row renewed while the run works (no session locks, so it
-- also works behind the transaction pooler).
create table zoho.sync_lease (
  id boolean primary key default true check (id),
  run_id uuid not null,
  expires_at timestamptz not null
);

-- Runs and their per-module audit rows; sync_logs is append-only.
create table zoho.sync_runs (
  run_id uuid primary key,
  mode text not null check (mode in ('incremental', 'full')),
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  status text not null default 'running' check (status in ('running', 'partial', 'done', 'failed')),
  slices integer not null default 0,
  credits_used integer not null default 0
);

create table zoho.sync_logs (
  id bigserial primary key,
  run_id uuid not null,
  module text not null,
  slice integer not null,
  mode text not null,
  status text not null check (status in ('done', 'partial', 'failed')),
  started_at timestamptz not null,
  finished_at timestamptz not null default now(),
  pages integer not null default 0,
  fetched integer not null default 0,
  inserted integer not null default 0,
  updated integer not null default 0,
  unchanged integer not null default 0,
  deleted integer not null default 0,
  restored integer not null default 0,
  api_calls integer not null default 0,
  credits_used integer not null default 0,
  errors jsonb not null default '[]',
  cursor_before timestamptz,
  cursor_after timestamptz
);
create index sync_logs_run_idx on zoho.sync_logs (run_id, module);
create index sync_logs_finished_idx on zoho.sync_logs (finished_at);
create trigger sync_logs_append_only
  before update or delete on zoho.sync_logs
  for each row execute function zoho.refuse_change();
comment on table zoho.sync_logs is 'Immutable audit trail: one row per run, slice and module';

-- The OAuth access token, reused across invocations until it expires. refresh_log keeps the
-- recent refresh times so we stay under Zoho's ten refreshes per ten minutes.
create table zoho.oauth_tokens (
  key text primary key,
  access_token text,
  api_domain text,
  expires_at timestamptz,
  refresh_log timestamptz[] not null default '{}',
  updated_at timestamptz not null default now()
);
comment on table zoho.oauth_tokens is
  'Zoho access token per (accounts URL, client); the refresh token itself stays in env';

alter table zoho.metadata_snapshots enable row level security;
alter table zoho.sync_state enable row level security;
alter table zoho.sync_segments enable row level security;
alter table zoho.sync_lease enable row level security;
alter table zoho.sync_runs enable row level security;
alter table zoho.sync_logs enable row level security;
alter table zoho.oauth_tokens enable row level security;
revoke all on all tables in schema zoho from anon, authenticated;
revoke all on all sequences in schema zoho from anon, authenticated;
grant select, insert, update, delete on zoho.sync_state, zoho.sync_segments, zoho.sync_lease,
  zoho.sync_runs, zoho.oauth_tokens to service_role;
grant select, insert on zoho.metadata_snapshots, zoho.sync_logs to service_role;
grant usage on all sequences in schema zoho to service_role;

-- ========================================
-- schemas/crm/views.sql
-- ========================================

-- Typed views over the raw Zoho JSONB: the columns analytics read. Field API names are Zoho's
-- standard ones; lookups are {"id","name"} objects; timestamps carry the org's UTC offset.
create schema if not exists crm;

-- Zoho datetimes look like 2026-03-04T10:15:30+05:30; '' and null both mean "no value".
create or replace function crm.ts(value text) returns timestamptz
language sql immutable parallel safe
as $$ select nullif(value, '')::timestamptz $$;

create or replace function crm.num(value text) returns numeric
language sql immutable parallel safe
as $$ select nullif(value, '')::numeric $$;

create or replace function crm.day(value text) returns date
language sql immutable parallel safe
as $$ select nullif(value, '')::date $$;

-- A picklist value: Zoho sends '' or '-None-' for "no value".
create or replace function crm.picklist(value text) returns text
language sql immutable parallel safe
as $$ select nullif(nullif(value, ''), '-None-') $$;

-- Leads. Per-record reads return {"Contact","Account","Deal","converted_time"}; older samples use
-- lower-case keys and converted_date_time, so both are accepted; Converted__s backs $converted.
create or replace view crm.leads as
select
  r.id,
  crm.ts(r.data ->> 'Created_Time') as created_at,
  crm.ts(r.data ->> 'Modified_Time') as modified_at,
  r.data -> 'Owner' ->> 'id' as owner_id,
  r.data -> 'Owner' ->> 'name' as owner_name,
  crm.picklist(r.data ->> 'Lead_Source') as lead_source,
  crm.picklist(r.data ->> 'Lead_Status') as lead_status,
  r.data ->> 'Company' as company,
  r.data ->> 'Email' as email,
  coalesce((r.data ->> '$converted')::boolean, (r.data ->> 'Converted__s')::boolean, false)
    as converted,
  crm.ts(coalesce(
    r.data -> '$converted_detail' ->> 'converted_time',
    r.data -> '$converted_detail' ->> 'converted_date_time',
    r.data ->> 'Converted_Date_Time'
  )) as converted_at,
  coalesce(
    r.data -> '$converted_detail' -> 'Contact' ->> 'id',
    r.data -> '$converted_detail' -> 'contact' ->> 'id',
    r.data -> 'Converted_Contact' ->> 'id'
  ) as converted_contact_id,
  coalesce(
    r.data -> '$converted_detail' -> 'Account' ->> 'id',
    r.data -> '$converted_detail' -> 'account' ->> 'id',
    r.data -> 'Converted_Account' ->> 'id'
  ) as converted_account_id,
  coalesce(
    r.data -> '$converted_detail' -> 'Deal' ->> 'id',
    r.data -> '$converted_detail' -> 'deal' ->> 'id',
    r.data -> 'Converted_Deal' ->> 'id'
  ) as converted_deal_id,
  r.deleted_at,
  r.data
from zoho.records r
where r.module = 'Leads';
comment on view crm.leads is 'Leads, converted ones included ($converted, $converted_detail)';

create or replace view crm.deals as
select
  r.id,
  r.data ->> 'Deal_Name' as name,
  crm.ts(r.data ->> 'Created_Time') as created_at,
  crm.ts(r.data ->> 'Modified_Time') as modified_at,
  r.data -> 'Owner' ->> 'id' as owner_id,
  r.data -> 'Owner' ->> 'name' as owner_name,
  r.data ->> 'Stage' as stage,
  crm.num(r.data ->> 'Amount') as amount,
  crm.num(r.data ->> 'Probability') as probability,
  crm.day(r.data ->> 'Closing_Date') as closing_date,
  crm.picklist(r.data ->> 'Lead_Source') as lead_source,
  r.data -> 'Account_Name' ->> 'id' as account_id,
  r.data -> 'Contact_Name' ->> 'id' as contact_id,
  r.data -> 'Campaign_Source' ->> 'id' as campaign_id,
  r.data ->> 'Type' as deal_type,
  crm.picklist(r.data ->> 'Reason_For_Loss__s') as reason_for_loss,
  (r.data ->> 'Stage') = 'Closed Won' as is_won,
  (r.data ->> 'Stage') like 'Closed Lost%' as is_lost,
  (r.data ->> 'Stage') like 'Closed%' as is_closed,
  r.deleted_at,
  r.data
from zoho.records r
where r.module = 'Deals';
comment on view crm.deals is
  'Deals; is_won = Stage Closed Won, is_lost = Stage Closed Lost*, closing_date = Closing_Date';

create or replace view crm.contacts as
select
  r.id,
  crm.ts(r.data ->> 'Created_Time') as created_at,
  crm.ts(r.data ->> 'Modified_Time') as modified_at,
  r.data -> 'Owner' ->> 'id' as owner_id,
  r.data -> 'Account_Name' ->> 'id' as account_id,
  crm.picklist(r.data ->> 'Lead_Source') as lead_source,
  r.data ->> 'Email' as email,
  r.deleted_at,
  r.data
from zoho.records r
where r.module = 'Contacts';

create or replace view crm.accounts as
select
  r.id,
  r.data ->> 'Account_Name' as name,
  crm.ts(r.data ->> 'Created_Time') as created_at,
  crm.ts(r.data ->> 'Modified_Time') as modified_at,
  r.data -> 'Owner' ->> 'id' as owner_id,
  r.deleted_at,
  r.data
from zoho.records r
where r.module = 'Accounts';

-- Calls, Tasks and Events (API name Events, UI name Meetings) in one shape. What_Id with
-- $se_module names the parent (Leads, Deals, Accounts, ...); Who_Id is a contact.
create or replace view crm.activities as
select
  r.module,
  r.id,
  crm.ts(r.data ->> 'Created_Time') as created_at,
  crm.ts(r.data ->> 'Modified_Time') as modified_at,
  r.data -> 'Owner' ->> 'id' as owner_id,
  coalesce(r.data ->> 'Subject', r.data ->> 'Event_Title') as subject,
  r.data ->> '$se_module' as parent_module,
  r.data -> 'What_Id' ->> 'id' as parent_id,
  r.data -> 'Who_Id' ->> 'id' as contact_id,
  case r.module
    when 'Calls' then crm.ts(r.data ->> 'Call_Start_Time')
    when 'Events' then crm.ts(r.data ->> 'Start_DateTime')
    else crm.day(r.data ->> 'Due_Date')::timestamptz
  end as activity_at,
  coalesce(r.data ->> 'Status', r.data ->> 'Call_Status') as status,
  r.deleted_at,
  r.data
from zoho.records r
where r.module in ('Calls', 'Tasks', 'Events');

create or replace view crm.campaigns as
select
  r.id,
  r.data ->> 'Campaign_Name' as name,
  r.data ->> 'Type' as campaign_type,
  r.data ->> 'Status' as status,
  crm.day(r.data ->> 'Start_Date') as start_date,
  crm.day(r.data ->> 'End_Date') as end_date,
  crm.num(r.data ->> 'Budgeted_Cost') as budgeted_cost,
  crm.num(r.data ->> 'Actual_Cost') as actual_cost,
  crm.num(r.data ->> 'Expected_Revenue') as expected_revenue,
  crm.ts(r.data ->> 'Created_Time') as created_at,
  r.deleted_at,
  r.data
from zoho.records r
where r.module = 'Campaigns';

-- Stage history from the versions we keep: a row each time a deal's Stage takes a new value.
create or replace view crm.deal_stage_history as
select
  v.id as deal_id,
  v.data ->> 'Stage' as stage,
  coalesce(crm.ts(v.data ->> 'Modified_Time'), v.observed_at) as entered_at,
  crm.num(v.data ->> 'Amount') as amount,
  crm.day(v.data ->> 'Closing_Date') as closing_date,
  v.version
from (
  select rv.*,
    lag(rv.data ->> 'Stage') over (partition by rv.id order by rv.version) as previous_stage
  from zoho.record_versions rv
  where rv.module = 'Deals' and rv.change in ('insert', 'update', 'restore')
) v
where v.previous_stage is distinct from v.data ->> 'Stage';
comment on view crm.deal_stage_history is
  'One row per stage a deal entered, from zoho.record_versions (history we own)';

revoke all on schema crm from anon, authenticated;
grant usage on schema crm to service_role;
grant select on all tables in schema crm to service_role;

-- ========================================
-- schemas/analytics/settings.sql
-- ========================================

-- Analytics settings an admin fills: time zone, stage probabilities and stale thresholds,
-- revenue targets, campaign sources. The rows inserted here are the defaults a new database
-- starts with (data: db:diff does not compare it; change it in a hand-written migration).
create schema if not exists analytics;
revoke all on schema analytics from anon, authenticated;
grant usage on schema analytics to service_role;

-- True when `name` is a time zone Postgres knows (pg_timezone_names or a POSIX/offset spec).
create or replace function analytics.is_time_zone(name text) returns boolean
language plpgsql stable
as $$
begin
  perform timezone(name, timestamptz '2000-01-01 00:00:00+00');
  return true;
exception when others then
  return false;
end
$$;

-- One row of company-wide settings. Periods (day, week, month, quarter, year) are cut in
-- time_zone; weeks start on Monday (ISO 8601, Postgres date_trunc('week')).
create table analytics.settings (
  id boolean primary key default true check (id),
  time_zone text not null default 'UTC',
  currency text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  -- A lead cohort (creation month) is "incomplete" until this many days after its last day:
  -- about one typical lead → won cycle (rekener.com: wait one conversion cycle).
  cohort_maturity_days integer not null default 90 check (cohort_maturity_days >= 0),
  -- Anomalies: robust z = (change − median) ÷ (1.4826 × MAD) over the previous `anomaly_weeks`
  -- week-over-week changes; flagged when |z| > anomaly_threshold and the week has volume.
  anomaly_weeks integer not null default 8 check (anomaly_weeks between 3 and 52),
  anomaly_threshold numeric not null default 3 check (anomaly_threshold > 0),
  anomaly_min_count integer not null default 10 check (anomaly_min_count >= 0),
  -- Leads created this many days ago or more without any call/task/event are "untouched".
  untouched_after_days integer not null default 7 check (untouched_after_days >= 0),
  updated_at timestamptz not null default now(),
  constraint settings_time_zone_valid check (analytics.is_time_zone(time_zone))
);
comment on table analytics.settings is
  'Company-wide analytics settings (single row): time zone of periods, currency, thresholds';
insert into analytics.settings default values on conflict do nothing;

-- Stages in pipeline order with the fallback probability (Zoho's standard Stage-Probability
-- mapping, used when a deal's own Probability is null) and the per-stage stale threshold
-- (days without change; saas-factory.ai example thresholds: early stages 14, late stages 3-5).
create table analytics.stage_settings (
  stage text primary key,
  position integer not null unique,
  probability numeric not null check (probability between 0 and 100),
  stale_days integer check (stale_days > 0),
  is_open boolean not null
);
comment on table analytics.stage_settings is
  'Stage order, fallback probability (Zoho standard mapping) and stale-after-days per stage';
insert into analytics.stage_settings (stage, position, probability, stale_days, is_open) values
  ('Qualification', 1, 10, 14, true),
  ('Needs Analysis', 2, 20, 14, true),
  ('Value Proposition', 3, 40, 10, true),
  ('Id. Decision Makers', 4, 60, 10, true),
  ('Perception Analysis', 5, 70, 7, true),
  ('Proposal/Price Quote', 6, 75, 5, true),
  ('Negotiation/Review', 7, 90, 3, true),
  ('Closed Won', 8, 100, null, false),
  ('Closed Lost', 9, 0, null, false),
  ('Closed Lost to Competition', 10, 0, null, false)
on conflict do nothing;

-- Revenue targets per quarter, company-wide (owner_id null) or per deal owner (Zoho user id).
create table analytics.revenue_targets (
  quarter_start date not null check (quarter_start = date_trunc('quarter', quarter_start)::date),
  owner_id text,
  amount numeric not null check (amount >= 0),
  updated_at timestamptz not null default now(),
  unique nulls not distinct (quarter_start, owner_id)
);
comment on table analytics.revenue_targets is
  'Closed Won revenue target per quarter (owner_id null = company), in settings.currency';

-- Which lead source a campaign's cost belongs to. Without a row here a campaign belongs to the
-- most frequent Lead_Source of the deals that name it as Campaign_Source.
create table analytics.campaign_sources (
  campaign_id text primary key,
  lead_source text not null
);
comment on table analytics.campaign_sources is
  'Admin override: campaign → lead source for source ROI (default: its deals'' main source)';

alter table analytics.settings enable row level security;
alter table analytics.stage_settings enable row level security;
alter table analytics.revenue_targets enable row level security;
alter table analytics.campaign_sources enable row level security;
revoke all on all tables in schema analytics from anon, authenticated;
grant select, insert, update, delete on analytics.settings, analytics.stage_settings,
  analytics.revenue_targets, analytics.campaign_sources to service_role;

-- ========================================
-- schemas/analytics/facts.sql
-- ========================================

-- Analytics fact tables: the typed crm views (and deal versions) read once into narrow tables
-- every KPI reads. Why tables: every `data ->> 'Field'` re-reads the JSONB, so KPIs straight over
-- crm.* would scan the raw store once per KPI. The facts cut local days in the company time zone.
-- They are derived data, never a source of truth.
--
-- Kept current at write time by statement-level triggers (transition tables, one set-based pass
-- per write batch); a snapshot only catches up instead of rebuilding them. Rebuilding re-read
-- every record's compressed JSON (≈ 60 s on the 1M-lead demo) on every snapshot. Each INSERT /
-- UPDATE / DELETE statement on zoho.records and zoho.record_versions (the sync writer's upserts
-- included) re-derives the facts of the rows it changed, with the same row → fact functions the
-- full rebuild uses, so incremental facts equal a full rebuild (pgTAP
-- analytics_facts_incremental.sql).
--
-- Validity: the fact tables are unlogged (derived data, no WAL on ingest). A crash empties every
-- unlogged table together, analytics.f_ready included, and an empty f_ready means "facts not
-- built": triggers then skip their work (an initial full sync pays nothing) and the next
-- snapshot rebuilds everything once. Changing the time zone or stage settings (which facts
-- bake in: local days, fallback probability, progress ranks) empties f_ready the same way.

create unlogged table analytics.f_ready (
  id boolean primary key default true check (id),
  built_at timestamptz not null default now()
);
comment on table analytics.f_ready is
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

-- Stage entries as a fact kept at write time, so a snapshot computes no stage history:
-- stage_conversion reads it, open deals find their current stage by index, deal_risks reuses
-- the medians. A window over every kept deal version (1.1M on the 1M-lead demo) cost ≈ 4 s of
-- CPU per stage_conversion. analytics.f_stage_entries holds analytics.stage_entries' rows (one
-- per new Stage value or deletion) with what stage_conversion derives from the whole history:
-- the stage's progress rank, when the deal left it (next entry), the highest progress of any
-- later entry, and the deal's last entry time. relink_deal_versions (run by the version
-- triggers for the deals a statement touched) and refresh_facts rebuild them per deal. Those
-- derived columns are the history up to as_of whenever the deal has no entry after as_of (its
-- last entry is before the end of as_of): always so for as_of = today. Deals with later entries
-- (a past as_of) get the window over their entries up to as_of. Progress ranks come from
-- analytics.stage_settings, whose changes empty f_ready (a full rebuild on the next snapshot).
create unlogged table analytics.f_stage_entries (
  deal_id text not null,
  version integer not null,
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
  primary key (deal_id, version)
);
comment on table analytics.f_stage_entries is
  'analytics.stage_entries over the whole history with progress rank, next entry and later '
  'progress per entry (kept per deal by relink_deal_versions)';
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
    coalesce(x."$converted", false), crm.ts(x."$converted_detail" ->> 'converted_date_time'),
    (crm.ts(x."$converted_detail" ->> 'converted_date_time') at time zone tz)::date,
    x."$converted_detail" -> 'deal' ->> 'id', p_deleted_at
  from jsonb_to_record(p_data) as x("Created_Time" text, "Owner" jsonb, "Lead_Source" text,
    "Lead_Status" text, "$converted" boolean, "$converted_detail" jsonb)
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

-- The stage entry facts of the given deals from analytics.f_deal_versions.
create or replace function analytics.stage_entry_facts(p_deal_ids text[])
returns setof analytics.f_stage_entries
language sql stable
as $$
  with rank as (
    select s.stage, case when s.is_open or s.stage = 'Closed Won' then s.position end as progress
    from analytics.stage_settings s
  ),
  e as (
    select v.deal_id, v.version, v.valid_from,
      case when v.change <> 'delete' then v.stage end as stage
    from (select distinct unnest(p_deal_ids)) k(deal_id)
    join analytics.f_deal_versions v on v.deal_id = k.deal_id
    where v.change = 'delete' or v.stage is distinct from v.previous_stage
  )
  select e.deal_id, e.version, e.valid_from, e.stage, r.progress, lead(e.valid_from) over w,
    max(r.progress) over (w rows between 1 following and unbounded following),
    max(e.valid_from) over (partition by e.deal_id)
  from e
  left join rank r on r.stage = e.stage
  window w as (partition by e.deal_id order by e.version)
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
  delete from analytics.f_stage_entries s where s.deal_id = any(p_deal_ids);
  insert into analytics.f_stage_entries select * from analytics.stage_entry_facts(p_deal_ids);
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
    analytics.f_touches_dirty, analytics.f_deal_versions, analytics.f_stage_entries,
    analytics.f_campaigns, analytics.f_ready;

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
  insert into analytics.f_ready default values;

  analyze analytics.f_leads;
  analyze analytics.f_deals;
  analyze analytics.f_activities;
  analyze analytics.f_touches;
  analyze analytics.f_deal_versions;
  analyze analytics.f_stage_entries;
  analyze analytics.f_campaigns;
end
$$;
comment on function analytics.refresh_facts() is
  'Rebuilds analytics.f_* from zoho.records and zoho.record_versions (one read of each) and marks '
  'them ready; afterwards triggers keep them current';

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
  if not exists (select from analytics.f_ready) then
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
  if not exists (select from analytics.f_ready) then
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
  if not exists (select from analytics.f_ready) then
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

-- Facts bake in the time zone (local days) and stage fallback probabilities: changing them, or
-- truncating the raw store, means a full rebuild on the next snapshot.
create or replace function analytics.invalidate_facts() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  delete from analytics.f_ready;
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

alter table analytics.f_ready enable row level security;
alter table analytics.f_leads enable row level security;
alter table analytics.f_deals enable row level security;
alter table analytics.f_activities enable row level security;
alter table analytics.f_touches enable row level security;
alter table analytics.f_touches_dirty enable row level security;
alter table analytics.f_deal_versions enable row level security;
alter table analytics.f_stage_entries enable row level security;
alter table analytics.f_campaigns enable row level security;
revoke all on all tables in schema analytics from anon, authenticated;
grant select on analytics.f_ready, analytics.f_leads, analytics.f_deals, analytics.f_activities,
  analytics.f_touches, analytics.f_deal_versions, analytics.f_stage_entries,
  analytics.f_campaigns to service_role;
-- Only the snapshot path (and the owner) rebuilds or catches up facts.
revoke all on function analytics.refresh_facts() from public;
revoke all on function analytics.catch_up_facts() from public;
revoke all on function analytics.relink_deal_versions(text[]) from public;
revoke all on function analytics.refresh_campaign_facts() from public;
grant execute on function analytics.refresh_facts() to service_role;
grant execute on function analytics.catch_up_facts() to service_role;

-- ========================================
-- schemas/analytics/rules.sql
-- ========================================

-- The rules every KPI function shares, each said once as a small SQL function, so a rule changes
-- in one place. alive_at and days are immutable single-expression SQL functions (no SET clause,
-- no security definer): Postgres inlines them into the calling query, whose plan is the same as
-- with the expression written out (pgTAP analytics_rules.sql checks EXPLAIN).
--
-- Conventions of every KPI function:
-- * Everything takes p_as_of (a date in analytics.settings.time_zone); nothing reads now().
-- * Periods come from analytics.periods(p_as_of): day, wtd, mtd, qtd, ytd are "to date" (start
--   of the period up to the end of p_as_of); the previous equal period is the same number of days
--   from the start of the previous period (capped at its end); t12m is the 12 months to p_as_of.
-- * A record counts when it existed at the end of p_as_of: created on or before it and not
--   deleted by then. Fields are their current values (Zoho keeps only the current record; the
--   stage-history KPIs read the versions we own).
-- * Closed in period = Closing_Date in the period (Zoho's closing date of a closed deal).
-- * Amounts are exact numeric; percentages are rounded to 2 decimals, money averages to 2,
--   days to 2. Medians are exact: mean of the lower and upper middle values (percentile_disc).
-- * Dimensions: 'all' (key null), 'source' (Lead_Source, '(none)' when empty), 'owner' (owner
--   id, label = owner name), and 'status' / 'stage' / 'closing_month' where stated.

-- The time zone is evaluated once per query: analytics.day_end() and analytics.time_zone() are
-- stable SQL functions whose body reads analytics.settings, so Postgres cannot inline them and,
-- in a filter over a fact table, calls them for every row (on the 1M-lead demo that was 3.6 s of
-- a 0.16 s scan of analytics.f_deal_versions). KPI functions wrap each call in a scalar
-- sub-select, `(select analytics.day_end(p_as_of))`, which Postgres runs once as an InitPlan.

create or replace function analytics.periods(p_as_of date)
returns table (period text, start_day date, end_day date, full_end date, prev_start date,
  prev_end date)
language sql immutable parallel safe
as $$
  select p.period, p.s, p_as_of + 1, greatest(p.fe, p_as_of + 1), p.ps,
    least(p.s, p.ps + (p_as_of + 1 - p.s))
  from (values
    ('day', p_as_of, p_as_of + 1, p_as_of - 1),
    ('wtd', date_trunc('week', p_as_of::timestamp)::date,
      (date_trunc('week', p_as_of::timestamp) + interval '1 week')::date,
      (date_trunc('week', p_as_of::timestamp) - interval '1 week')::date),
    ('mtd', date_trunc('month', p_as_of::timestamp)::date,
      (date_trunc('month', p_as_of::timestamp) + interval '1 month')::date,
      (date_trunc('month', p_as_of::timestamp) - interval '1 month')::date),
    ('qtd', date_trunc('quarter', p_as_of::timestamp)::date,
      (date_trunc('quarter', p_as_of::timestamp) + interval '3 months')::date,
      (date_trunc('quarter', p_as_of::timestamp) - interval '3 months')::date),
    ('ytd', date_trunc('year', p_as_of::timestamp)::date,
      (date_trunc('year', p_as_of::timestamp) + interval '1 year')::date,
      (date_trunc('year', p_as_of::timestamp) - interval '1 year')::date),
    ('t12m', (p_as_of + 1 - interval '12 months')::date, p_as_of + 1,
      (p_as_of + 1 - interval '24 months')::date)
  ) as p(period, s, fe, ps)
$$;
comment on function analytics.periods(date) is
  'Periods of p_as_of: day, wtd (ISO week from Monday), mtd, qtd, ytd to date, t12m; '
  'prev_* = previous equal period (same elapsed days of the previous period, capped at its end); '
  'full_end = end of the whole calendar period';

-- The instant p_as_of ends in the company time zone.
create or replace function analytics.day_end(p_as_of date) returns timestamptz
language sql stable parallel safe
as $$ select ((p_as_of + 1)::timestamp at time zone analytics.time_zone()) $$;

create or replace function analytics.pct(num numeric, den numeric) returns numeric
language sql immutable parallel safe
as $$ select round(100 * num / nullif(den, 0), 2) $$;
comment on function analytics.pct(numeric, numeric) is
  'Percentage num ÷ den × 100, 2 decimals; null when den is 0 or null';

-- Rows of grouping sets ((), (lead_source), (owner_id)) (or a subset) are labelled by the
-- dimension they belong to: 'source' or 'owner' when grouped by it, else 'all'. Call with
-- grouping(lead_source) and grouping(owner_id) (1 = not grouped by it).
create or replace function analytics.dimension(by_source integer, by_owner integer default 1)
returns text
language sql immutable parallel safe
as $$ select case when by_source = 0 then 'source' when by_owner = 0 then 'owner' else 'all' end $$;
comment on function analytics.dimension(integer, integer) is
  'Dimension of a grouping-sets row: source, owner or all (from grouping() of each column)';

-- ... and keyed by the lead source or owner id it groups ('(none)' when empty; null for 'all').
create or replace function analytics.dimension_key(by_source integer, lead_source text,
  by_owner integer default 1, owner_id text default null)
returns text
language sql immutable parallel safe
as $$
  select case when by_source = 0 then coalesce(lead_source, '(none)')
    when by_owner = 0 then coalesce(owner_id, '(none)') end
$$;
comment on function analytics.dimension_key(integer, text, integer, text) is
  'Key of a grouping-sets row: its lead source or owner id, ''(none)'' when empty, null for all';

-- ... and an owner row carries the owner's name (call with max(owner_name)); others none.
create or replace function analytics.owner_label(by_owner integer, owner_name text) returns text
language sql immutable parallel safe
as $$ select case when by_owner = 0 then owner_name end $$;
comment on function analytics.owner_label(integer, text) is
  'Label of a grouping-sets row: the owner name on owner rows, else null';

-- "Not deleted at that time": a record deleted at or after the instant t still counted at t.
create or replace function analytics.alive_at(deleted_at timestamptz, t timestamptz)
returns boolean
language sql immutable parallel safe
as $$ select deleted_at is null or deleted_at >= t $$;
comment on function analytics.alive_at(timestamptz, timestamptz) is
  'True when a record with this deleted_at (null = never) still existed at instant t';

-- The length of an interval in days, fractional (a day = 86,400 s).
create or replace function analytics.days(span interval) returns numeric
language sql immutable parallel safe
as $$ select extract(epoch from span) / 86400 $$;
comment on function analytics.days(interval) is
  'Length of an interval in days of 86,400 s (fractional; exact numeric)';

-- ========================================
-- schemas/analytics/kpis_revenue.sql
-- ========================================

-- KPIs over leads and deals: leads created and growth, win rate, revenue vs target, deal size
-- and cycle, sales velocity, pipeline and coverage. Conventions and shared rules:
-- analytics/rules.sql.

create or replace function analytics.leads_created(p_as_of date, p_period text default 'mtd')
returns table (dimension text, key text, label text, leads bigint, prev_leads bigint,
  growth_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  l as (
    select f.lead_source, f.owner_id, f.owner_name, f.lead_status,
      f.created_day >= p.start_day as cur
    from analytics.f_leads f, p
    where f.created_day >= p.prev_start and f.created_day < p.end_day
      and (f.created_day >= p.start_day or f.created_day < p.prev_end)
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select
    case when grouping(lead_source) = 0 then 'source' when grouping(owner_id) = 0 then 'owner'
      when grouping(lead_status) = 0 then 'status' else 'all' end,
    case when grouping(lead_source) = 0 then coalesce(lead_source, '(none)')
      when grouping(owner_id) = 0 then coalesce(owner_id, '(none)')
      when grouping(lead_status) = 0 then coalesce(lead_status, '(none)') end,
    analytics.owner_label(grouping(owner_id), max(owner_name)),
    count(*) filter (where cur), count(*) filter (where not cur),
    analytics.pct(count(*) filter (where cur) - count(*) filter (where not cur),
      count(*) filter (where not cur))
  from l
  group by grouping sets ((), (lead_source), (owner_id), (lead_status))
  order by 1, 2 nulls first
$$;
comment on function analytics.leads_created(date, text) is
  'Leads created = count of leads created in the period (to date), by all/source/owner/status; '
  'growth_pct = (this − previous equal period) ÷ previous × 100 (standard MoM/WoW growth)';

create or replace function analytics.win_rate(p_as_of date, p_period text default 't12m')
returns table (dimension text, key text, label text, won bigint, lost bigint,
  won_amount numeric, lost_amount numeric, win_rate_count_pct numeric,
  win_rate_value_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  d as (
    select f.* from analytics.f_deals f, p
    where f.is_closed and (f.is_won or f.is_lost)
      and f.closing_date >= p.start_day and f.closing_date < p.end_day
      and f.created_day < p.end_day
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select
    analytics.dimension(grouping(lead_source), grouping(owner_id)),
    analytics.dimension_key(grouping(lead_source), lead_source, grouping(owner_id), owner_id),
    analytics.owner_label(grouping(owner_id), max(owner_name)),
    count(*) filter (where is_won), count(*) filter (where is_lost),
    coalesce(sum(amount) filter (where is_won), 0), coalesce(sum(amount) filter (where is_lost), 0),
    analytics.pct(count(*) filter (where is_won), count(*)),
    analytics.pct(coalesce(sum(amount) filter (where is_won), 0), coalesce(sum(amount), 0))
  from d
  group by grouping sets ((), (lead_source), (owner_id))
  order by 1, 2 nulls first
$$;
comment on function analytics.win_rate(date, text) is
  'Win rate = Closed Won ÷ (Closed Won + Closed Lost) × 100 over deals closed (Closing_Date) in '
  'the period; by count and by value (won amount ÷ closed amount, null amounts as 0); open '
  'deals excluded; variant: all Closed Lost* stages count as lost (no separate no-decision)';

create or replace function analytics.revenue(p_as_of date)
returns table (period text, start_day date, end_day date, revenue numeric, won_deals bigint,
  prev_revenue numeric, growth_pct numeric, target numeric, attainment_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period in ('day', 'wtd', 'mtd',
    'qtd', 'ytd')),
  won as (
    select f.closing_date, coalesce(f.amount, 0) as amount from analytics.f_deals f
    where f.is_won and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select p.period, p.start_day, p.end_day, r.revenue, r.won_deals, r.prev_revenue,
    analytics.pct(r.revenue - r.prev_revenue, r.prev_revenue), t.target,
    analytics.pct(r.revenue, t.target)
  from p
  cross join lateral (
    select coalesce(sum(w.amount) filter (where w.closing_date >= p.start_day), 0) as revenue,
      count(*) filter (where w.closing_date >= p.start_day) as won_deals,
      coalesce(sum(w.amount) filter (where w.closing_date < p.prev_end), 0) as prev_revenue
    from won w
    where w.closing_date >= p.prev_start and w.closing_date < p.end_day
      and (w.closing_date >= p.start_day or w.closing_date < p.prev_end)
  ) r
  left join lateral (
    select sum(rt.amount) as target from analytics.revenue_targets rt
    where rt.owner_id is null and p.period in ('qtd', 'ytd')
      and rt.quarter_start >= p.start_day and rt.quarter_start <= p_as_of
  ) t on true
  order by p.end_day - p.start_day, p.period
$$;
comment on function analytics.revenue(date) is
  'Revenue = Σ Amount of Closed Won deals by Closing_Date, to date for day/wtd/mtd/qtd/ytd, vs '
  'the previous equal period and vs target (qtd: the quarter''s company target; ytd: targets of '
  'quarters started this year up to p_as_of; attainment = revenue ÷ target × 100)';

create or replace function analytics.revenue_by_owner(p_as_of date)
returns table (owner_id text, label text, revenue numeric, won_deals bigint, target numeric,
  attainment_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = 'qtd'),
  r as (
    select f.owner_id, max(f.owner_name) as label, coalesce(sum(f.amount), 0) as revenue,
      count(*) as won_deals
    from analytics.f_deals f, p
    where f.is_won and f.closing_date >= p.start_day and f.closing_date < p.end_day
      and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
    group by f.owner_id
  ),
  t as (
    select rt.owner_id, rt.amount from analytics.revenue_targets rt, p
    where rt.owner_id is not null and rt.quarter_start = p.start_day
  )
  select coalesce(r.owner_id, t.owner_id), r.label, coalesce(r.revenue, 0),
    coalesce(r.won_deals, 0), t.amount, analytics.pct(coalesce(r.revenue, 0), t.amount)
  from r full join t on t.owner_id = r.owner_id
  order by 1
$$;
comment on function analytics.revenue_by_owner(date) is
  'Quarter-to-date Closed Won revenue per deal owner vs the owner''s quarter target';

create or replace function analytics.revenue_by_month(p_as_of date, p_months integer default 12)
returns table (month date, dimension text, key text, revenue numeric, won_deals bigint)
language sql stable
as $$
  select date_trunc('month', f.closing_date::timestamp)::date,
    analytics.dimension(grouping(f.lead_source)),
    analytics.dimension_key(grouping(f.lead_source), f.lead_source),
    coalesce(sum(f.amount), 0), count(*)
  from analytics.f_deals f
  where f.is_won and f.closing_date <= p_as_of and f.created_day <= p_as_of
    and f.closing_date >= (date_trunc('month', p_as_of::timestamp)
      - make_interval(months => p_months - 1))::date
    and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  group by grouping sets ((1), (1, f.lead_source))
  order by 1, 2, 3 nulls first
$$;
comment on function analytics.revenue_by_month(date, integer) is
  'Closed Won revenue (Σ Amount) by closing month (Closing_Date), last p_months months, all and '
  'by source';

create or replace function analytics.deal_size(p_as_of date, p_period text default 't12m')
returns table (dimension text, key text, label text, won_deals bigint, avg_amount numeric,
  median_amount numeric, avg_cycle_days numeric, median_cycle_days numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  d as (
    select f.*, f.closing_date - f.created_day as cycle from analytics.f_deals f, p
    where f.is_won and f.closing_date >= p.start_day and f.closing_date < p.end_day
      and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select
    analytics.dimension(grouping(lead_source), grouping(owner_id)),
    analytics.dimension_key(grouping(lead_source), lead_source, grouping(owner_id), owner_id),
    analytics.owner_label(grouping(owner_id), max(owner_name)),
    count(*),
    round(avg(amount), 2),
    round((percentile_disc(0.5) within group (order by amount)
      + percentile_disc(0.5) within group (order by amount desc)) / 2, 2),
    round(avg(cycle), 2),
    round((percentile_disc(0.5) within group (order by cycle)
      + percentile_disc(0.5) within group (order by cycle desc)) / 2.0, 2)
  from d
  group by grouping sets ((), (lead_source), (owner_id))
  order by 1, 2 nulls first
$$;
comment on function analytics.deal_size(date, text) is
  'Deal size = average and median Amount of Closed Won deals closed in the period (null amounts '
  'skipped, zero amounts counted); sales cycle = Closing_Date − created day (company time zone), '
  'average and median, won deals only';

create or replace function analytics.sales_velocity(p_as_of date)
returns table (dimension text, key text, open_deals bigint, won bigint, closed bigint,
  win_rate_pct numeric, avg_deal_size numeric, avg_cycle_days numeric, velocity_per_day numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = 't12m'),
  alive as (
    select f.* from analytics.f_deals f
    where f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  ),
  g as (
    select
      analytics.dimension(grouping(a.lead_source)) as dimension,
      analytics.dimension_key(grouping(a.lead_source), a.lead_source) as key,
      count(*) filter (where not a.is_closed) as open_deals,
      count(*) filter (where a.is_won and a.closing_date >= p.start_day
        and a.closing_date < p.end_day) as won,
      count(*) filter (where (a.is_won or a.is_lost) and a.closing_date >= p.start_day
        and a.closing_date < p.end_day) as closed,
      avg(a.amount) filter (where a.is_won and a.closing_date >= p.start_day
        and a.closing_date < p.end_day) as size,
      avg(a.closing_date - a.created_day) filter (where a.is_won
        and a.closing_date >= p.start_day and a.closing_date < p.end_day) as cycle
    from alive a, p
    group by grouping sets ((), (a.lead_source))
  )
  select dimension, key, open_deals, won, closed, analytics.pct(won, closed), round(size, 2),
    round(cycle, 2),
    round(open_deals * (won::numeric / nullif(closed, 0)) * size / nullif(cycle, 0), 2)
  from g
  order by 1, 2 nulls first
$$;
comment on function analytics.sales_velocity(date) is
  'Sales velocity (revenue per day) = open opportunities × win rate × average deal size ÷ '
  'average sales cycle days; win rate (by count), size and cycle from won/lost deals closed in '
  'the trailing 12 months, open opportunities = open deals at p_as_of; all and per source '
  '(HubSpot formula, winsabove variant: trailing-12-month rate and cycle)';

create or replace function analytics.pipeline(p_as_of date)
returns table (dimension text, key text, label text, stage_position integer, open_deals bigint,
  amount numeric, weighted_amount numeric)
language sql stable
as $$
  with o as (
    select f.*, s.position,
      to_char(date_trunc('month', f.closing_date::timestamp), 'YYYY-MM') as closing_month
    from analytics.f_deals f
    left join analytics.stage_settings s on s.stage = f.stage
    where not f.is_closed and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select
    case when grouping(stage) = 0 then 'stage' when grouping(closing_month) = 0
      then 'closing_month' when grouping(owner_id) = 0 then 'owner'
      when grouping(lead_source) = 0 then 'source' else 'all' end,
    case when grouping(stage) = 0 then coalesce(stage, '(none)')
      when grouping(closing_month) = 0 then coalesce(closing_month, '(none)')
      when grouping(owner_id) = 0 then coalesce(owner_id, '(none)')
      when grouping(lead_source) = 0 then coalesce(lead_source, '(none)') end,
    analytics.owner_label(grouping(owner_id), max(owner_name)),
    case when grouping(stage) = 0 then min(position) end,
    count(*), coalesce(sum(amount), 0),
    coalesce(sum(amount * probability / 100), 0)
  from o
  group by grouping sets ((), (stage), (closing_month), (owner_id), (lead_source))
  order by 1, 4 nulls first, 2 nulls first
$$;
comment on function analytics.pipeline(date) is
  'Open pipeline = Σ Amount of open deals (Stage not Closed*) at p_as_of; weighted pipeline = '
  'Σ Amount × probability ÷ 100 with the deal''s own Probability, else the stage''s fallback in '
  'analytics.stage_settings; open deals only (Salesforce definition, not HubSpot''s with Closed '
  'Won); by stage, closing month, owner, source';

create or replace function analytics.pipeline_coverage(p_as_of date)
returns table (quarter_start date, quarter_end date, target numeric, won_qtd numeric,
  remaining_target numeric, open_pipeline numeric, weighted_pipeline numeric,
  coverage numeric, win_rate_pct numeric, required_coverage numeric, forecast numeric,
  forecast_gap numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = 'qtd'),
  alive as (
    select f.* from analytics.f_deals f, p
    where f.created_day <= p_as_of
      and f.closing_date >= p.start_day and f.closing_date < p.full_end
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  ),
  x as (
    select
      (select sum(rt.amount) from analytics.revenue_targets rt, p
        where rt.owner_id is null and rt.quarter_start = p.start_day) as target,
      coalesce(sum(a.amount) filter (where a.is_won and a.closing_date <= p_as_of), 0) as won,
      coalesce(sum(a.amount) filter (where not a.is_closed), 0) as open,
      coalesce(sum(a.amount * a.probability / 100) filter (where not a.is_closed), 0) as weighted,
      (select w.win_rate_count_pct from analytics.win_rate(p_as_of, 't12m') w
        where w.dimension = 'all') as rate
    from alive a
  )
  select p.start_day, p.full_end, x.target, x.won, greatest(x.target - x.won, 0), x.open,
    round(x.weighted, 2), round(x.open / nullif(greatest(x.target - x.won, 0), 0), 2), x.rate,
    round(100 / nullif(x.rate, 0), 2), round(x.won + x.weighted, 2),
    round(x.target - (x.won + x.weighted), 2)
  from x, p
$$;
comment on function analytics.pipeline_coverage(date) is
  'Pipeline coverage (current quarter) = open pipeline with Closing_Date in the quarter ÷ '
  'remaining target (quarter target − Closed Won so far, floored at 0; null when met or no '
  'target); required coverage = 1 ÷ win rate (t12m, by count); forecast = won + weighted open '
  'pipeline in the quarter; forecast gap = target − forecast';

-- ========================================
-- schemas/analytics/kpis_flow.sql
-- ========================================

-- KPIs over the flow of leads and deals through time: cohort conversion, conversion velocity,
-- stage entries and stage conversion, open deal health and risks, the pipeline waterfall, lead
-- response, source ROI, data quality and source anomalies. Conventions and shared rules:
-- analytics/rules.sql.

create or replace function analytics.cohort_conversion(p_as_of date, p_months integer default 12)
returns table (cohort_month date, dimension text, key text, leads bigint, converted bigint,
  with_deal bigint, won bigint, converted_pct numeric, lead_to_deal_pct numeric,
  lead_to_won_pct numeric, incomplete boolean)
language sql stable
as $$
  with l as (
    select date_trunc('month', f.created_day::timestamp)::date as cohort, f.lead_source,
      f.converted and f.converted_day <= p_as_of as conv,
      f.converted and f.converted_day <= p_as_of and f.converted_deal_id is not null as deal,
      coalesce(d.is_won and d.closing_date <= p_as_of, false) as won
    from analytics.f_leads f
    left join analytics.f_deals d on d.id = f.converted_deal_id and f.converted
      and f.converted_day <= p_as_of
      and analytics.alive_at(d.deleted_at, (select analytics.day_end(p_as_of)))
    where f.created_day <= p_as_of
      and f.created_day >= (date_trunc('month', p_as_of::timestamp)
        - make_interval(months => p_months - 1))::date
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select cohort,
    analytics.dimension(grouping(lead_source)),
    analytics.dimension_key(grouping(lead_source), lead_source),
    count(*), count(*) filter (where conv), count(*) filter (where deal),
    count(*) filter (where won),
    analytics.pct(count(*) filter (where conv), count(*)),
    analytics.pct(count(*) filter (where deal), count(*)),
    analytics.pct(count(*) filter (where won), count(*)),
    (cohort + interval '1 month' - interval '1 day')::date
      + (select s.cohort_maturity_days from analytics.settings s) > p_as_of
  from l
  group by grouping sets ((cohort), (cohort, lead_source))
  order by 1, 2, 3 nulls first
$$;
comment on function analytics.cohort_conversion(date, integer) is
  'Cohort conversion (rekener.com cohort variant): of the leads created in a month, the share '
  'converted, converted with a deal ($converted_detail.deal) and whose deal is Closed Won, all '
  'by p_as_of; leads converted without a deal count as converted only; incomplete = the cohort '
  'ended less than settings.cohort_maturity_days before p_as_of';

create or replace function analytics.conversion_velocity(p_as_of date, p_months integer default 12)
returns table (month date, dimension text, key text, conversions bigint, median_days numeric,
  avg_days numeric, prev_median_days numeric, trend_days numeric)
language sql stable
as $$
  with c as (
    select date_trunc('month', f.converted_day::timestamp)::date as month, f.lead_source,
      round(analytics.days(f.converted_at - f.created_at), 2) as days
    from analytics.f_leads f
    where f.converted and f.converted_day <= p_as_of and f.created_at is not null
      and f.converted_day >= (date_trunc('month', p_as_of::timestamp)
        - make_interval(months => p_months))::date
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  ),
  g as (
    select month, analytics.dimension(grouping(lead_source)) as dimension,
      analytics.dimension_key(grouping(lead_source), lead_source) as key,
      count(*) as conversions,
      (percentile_disc(0.5) within group (order by days)
        + percentile_disc(0.5) within group (order by days desc)) / 2 as median_days,
      round(avg(days), 2) as avg_days
    from c
    group by grouping sets ((month), (month, lead_source))
  ),
  t as (
    select g.*, lag(g.median_days) over (partition by g.dimension, g.key order by g.month)
      as prev_median, lag(g.month) over (partition by g.dimension, g.key order by g.month)
      as prev_month
    from g
  )
  select month, dimension, key, conversions, round(median_days, 2), avg_days,
    case when prev_month = (month - interval '1 month')::date then round(prev_median, 2) end,
    case when prev_month = (month - interval '1 month')::date
      then round(median_days - prev_median, 2) end
  from t
  where month > (date_trunc('month', p_as_of::timestamp) - make_interval(months => p_months))::date
  order by 1, 2, 3 nulls first
$$;
comment on function analytics.conversion_velocity(date, integer) is
  'Conversion velocity = median days from lead Created_Time to conversion, by conversion month '
  '(and source); trend_days = median − the previous month''s median (negative = faster)';

create or replace function analytics.stage_entries(p_as_of date)
returns table (deal_id text, version integer, stage text, entered_at timestamptz,
  left_at timestamptz, next_stage text)
language sql stable
as $$
  select e.deal_id, e.version, e.stage, e.valid_from, lead(e.valid_from) over w,
    lead(e.stage) over w
  from (
    select v.deal_id, v.version, v.valid_from,
      case when v.change <> 'delete' then v.stage end as stage
    from analytics.f_deal_versions v
    where v.valid_from < (select analytics.day_end(p_as_of))
      and (v.change = 'delete' or v.stage is distinct from v.previous_stage)
  ) e
  window w as (partition by e.deal_id order by e.version)
$$;
comment on function analytics.stage_entries(date) is
  'Stage entries up to p_as_of from analytics.f_deal_versions (stage null = deleted marker)';

create or replace function analytics.stage_conversion(p_as_of date, p_period text default 't12m')
returns table (stage text, stage_position integer, entered bigint, advanced bigint,
  conversion_pct numeric, completed_stays bigint, avg_days_in_stage numeric,
  median_days_in_stage numeric)
language sql stable
as $$
  with rank as (
    select s.stage, s.position,
      case when s.is_open or s.stage = 'Closed Won' then s.position end as progress
    from analytics.stage_settings s
  ),
  t as (
    select (select analytics.day_end(p_as_of)) as t1,
      (select p.start_day from analytics.periods(p_as_of) p where p.period = p_period)::timestamp
        at time zone (select analytics.time_zone()) as t0
  ),
  x as (
    -- Deals without entries after as_of: the stored history is the history up to as_of.
    select s.stage, s.progress, s.later_progress, s.entered_at, s.left_at
    from analytics.f_stage_entries s, t
    where s.entered_at >= t.t0 and s.last_entry_at < t.t1
    union all
    -- Deals with entries after as_of: the window over their entries up to as_of.
    select y.stage, y.progress, y.later_progress, y.entered_at, y.left_at
    from (
      select s.stage, s.progress, s.entered_at,
        max(s.progress) over (w rows between 1 following and unbounded following)
          as later_progress,
        lead(s.entered_at) over w as left_at
      from analytics.f_stage_entries s, t
      where s.last_entry_at >= t.t1 and s.entered_at < t.t1
      window w as (partition by s.deal_id order by s.version)
    ) y, t
    where y.entered_at >= t.t0
  ),
  e as (
    select x.stage, x.progress, x.later_progress,
      round(analytics.days(x.left_at - x.entered_at), 2) as days,
      x.left_at is not null as done
    from x
  )
  select r.stage, r.position, count(e.stage),
    count(*) filter (where e.later_progress > e.progress),
    analytics.pct(count(*) filter (where e.later_progress > e.progress), count(e.stage)),
    count(*) filter (where e.done),
    round(avg(e.days) filter (where e.done), 2),
    round((percentile_disc(0.5) within group (order by e.days) filter (where e.done)
      + percentile_disc(0.5) within group (order by e.days desc) filter (where e.done)) / 2, 2)
  from rank r
  left join e on e.stage = r.stage
  where r.progress is not null and r.stage <> 'Closed Won'
  group by r.stage, r.position
  order by r.position
$$;
comment on function analytics.stage_conversion(date, text) is
  'Stage-to-stage conversion = entries into a stage in the period that later reached a further '
  'stage (higher position, or Closed Won) ÷ entries (skip-tolerant variant of entries(n+1) ÷ '
  'entries(n)); days in stage = entry to the next stage change or deletion, completed stays '
  'only; from zoho.record_versions (history we own)';

create or replace function analytics.open_deal_health(p_as_of date, p_stage_medians jsonb)
returns table (deal_id text, owner_id text, stage text, amount numeric, closing_date date,
  stage_entered_at timestamptz, days_in_stage numeric, stage_median_days numeric,
  past_median boolean, last_change_at timestamptz, days_since_change numeric,
  stale_after_days integer, is_stale boolean, is_slipped boolean, close_date_pushes bigint)
language sql stable
as $$
  with t as (select (select analytics.day_end(p_as_of)) as t1),
  med as (
    select m.key as stage, m.value::numeric as median_days_in_stage
    from jsonb_each_text(p_stage_medians) m
  )
  select d.id, d.owner_id, d.stage, d.amount, d.closing_date,
    coalesce(c.entered_at, d.created_at),
    round(analytics.days(t.t1 - coalesce(c.entered_at, d.created_at)), 2),
    m.median_days_in_stage,
    analytics.days(t.t1 - coalesce(c.entered_at, d.created_at))
      > m.median_days_in_stage,
    greatest(d.modified_at, tc.last_at),
    round(analytics.days(t.t1 - greatest(d.modified_at, tc.last_at, d.created_at)), 2),
    s.stale_days,
    analytics.days(t.t1 - greatest(d.modified_at, tc.last_at, d.created_at))
      > s.stale_days,
    d.closing_date < p_as_of,
    pu.n
  from analytics.f_deals d
  cross join t
  -- The deal's latest stage entry up to as_of (stage null = deletion marker), when it is the
  -- deal's current stage (as the distinct-on over analytics.stage_entries did).
  left join lateral (
    select s.stage, s.entered_at
    from analytics.f_stage_entries s
    where s.deal_id = d.id and s.entered_at < t.t1
    order by s.version desc
    limit 1
  ) c on c.stage = d.stage
  left join med m on m.stage = d.stage
  left join analytics.stage_settings s on s.stage = d.stage
  left join analytics.f_touches tc on tc.parent_module = 'Deals' and tc.parent_id = d.id
    and tc.last_at < t.t1
  cross join lateral (
    select count(*) as n from analytics.f_deal_versions v
    where v.deal_id = d.id and v.valid_from < t.t1 and v.change <> 'delete'
      and v.closing_date > v.previous_closing_date
  ) pu
  where not d.is_closed and d.created_day <= p_as_of
    and analytics.alive_at(d.deleted_at, t.t1)
$$;
comment on function analytics.open_deal_health(date, jsonb) is
  'analytics.open_deal_health(as_of) with the stage medians given as {stage: median days} (the '
  'median_days_in_stage of analytics.stage_conversion(as_of, ''t12m''), computed once per snapshot)';

create or replace function analytics.deal_risks(p_as_of date, p_stage_medians jsonb)
returns table (stage text, stage_position integer, open_deals bigint, amount numeric,
  past_median bigint, stale bigint, slipped bigint, pushed bigint, pushes bigint,
  at_risk_amount numeric)
language sql stable
as $$
  select h.stage, min(s.position), count(*), coalesce(sum(h.amount), 0),
    count(*) filter (where h.past_median), count(*) filter (where h.is_stale),
    count(*) filter (where h.is_slipped), count(*) filter (where h.close_date_pushes > 0),
    coalesce(sum(h.close_date_pushes), 0),
    coalesce(sum(h.amount) filter (where h.past_median or h.is_stale or h.is_slipped), 0)
  from analytics.open_deal_health(p_as_of, p_stage_medians) h
  left join analytics.stage_settings s on s.stage = h.stage
  group by grouping sets ((), (h.stage))
  order by 2 nulls first, 1
$$;
comment on function analytics.deal_risks(date, jsonb) is
  'analytics.deal_risks(as_of) with the stage medians given as {stage: median days} (see '
  'analytics.open_deal_health(date, jsonb))';

-- The t12m median days in stage as {stage: median days}: what open_deal_health compares with.
create or replace function analytics.stage_medians(p_as_of date) returns jsonb
language sql stable
as $$
  select jsonb_object_agg(c.stage, c.median_days_in_stage)
  from analytics.stage_conversion(p_as_of, 't12m') c
$$;
comment on function analytics.stage_medians(date) is
  'median_days_in_stage of analytics.stage_conversion(as_of, ''t12m'') as {stage: median days}';

create or replace function analytics.open_deal_health(p_as_of date)
returns table (deal_id text, owner_id text, stage text, amount numeric, closing_date date,
  stage_entered_at timestamptz, days_in_stage numeric, stage_median_days numeric,
  past_median boolean, last_change_at timestamptz, days_since_change numeric,
  stale_after_days integer, is_stale boolean, is_slipped boolean, close_date_pushes bigint)
language sql stable
as $$ select * from analytics.open_deal_health(p_as_of, analytics.stage_medians(p_as_of)) $$;
comment on function analytics.open_deal_health(date) is
  'Per open deal: days in current stage (since its last entry in the versions we own, else '
  'creation) vs the stage''s t12m median (past_median); stale = no change (Modified_Time or a '
  'call/task/event on the deal) for more than the stage''s stale_days; slipped = Closing_Date '
  'before p_as_of while open; close_date_pushes = versions that moved Closing_Date later';

create or replace function analytics.deal_risks(p_as_of date)
returns table (stage text, stage_position integer, open_deals bigint, amount numeric,
  past_median bigint, stale bigint, slipped bigint, pushed bigint, pushes bigint,
  at_risk_amount numeric)
language sql stable
as $$ select * from analytics.deal_risks(p_as_of, analytics.stage_medians(p_as_of)) $$;
comment on function analytics.deal_risks(date) is
  'Open deals past their stage median, stale, slipped and pushed, per stage and in total '
  '(stage null); at_risk_amount = Σ Amount of deals with any of the first three flags';

-- The deal versions read are those still valid at t0 (a filter implied by the state filter s,
-- as t0 < t1), found by index: 209k of 1.13M versions on the 1M-lead demo.
create or replace function analytics.pipeline_waterfall(p_as_of date, p_period text default 'qtd')
returns table (step text, ord integer, deals bigint, amount numeric)
language sql stable
as $$
  with p as (
    select p.start_day, p.full_end,
      p.start_day::timestamp at time zone (select analytics.time_zone()) as t0,
      (select analytics.day_end(p_as_of)) as t1
    from analytics.periods(p_as_of) p where p.period = p_period
  ),
  -- Deal states: the versions we own; a deal without any gets its current record as one version.
  v as (
    select fv.deal_id, fv.valid_from, fv.valid_to, fv.change = 'delete' as gone, fv.stage,
      coalesce(fv.amount, 0) as amount, fv.closing_date
    from analytics.f_deal_versions fv, p
    -- Implied by s (t0 < t1); f_deal_versions_valid_to_idx picks these ~209k of 1.13M versions.
    where fv.valid_to is null or fv.valid_to > p.t0
    union all
    select d.id, coalesce(d.created_at, '-infinity'), d.deleted_at, false, d.stage,
      coalesce(d.amount, 0), d.closing_date
    from analytics.f_deals d
    where not exists (select 1 from analytics.f_deal_versions x where x.deal_id = d.id)
  ),
  -- Only states current at t0 (for s0) or at t1 (for s1) matter: filter before the flags.
  s as (
    select v.*, not v.gone and v.stage not like 'Closed%' and v.closing_date >= p.start_day
        and v.closing_date < p.full_end as in_window,
      not v.gone and v.stage = 'Closed Won' as won,
      not v.gone and v.stage like 'Closed Lost%' as lost
    from v, p
    where (v.valid_from <= p.t0 and (v.valid_to is null or v.valid_to > p.t0))
      or (v.valid_from < p.t1 and (v.valid_to is null or v.valid_to >= p.t1))
  ),
  s0 as (select s.* from s, p where s.valid_from <= p.t0 and (s.valid_to is null or s.valid_to > p.t0)),
  s1 as (select s.* from s, p where s.valid_from < p.t1 and (s.valid_to is null or s.valid_to >= p.t1)),
  j as (
    select coalesce(a.deal_id, b.deal_id) as deal_id,
      coalesce(a.in_window, false) as in0, coalesce(b.in_window, false) as in1,
      a.deal_id is null or a.gone as absent0,
      a.won or a.lost as closed0,
      coalesce(a.amount, 0) as a0, coalesce(b.amount, 0) as a1,
      b.deal_id is null or b.gone as absent1, coalesce(b.won, false) as won1,
      coalesce(b.lost, false) as lost1,
      b.closing_date >= p.start_day and b.closing_date < p.full_end as closes_in_window
    from s0 a full join s1 b on b.deal_id = a.deal_id, p
  ),
  k as (
    select j.*,
      case when in0 then null when in1 or (closes_in_window and (won1 or lost1)
        and not coalesce(closed0, false)) then case when absent0 then 'new' else 'moved_in' end
      end as entry,
      case when in1 then null
        when in0 and absent1 then 'removed'
        when (in0 or closes_in_window) and won1 and not coalesce(closed0, false) then 'won'
        when (in0 or closes_in_window) and lost1 and not coalesce(closed0, false) then 'lost'
        when in0 then 'moved_out' end as exit
    from j
  ),
  steps as (
    select 'start' as step, 1 as ord, deal_id, a0 as amount from k where in0
    union all select entry, case entry when 'new' then 2 else 3 end, deal_id, a1 from k
      where entry is not null
    union all select 'changed', 4, deal_id, a1 - a0 from k
      where in0 and exit is distinct from 'removed' and a1 <> a0
    union all select exit, case exit when 'won' then 5 when 'lost' then 6 when 'moved_out'
      then 7 else 8 end, deal_id, case when exit = 'removed' then a0 else a1 end from k
      where exit is not null and (in0 or entry is not null)
    union all select 'end', 9, deal_id, a1 from k where in1
  )
  select n.step, n.ord, count(st.deal_id), coalesce(sum(st.amount), 0)
  from (values ('start', 1), ('new', 2), ('moved_in', 3), ('changed', 4), ('won', 5),
    ('lost', 6), ('moved_out', 7), ('removed', 8), ('end', 9)) n(step, ord)
  left join steps st on st.step = n.step
  group by n.step, n.ord
  order by n.ord
$$;
comment on function analytics.pipeline_waterfall(date, text) is
  'Pipeline waterfall (Pipeline Inspection / Deltek composition variant): the pipeline of a '
  'period = open deals with Closing_Date in the whole calendar period; start = at the period''s '
  'first instant, end = at the end of p_as_of, from the deal versions we own; '
  'end = start + new + moved_in + changed − won − lost − moved_out − removed (exits at their '
  'current amount, amount changes of deals in the start set in "changed"; deals created and '
  'closed inside the period pass through new and won/lost)';

create or replace function analytics.lead_response(p_as_of date, p_period text default 'mtd')
returns table (dimension text, key text, label text, leads bigint, touched bigint,
  untouched bigint, median_hours numeric, avg_hours numeric, within_1h_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  l as (
    select f.lead_source, f.owner_id, f.owner_name,
      case when t.first_at is not null
        then round(greatest(extract(epoch from t.first_at - f.created_at), 0) / 3600, 2) end
        as hours
    from analytics.f_leads f
    cross join p
    left join analytics.f_touches t on t.parent_module = 'Leads' and t.parent_id = f.id
      and t.first_at < (select analytics.day_end(p_as_of))
    where f.created_day >= p.start_day and f.created_day < p.end_day
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select
    analytics.dimension(grouping(lead_source), grouping(owner_id)),
    analytics.dimension_key(grouping(lead_source), lead_source, grouping(owner_id), owner_id),
    analytics.owner_label(grouping(owner_id), max(owner_name)),
    count(*), count(hours), count(*) - count(hours),
    round((percentile_disc(0.5) within group (order by hours)
      + percentile_disc(0.5) within group (order by hours desc)) / 2, 2),
    round(avg(hours), 2),
    analytics.pct(count(*) filter (where hours <= 1), count(hours))
  from l
  group by grouping sets ((), (lead_source), (owner_id))
  order by 1, 2 nulls first
$$;
comment on function analytics.lead_response(date, text) is
  'Lead response time = first call/task/event on the lead (What_Id) − lead Created_Time, hours; '
  'median (leadsource.co), mean and share within 1 hour (HBR) over touched leads created in the '
  'period; untouched = no touch by the end of p_as_of';

create or replace function analytics.source_roi(p_as_of date, p_period text default 't12m')
returns table (lead_source text, cost numeric, leads bigint, won_deals bigint, revenue numeric,
  cost_per_lead numeric, cost_per_won_deal numeric, revenue_per_cost numeric, roi_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  t as (select (select analytics.day_end(p_as_of)) as t1),
  c as (
    select coalesce(c.lead_source, '(none)') as src, sum(coalesce(c.actual_cost, 0)) as cost
    from analytics.f_campaigns c, p, t
    where c.start_date >= p.start_day and c.start_date < p.end_day
      and analytics.alive_at(c.deleted_at, t.t1)
    group by 1
  ),
  l as (
    select coalesce(f.lead_source, '(none)') as src, count(*) as leads
    from analytics.f_leads f, p, t
    where f.created_day >= p.start_day and f.created_day < p.end_day
      and analytics.alive_at(f.deleted_at, t.t1)
    group by 1
  ),
  w as (
    select coalesce(f.lead_source, '(none)') as src, count(*) as won,
      coalesce(sum(f.amount), 0) as revenue
    from analytics.f_deals f, p, t
    where f.is_won and f.closing_date >= p.start_day and f.closing_date < p.end_day
      and f.created_day <= p_as_of and analytics.alive_at(f.deleted_at, t.t1)
    group by 1
  )
  select s.src, coalesce(c.cost, 0), coalesce(l.leads, 0), coalesce(w.won, 0),
    coalesce(w.revenue, 0), round(c.cost / nullif(l.leads, 0), 2),
    round(c.cost / nullif(w.won, 0), 2), round(coalesce(w.revenue, 0) / nullif(c.cost, 0), 4),
    analytics.pct(coalesce(w.revenue, 0) - c.cost, c.cost)
  from (select src from c union select src from l union select src from w) s
  left join c on c.src = s.src
  left join l on l.src = s.src
  left join w on w.src = s.src
  order by 1
$$;
comment on function analytics.source_roi(date, text) is
  'Source ROI: cost = Σ Actual_Cost of campaigns starting in the period, attributed to a lead '
  'source (analytics.campaign_sources, else the main Lead_Source of the campaign''s deals); '
  'cost per lead = cost ÷ leads created; cost per won deal = cost ÷ deals won (Closing_Date in '
  'period); revenue ÷ cost; ROI % = (revenue − cost) ÷ cost × 100 (Lead_Source attribution)';

create or replace function analytics.data_quality(p_as_of date)
returns table (check_id text, count bigint, total bigint, pct numeric)
language sql stable
as $$
  with t as (
    select (select analytics.day_end(p_as_of)) as t1,
      (select s.untouched_after_days from analytics.settings s) as days
  ),
  d as (
    select
      count(*) as open_deals,
      count(*) filter (where f.amount is null) as no_amount,
      count(*) filter (where f.amount = 0) as zero_amount,
      count(*) filter (where f.closing_date is null) as no_closing,
      count(*) filter (where f.owner_id is null) as no_owner,
      count(*) filter (where f.lead_source is null) as no_source
    from analytics.f_deals f, t
    where not f.is_closed and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, t.t1)
  ),
  l as (
    select count(*) as open_leads,
      count(*) filter (where tc.parent_id is null) as never,
      count(*) filter (where f.created_day > p_as_of - t.days) as recent,
      count(*) filter (where f.created_day > p_as_of - t.days and tc.parent_id is null)
        as recent_never
    from analytics.f_leads f
    cross join t
    left join analytics.f_touches tc on tc.parent_module = 'Leads' and tc.parent_id = f.id
      and tc.first_at < t.t1
    where f.created_day <= p_as_of and not (f.converted and f.converted_day <= p_as_of)
      and analytics.alive_at(f.deleted_at, t.t1)
  )
  select x.check_id, x.n, x.total, analytics.pct(x.n, x.total)
  from d, l, lateral (values
    ('open_deals_without_amount', d.no_amount, d.open_deals, 1),
    ('open_deals_zero_amount', d.zero_amount, d.open_deals, 2),
    ('open_deals_without_closing_date', d.no_closing, d.open_deals, 3),
    ('open_deals_without_owner', d.no_owner, d.open_deals, 4),
    ('open_deals_without_source', d.no_source, d.open_deals, 5),
    ('leads_never_touched', l.never, l.open_leads, 6),
    ('recent_leads_untouched', l.recent_never, l.recent, 7)
  ) x(check_id, n, total, ord)
  order by x.ord
$$;
comment on function analytics.data_quality(date) is
  'Data quality: open deals without Amount (null), with Amount 0, without Closing_Date, Owner '
  'or Lead_Source; unconverted leads never touched (no call/task/event by p_as_of); of leads '
  'created in the last settings.untouched_after_days days, those untouched (Zia''s check)';

create or replace function analytics.source_anomalies(p_as_of date)
returns table (metric text, lead_source text, week_start date, value numeric,
  prev_value numeric, change numeric, change_pct numeric, baseline_median numeric,
  baseline_mad numeric, robust_z numeric, is_anomaly boolean)
language sql stable
as $$
  with cfg as (
    select s.anomaly_weeks as n, s.anomaly_threshold as k, s.anomaly_min_count as min_count,
      (select analytics.day_end(p_as_of)) as t1
    from analytics.settings s
  ),
  weeks as (select w, p_as_of - 7 * w - 6 as ws from cfg, generate_series(0, cfg.n + 1) w),
  obs as (
    select 'leads' as metric, coalesce(f.lead_source, '(none)') as src,
      (p_as_of - f.created_day) / 7 as w, 1::numeric as v
    from analytics.f_leads f, cfg
    where f.created_day <= p_as_of and f.created_day > p_as_of - 7 * (cfg.n + 2)
      and analytics.alive_at(f.deleted_at, cfg.t1)
    union all
    select 'won_revenue', coalesce(f.lead_source, '(none)'), (p_as_of - f.closing_date) / 7,
      coalesce(f.amount, 0)
    from analytics.f_deals f, cfg
    where f.is_won and f.closing_date <= p_as_of and f.closing_date > p_as_of - 7 * (cfg.n + 2)
      and f.created_day <= p_as_of and analytics.alive_at(f.deleted_at, cfg.t1)
  ),
  grid as (
    select m.metric, m.src, wk.w, wk.ws, coalesce(sum(o.v), 0) as v
    from (select distinct metric, src from obs) m
    cross join weeks wk
    left join obs o on o.metric = m.metric and o.src = m.src and o.w = wk.w
    group by m.metric, m.src, wk.w, wk.ws
  ),
  ch as (
    select g.*, lead(g.v) over (partition by g.metric, g.src order by g.w) as prev,
      g.v - lead(g.v) over (partition by g.metric, g.src order by g.w) as change
    from grid g
  ),
  base as (
    select c.metric, c.src,
      (percentile_disc(0.5) within group (order by c.change)
        + percentile_disc(0.5) within group (order by c.change desc)) / 2 as med
    from ch c where c.w between 1 and (select n from cfg)
    group by c.metric, c.src
  ),
  mad as (
    select c.metric, c.src, b.med,
      (percentile_disc(0.5) within group (order by abs(c.change - b.med))
        + percentile_disc(0.5) within group (order by abs(c.change - b.med) desc)) / 2 as mad
    from ch c join base b on b.metric = c.metric and b.src = c.src
    where c.w between 1 and (select n from cfg)
    group by c.metric, c.src, b.med
  )
  select c.metric, c.src, c.ws, c.v, c.prev, c.change, analytics.pct(c.change, c.prev),
    m.med, m.mad, round((c.change - m.med) / greatest(1.4826 * m.mad, 1), 2),
    abs(c.change - m.med) / greatest(1.4826 * m.mad, 1) > cfg.k
      and (c.v >= cfg.min_count or c.prev >= cfg.min_count)
  from ch c
  join mad m on m.metric = c.metric and m.src = c.src
  cross join cfg
  where c.w = 0
  order by 1, 2
$$;
comment on function analytics.source_anomalies(date) is
  'Week-over-week anomalies by source (rolling 7-day weeks ending p_as_of) for leads created and '
  'Closed Won revenue: change = this week − last week; robust z = (change − median) ÷ '
  'max(1.4826 × MAD, 1) over the previous settings.anomaly_weeks changes; anomaly when |z| > '
  'anomaly_threshold and either week has at least anomaly_min_count';

-- ========================================
-- schemas/analytics/series.sql
-- ========================================

-- Time series by day, week or month (company time zone): leads created and Closed Won revenue,
-- in total, by lead source and by owner, for charts and for "by day/week/month" questions.
create or replace function analytics.series(
  p_as_of date,
  p_grain text default 'week',
  p_buckets integer default 12
)
returns table (
  metric text,
  bucket_start date,
  complete boolean,
  dimension text,
  key text,
  label text,
  value numeric
)
language plpgsql
stable
as $$
declare
  step interval;
  first_bucket date;
begin
  step := case p_grain
    when 'day' then interval '1 day'
    when 'week' then interval '1 week'
    when 'month' then interval '1 month'
  end;
  if step is null then
    raise exception 'analytics.series: grain must be day, week or month, got %', p_grain
      using errcode = '22023';
  end if;
  if p_buckets is null or p_buckets < 1 or p_buckets > 366 then
    raise exception 'analytics.series: buckets must be between 1 and 366, got %', p_buckets
      using errcode = '22023';
  end if;
  -- Weeks start on Monday (ISO), as date_trunc('week') does; the last bucket holds as_of.
  first_bucket := (date_trunc(p_grain, p_as_of::timestamp) - step * (p_buckets - 1))::date;
  return query
  with buckets as (
    select gs::date as b_start, (gs + step)::date as b_end
    from generate_series(first_bucket::timestamp, p_as_of::timestamp, step) gs
  ),
  cutoff as (select analytics.day_end(p_as_of) as at),
  leads as (
    select date_trunc(p_grain, f.created_day::timestamp)::date as b_start,
      f.lead_source, f.owner_id, f.owner_name
    from analytics.f_leads f, cutoff
    where f.created_day >= first_bucket and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, cutoff.at)
  ),
  won as (
    select date_trunc(p_grain, f.closing_date::timestamp)::date as b_start,
      f.lead_source, f.owner_id, f.owner_name, f.amount
    from analytics.f_deals f, cutoff
    where f.is_won and f.closing_date >= first_bucket and f.closing_date <= p_as_of
      and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, cutoff.at)
  ),
  grouped as (
    select 'leads'::text as m, l.b_start,
      analytics.dimension(grouping(l.lead_source), grouping(l.owner_id)) as dim,
      analytics.dimension_key(grouping(l.lead_source), l.lead_source,
      grouping(l.owner_id), l.owner_id) as k,
      analytics.owner_label(grouping(l.owner_id), max(l.owner_name)) as lbl,
      count(*)::numeric as v
    from leads l
    group by grouping sets ((l.b_start), (l.b_start, l.lead_source), (l.b_start, l.owner_id))
    union all
    select 'revenue', w.b_start,
      analytics.dimension(grouping(w.lead_source), grouping(w.owner_id)),
      analytics.dimension_key(grouping(w.lead_source), w.lead_source,
      grouping(w.owner_id), w.owner_id),
      analytics.owner_label(grouping(w.owner_id), max(w.owner_name)),
      coalesce(sum(w.amount), 0)
    from won w
    group by grouping sets ((w.b_start), (w.b_start, w.lead_source), (w.b_start, w.owner_id))
  )
  -- Totals for every bucket (zero when empty); breakdowns only where something happened.
  select ms.m, b.b_start, b.b_end <= p_as_of + 1, 'all', null::text, null::text,
    coalesce(g.v, 0)
  from buckets b
  cross join (values ('leads'), ('revenue')) ms(m)
  left join grouped g on g.m = ms.m and g.b_start = b.b_start and g.dim = 'all'
  union all
  select g.m, g.b_start, b.b_end <= p_as_of + 1, g.dim, g.k, g.lbl, g.v
  from grouped g join buckets b on b.b_start = g.b_start
  where g.dim <> 'all'
  order by 1, 2, 4, 5 nulls first;
end
$$;
comment on function analytics.series(date, text, integer) is
  'Series per day/week (ISO, Monday)/month in the company time zone, last bucket holding as_of '
  '(complete = false while it is still running). leads = leads created (Created_Time), '
  'deleted leads excluded from their deletion on; revenue = sum of Amount of Closed Won deals '
  'by Closing_Date (Salesforce/HubSpot "closed won revenue" variant, same as analytics.revenue). '
  'dimension all | source (Lead_Source) | owner (Owner.id, label Owner.name).';

-- ========================================
-- schemas/analytics/snapshot.sql
-- ========================================

-- The KPI snapshot: analytics.compute_snapshot(as_of, run_id) catches the facts up once, runs
-- every KPI, builds the compact brief payload from a fact registry and stores an immutable row.

-- Snapshots: immutable rows written by analytics.compute_snapshot.
create table analytics.snapshots (
  id uuid primary key default gen_random_uuid(),
  run_id uuid,
  as_of date not null,
  period_start date not null,
  period_end date not null,
  time_zone text not null,
  content_hash text not null,
  kpis jsonb not null,
  brief jsonb not null,
  created_at timestamptz not null default now()
);
comment on table analytics.snapshots is
  'Immutable KPI snapshots; content_hash = sha256 of kpis and brief, equal for equal data';
create index snapshots_as_of_idx on analytics.snapshots (as_of, created_at desc);

create or replace function analytics.refuse_change() returns trigger
language plpgsql
as $$
begin
  raise exception '% is immutable', tg_table_schema || '.' || tg_table_name
    using errcode = '42501';
end
$$;
create trigger snapshots_immutable
  before update or delete on analytics.snapshots
  for each row execute function analytics.refuse_change();
alter table analytics.snapshots enable row level security;
revoke all on analytics.snapshots from anon, authenticated;
grant select, insert on analytics.snapshots to service_role;

-- Registry of brief facts: a stable id, its unit, the period it covers and where its value sits
-- in the snapshot's kpis JSON (a jsonpath; the last match is taken). Adding a fact = a row here.
create or replace function analytics.brief_fact_defs()
returns table (ord integer, id text, unit text, period text, path jsonpath)
language sql immutable
as $$
  select f.ord, f.id, f.unit, f.period, f.path::jsonpath from (values
    (1, 'leads.day', 'count', 'day', '$.leads_created.day[*] ? (@.dimension == "all").leads'),
    (2, 'leads.wtd', 'count', 'wtd', '$.leads_created.wtd[*] ? (@.dimension == "all").leads'),
    (3, 'leads.wtd.growth', 'pct', 'wtd',
      '$.leads_created.wtd[*] ? (@.dimension == "all").growth_pct'),
    (4, 'leads.mtd', 'count', 'mtd', '$.leads_created.mtd[*] ? (@.dimension == "all").leads'),
    (5, 'leads.mtd.growth', 'pct', 'mtd',
      '$.leads_created.mtd[*] ? (@.dimension == "all").growth_pct'),
    (6, 'revenue.mtd', 'currency', 'mtd', '$.revenue[*] ? (@.period == "mtd").revenue'),
    (7, 'revenue.mtd.growth', 'pct', 'mtd', '$.revenue[*] ? (@.period == "mtd").growth_pct'),
    (8, 'revenue.qtd', 'currency', 'qtd', '$.revenue[*] ? (@.period == "qtd").revenue'),
    (9, 'revenue.qtd.target', 'currency', 'qtd', '$.revenue[*] ? (@.period == "qtd").target'),
    (10, 'revenue.qtd.attainment', 'pct', 'qtd',
      '$.revenue[*] ? (@.period == "qtd").attainment_pct'),
    (11, 'revenue.ytd', 'currency', 'ytd', '$.revenue[*] ? (@.period == "ytd").revenue'),
    (12, 'win_rate.count', 'pct', 't12m',
      '$.win_rate.t12m[*] ? (@.dimension == "all").win_rate_count_pct'),
    (13, 'win_rate.value', 'pct', 't12m',
      '$.win_rate.t12m[*] ? (@.dimension == "all").win_rate_value_pct'),
    (14, 'win_rate.qtd.count', 'pct', 'qtd',
      '$.win_rate.qtd[*] ? (@.dimension == "all").win_rate_count_pct'),
    (15, 'deal_size.avg', 'currency', 't12m',
      '$.deal_size.t12m[*] ? (@.dimension == "all").avg_amount'),
    (16, 'deal_size.median', 'currency', 't12m',
      '$.deal_size.t12m[*] ? (@.dimension == "all").median_amount'),
    (17, 'sales_cycle.median', 'days', 't12m',
      '$.deal_size.t12m[*] ? (@.dimension == "all").median_cycle_days'),
    (18, 'sales_velocity', 'currency_per_day', 't12m',
      '$.sales_velocity[*] ? (@.dimension == "all").velocity_per_day'),
    (19, 'pipeline.open', 'currency', 'as_of', '$.pipeline[*] ? (@.dimension == "all").amount'),
    (20, 'pipeline.open_deals', 'count', 'as_of',
      '$.pipeline[*] ? (@.dimension == "all").open_deals'),
    (21, 'pipeline.weighted', 'currency', 'as_of',
      '$.pipeline[*] ? (@.dimension == "all").weighted_amount'),
    (22, 'coverage.quarter', 'ratio', 'quarter', '$.pipeline_coverage.coverage'),
    (23, 'coverage.required', 'ratio', 't12m', '$.pipeline_coverage.required_coverage'),
    (24, 'forecast.gap', 'currency', 'quarter', '$.pipeline_coverage.forecast_gap'),
    (25, 'deals.stale', 'count', 'as_of', '$.deal_risks[*] ? (@.stage == null).stale'),
    (26, 'deals.slipped', 'count', 'as_of', '$.deal_risks[*] ? (@.stage == null).slipped'),
    (27, 'deals.past_stage_median', 'count', 'as_of',
      '$.deal_risks[*] ? (@.stage == null).past_median'),
    (28, 'deals.at_risk_amount', 'currency', 'as_of',
      '$.deal_risks[*] ? (@.stage == null).at_risk_amount'),
    (29, 'response.median', 'hours', 'mtd',
      '$.lead_response.mtd[*] ? (@.dimension == "all").median_hours'),
    (30, 'leads.untouched_recent', 'count', 'as_of',
      '$.data_quality[*] ? (@.check_id == "recent_leads_untouched").count'),
    (31, 'cohort.lead_to_won', 'pct', 'cohort',
      '$.cohort_conversion[*] ? (@.dimension == "all" && @.incomplete == false).lead_to_won_pct'),
    (32, 'conversion_velocity.median', 'days', 'month',
      '$.conversion_velocity[*] ? (@.dimension == "all").median_days'),
    (33, 'conversion_velocity.trend', 'days', 'month',
      '$.conversion_velocity[*] ? (@.dimension == "all").trend_days'),
    (34, 'open_deals.without_amount', 'count', 'as_of',
      '$.data_quality[*] ? (@.check_id == "open_deals_without_amount").count')
  ) as f(ord, id, unit, period, path)
$$;
comment on function analytics.brief_fact_defs() is
  'Brief payload registry: stable fact id, unit, period key and jsonpath into the snapshot kpis';

-- Rows of a KPI as a JSON array in the function's own order.
create or replace function analytics.rows_json(rows jsonb[]) returns jsonb
language sql immutable
as $$ select coalesce(to_jsonb(rows), '[]'::jsonb) $$;

-- Every KPI as of p_as_of in one JSON object; stage_conversion runs once.
create or replace function analytics.kpis_json(p_as_of date) returns jsonb
language plpgsql stable
as $$
declare
  out jsonb := '{}';
  per text;
  stages jsonb;
begin
  -- Stage conversion once; open deals' health (deal_risks) reuses its medians.
  stages := analytics.rows_json(array(
    select to_jsonb(x) from analytics.stage_conversion(p_as_of, 't12m') x));
  out := out || jsonb_build_object(
    'periods', analytics.rows_json(array(select to_jsonb(x) from analytics.periods(p_as_of) x)),
    'revenue', analytics.rows_json(array(select to_jsonb(x) from analytics.revenue(p_as_of) x)),
    'revenue_by_owner', analytics.rows_json(array(
      select to_jsonb(x) from analytics.revenue_by_owner(p_as_of) x)),
    'revenue_by_month', analytics.rows_json(array(
      select to_jsonb(x) from analytics.revenue_by_month(p_as_of, 12) x)),
    'sales_velocity', analytics.rows_json(array(
      select to_jsonb(x) from analytics.sales_velocity(p_as_of) x)),
    'pipeline', analytics.rows_json(array(select to_jsonb(x) from analytics.pipeline(p_as_of) x)),
    'pipeline_coverage', (select to_jsonb(x) from analytics.pipeline_coverage(p_as_of) x),
    'cohort_conversion', analytics.rows_json(array(
      select to_jsonb(x) from analytics.cohort_conversion(p_as_of, 12) x)),
    'conversion_velocity', analytics.rows_json(array(
      select to_jsonb(x) from analytics.conversion_velocity(p_as_of, 12) x)),
    'stage_conversion', stages,
    'deal_risks', analytics.rows_json(array(
      select to_jsonb(x) from analytics.deal_risks(p_as_of, (
        select jsonb_object_agg(s ->> 'stage', s -> 'median_days_in_stage')
        from jsonb_array_elements(stages) s)) x)),
    'source_roi', analytics.rows_json(array(
      select to_jsonb(x) from analytics.source_roi(p_as_of, 't12m') x)),
    'data_quality', analytics.rows_json(array(
      select to_jsonb(x) from analytics.data_quality(p_as_of) x)),
    'anomalies', analytics.rows_json(array(
      select to_jsonb(x) from analytics.source_anomalies(p_as_of) x))
  );
  out := out || jsonb_build_object('leads_created', '{}'::jsonb, 'win_rate', '{}'::jsonb,
    'deal_size', '{}'::jsonb, 'lead_response', '{}'::jsonb, 'pipeline_waterfall', '{}'::jsonb);
  foreach per in array array['day', 'wtd', 'mtd', 'qtd', 'ytd'] loop
    out := jsonb_set(out, array['leads_created', per], analytics.rows_json(array(
      select to_jsonb(x) from analytics.leads_created(p_as_of, per) x)));
  end loop;
  foreach per in array array['mtd', 'qtd', 'ytd', 't12m'] loop
    out := jsonb_set(out, array['win_rate', per], analytics.rows_json(array(
      select to_jsonb(x) from analytics.win_rate(p_as_of, per) x)));
  end loop;
  foreach per in array array['qtd', 't12m'] loop
    out := jsonb_set(out, array['deal_size', per], analytics.rows_json(array(
      select to_jsonb(x) from analytics.deal_size(p_as_of, per) x)));
  end loop;
  foreach per in array array['wtd', 'mtd', 't12m'] loop
    out := jsonb_set(out, array['lead_response', per], analytics.rows_json(array(
      select to_jsonb(x) from analytics.lead_response(p_as_of, per) x)));
  end loop;
  foreach per in array array['mtd', 'qtd'] loop
    out := jsonb_set(out, array['pipeline_waterfall', per], analytics.rows_json(array(
      select to_jsonb(x) from analytics.pipeline_waterfall(p_as_of, per) x)));
  end loop;
  return out;
end
$$;
comment on function analytics.kpis_json(date) is
  'Every KPI as of p_as_of as one JSON object (reads analytics.f_*; no refresh)';

-- The brief payload: registry facts plus up to three anomalies (largest |robust z| first).
create or replace function analytics.brief_json(p_as_of date, kpis jsonb) returns jsonb
language sql stable
as $$
  with per as (
    select p.period, p.start_day::text || '..' || p_as_of::text as label
    from analytics.periods(p_as_of) p
    union all select 'as_of', p_as_of::text
    union all select 'quarter', (kpis -> 'pipeline_coverage' ->> 'quarter_start') || '..'
      || ((kpis -> 'pipeline_coverage' ->> 'quarter_end')::date - 1)::text
    union all select 'month', date_trunc('month', p_as_of::timestamp)::date::text || '..'
      || p_as_of::text
    union all select 'cohort', (jsonb_path_query_array(kpis,
      '$.cohort_conversion[*] ? (@.dimension == "all" && @.incomplete == false).cohort_month')
      ->> -1)
  ),
  facts as (
    select d.ord, jsonb_build_object('id', d.id, 'value',
      jsonb_path_query_array(kpis, d.path) -> -1, 'unit', d.unit, 'period', p.label) as fact
    from analytics.brief_fact_defs() d
    left join per p on p.period = d.period
    union all
    select 100 + a.n, jsonb_build_object(
      'id', 'anomaly.' || (a.x ->> 'metric') || '.'
        || regexp_replace(lower(a.x ->> 'lead_source'), '[^a-z0-9]+', '_', 'g'),
      'value', a.x -> 'change_pct', 'unit', 'pct',
      'period', (a.x ->> 'week_start') || '..' || p_as_of::text,
      'from', a.x -> 'prev_value', 'to', a.x -> 'value')
    from (
      select x, row_number() over (order by abs((x ->> 'robust_z')::numeric) desc,
        x ->> 'metric', x ->> 'lead_source') as n
      from jsonb_array_elements(kpis -> 'anomalies') x
      where (x ->> 'is_anomaly')::boolean
    ) a
    where a.n <= 3
  )
  select jsonb_build_object('as_of', p_as_of,
    'currency', (select s.currency from analytics.settings s),
    'facts', coalesce(jsonb_agg(fact order by ord), '[]'::jsonb))
  from facts
$$;
comment on function analytics.brief_json(date, jsonb) is
  'Compact brief payload: facts {id, value, unit, period} from analytics.brief_fact_defs() plus '
  'the three strongest week-over-week source anomalies';

-- The KPI sorts stay in memory: work_mem is raised for this call only (restored when it
-- returns). At the default, stage_conversion (t12m) sorted 386k stage stays through a 30 MB
-- external merge and lead_response (t12m) 393k leads through a 20 MB one on the 1M-lead demo.
create or replace function analytics.compute_snapshot(p_as_of date, p_run_id uuid default null)
returns jsonb
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
set work_mem = '128MB'
as $$
declare
  tz text := analytics.time_zone();
  k jsonb;
  b jsonb;
  row analytics.snapshots;
begin
  if p_as_of is null then
    raise exception 'Cannot compute a snapshot: as_of is null' using errcode = '22004';
  end if;
  perform set_config('timezone', tz, true);
  -- JIT compiles each of the ~40 KPI queries for a few hundred ms; they run in milliseconds.
  perform set_config('jit', 'off', true);
  perform analytics.catch_up_facts();
  k := analytics.kpis_json(p_as_of);
  b := analytics.brief_json(p_as_of, k);
  insert into analytics.snapshots (run_id, as_of, period_start, period_end, time_zone,
    content_hash, kpis, brief)
  values (p_run_id, p_as_of, (select min(p.start_day) from analytics.periods(p_as_of) p),
    p_as_of, tz, encode(sha256(convert_to(jsonb_build_array(k, b)::text, 'UTF8')), 'hex'), k, b)
  returning * into row;
  return jsonb_build_object('id', row.id, 'run_id', row.run_id, 'as_of', row.as_of,
    'period', jsonb_build_object('start', row.period_start, 'end', row.period_end),
    'time_zone', row.time_zone, 'currency', b -> 'currency', 'content_hash', row.content_hash,
    'created_at', row.created_at, 'brief', b, 'kpis', k);
end
$$;
comment on function analytics.compute_snapshot(date, uuid) is
  'Catches analytics.f_* up (analytics.catch_up_facts), computes every KPI as of p_as_of, stores '
  'an immutable analytics.snapshots row (kpis + brief payload + content hash) and returns it';

revoke all on function analytics.compute_snapshot(date, uuid) from public;
grant execute on function analytics.compute_snapshot(date, uuid) to service_role;
