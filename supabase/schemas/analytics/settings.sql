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
  -- Anomalies: robust z = (change − median) ÷ scale over the previous `anomaly_weeks`
  -- week-over-week changes (analytics.source_anomalies); flagged when |z| > anomaly_threshold
  -- and the week has volume (anomaly_min_count leads, anomaly_min_deals won deals).
  anomaly_weeks integer not null default 8 check (anomaly_weeks between 3 and 52),
  anomaly_threshold numeric not null default 3 check (anomaly_threshold > 0),
  anomaly_min_count integer not null default 10 check (anomaly_min_count >= 0),
  -- Unconverted leads created in the last this-many days (today included) without any
  -- call/task/event are "recent leads untouched" (analytics.data_quality).
  untouched_after_days integer not null default 7 check (untouched_after_days >= 0),
  updated_at timestamptz not null default now(),
  anomaly_min_deals integer not null default 3 check (anomaly_min_deals >= 0),
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
