-- Rollups of the fact tables (analytics/facts.sql): leads and closed deals counted per day and
-- per value of each dimension the KPIs split by (all, source, owner, status: a day has as many
-- rows as the dimensions have values together, 20 lead keys on the 1M-lead demo, not their
-- product, 240), so a KPI over a window reads a few thousand rollup rows instead of every fact
-- of the window (leads_created year to date read ≈ 115,000 f_leads rows on the 1M-lead demo:
-- 95 ms; from the rollups 4 ms; docs/scaling_answers.md).
--
-- One set of definitions: the KPI functions (analytics.leads_created, win_rate, revenue, ...)
-- read the rollups (the views analytics.r_leads and analytics.r_deals_closed) with the same
-- filters they applied to the facts, and the rollups are exact aggregates of the facts (pgTAP
-- analytics_rollups.sql compares them with direct counts):
-- * Statement-level triggers on analytics.f_leads / analytics.f_deals append each statement's
--   delta (− old rows, + new rows, summed per key) to a log (r_leads_log, r_deals_closed_log):
--   every writer of the facts (the write-time triggers of facts_triggers.sql and the full rebuild
--   of facts_refresh.sql) keeps them, and a sync batch only appends rows: it never waits on or
--   locks a rollup row another batch holds. (Updating the rollup rows in place from the triggers
--   made concurrent batches deadlock on a day's hot keys; serialising them on one lock held to
--   commit made every batch wait for the one before. A day's sync of 27,000 records at 1M leads,
--   facts built so these triggers run: 9.95 s before the rollups, 8.4-12.0 s (median 11.2) in
--   six runs after: perhaps 10% more, inside this machine's noise. The sync bench builds no
--   facts, so it cannot tell.)
-- * analytics.fold_rollups() (called through analytics.settle_facts at the end of every sync slice
--   and by every snapshot, and by the full rebuild) moves the log into the folded tables
--   (r_leads_folded, r_deals_closed_folded); folders queue on one advisory lock. The views put
--   the log beside the folded rows; the KPIs sum them per group and leave out groups whose sum is
--   0, so they read the same before and after a fold.
-- * A TRUNCATE of the facts (the full rebuild) empties the folded tables and the logs.
-- * Deletion stays at timestamp granularity (deleted_at is a key): "alive at as_of" is
--   analytics.alive_at(deleted_at, analytics.day_end(as_of)), an instant in the company time
--   zone; a local deleted day would not be exact where a DST change falls at midnight. Deleted
--   records are few, so they add a few rows each (one per dimension).
-- * Unlogged like the facts: a crash empties them together with the facts (a full rebuild).
-- * Leads also end (data quality's open and untouched leads): the dimensions exit_open and
--   exit_untouched count each lead once on the first day it no longer counts as open (converted
--   or deleted by then) or as open and untouched (or touched by then), its created day if later
--   (analytics.lead_rollup_keys). Then "created by as_of and not ended by as_of" is two sums over
--   days: the leads created by as_of less those ended by as_of (an end never precedes creation).

create unlogged table analytics.r_leads_folded (
  -- the created day; for exit_open and exit_untouched, the day the lead stops counting
  created_day date,
  -- all (key null), source (Lead_Source), owner (owner id, with its name), status (Lead_Status);
  -- exit_open, exit_untouched (key, owner_name and deleted_at null)
  dimension text not null,
  key text,
  owner_name text,
  deleted_at timestamptz,
  leads bigint not null
);
comment on table analytics.r_leads_folded is
  'Count of analytics.f_leads per created_day, dimension (all/source/owner/status) and key, '
  'owner name and deleted_at, as of the last analytics.fold_rollups()';
create unique index r_leads_key_idx on analytics.r_leads_folded
  (created_day, dimension, key, owner_name, deleted_at) nulls not distinct;

-- Deltas appended by the triggers since the last fold (same key columns; a count may be < 0).
create unlogged table analytics.r_leads_log (like analytics.r_leads_folded);
create index r_leads_log_day_idx on analytics.r_leads_log (created_day);

-- Closed Won / Closed Lost deals with a Closing_Date. created_late: the created day when it is
-- after the closing date ('infinity' when unknown), else null: a KPI over closing dates up to
-- as_of needs the created day only for those (created_day <= closing_date <= as_of otherwise).
create unlogged table analytics.r_deals_closed_folded (
  closing_date date not null,
  -- all (key null), source (Lead_Source), owner (owner id, with its name)
  dimension text not null,
  key text,
  owner_name text,
  is_won boolean not null,
  created_late date,
  deleted_at timestamptz,
  deals bigint not null,
  -- Σ Amount (null amounts skipped; null while no amount was added to the key)
  amount numeric
);
comment on table analytics.r_deals_closed_folded is
  'Count and Σ Amount of Closed Won / Closed Lost analytics.f_deals per closing_date, dimension '
  '(all/source/owner) and key, owner name, is_won, created_late and deleted_at, as of the last '
  'analytics.fold_rollups()';
create unique index r_deals_closed_key_idx on analytics.r_deals_closed_folded
  (closing_date, dimension, key, owner_name, is_won, created_late, deleted_at) nulls not distinct;

create unlogged table analytics.r_deals_closed_log (like analytics.r_deals_closed_folded);
create index r_deals_closed_log_day_idx on analytics.r_deals_closed_log (closing_date);

-- Stage stays (analytics.f_stage_entries) of the stages stage_conversion reports (open stages:
-- a progress rank, not Closed Won), counted per local day of entry (analytics.first_day_after of
-- entered_at: the day whose end first follows it), stage, whether a later entry went further
-- (advanced) and the stay's length bucket (analytics.stay_bucket of its hundredths of days; null
-- while the deal is still in the stage). Every column is the stay's final state: for an as_of
-- after the deal's last entry (always so for today) it is the stay as of then, and
-- stage_conversion corrects the few deals with entries after as_of. Counts, Σ days and the
-- buckets give the median's rank; the exact values come from the stays of one bucket
-- (f_stage_entries_stay_bucket_idx). Twelve months of stays (464k on the 1M-lead demo) become
-- about 60k rows.
create unlogged table analytics.r_stage_stays_folded (
  entered_day date not null,
  stage text not null,
  advanced boolean not null,
  -- analytics.stay_bucket(hundredths of days in the stage); null: not left yet
  bucket smallint,
  stays bigint not null,
  -- Σ hundredths of days of the stays that ended (0 for the rest)
  days_h bigint not null
);
comment on table analytics.r_stage_stays_folded is
  'Count and Σ length (hundredths of days) of analytics.f_stage_entries stays in open stages per '
  'entered_day, stage, advanced and length bucket, as of the last analytics.fold_rollups()';
create unique index r_stage_stays_key_idx on analytics.r_stage_stays_folded
  (entered_day, stage, advanced, bucket) nulls not distinct;

create unlogged table analytics.r_stage_stays_log (like analytics.r_stage_stays_folded);
create index r_stage_stays_log_day_idx on analytics.r_stage_stays_log (entered_day);

-- The same folded rows summed per entered month (entered_month: its first day): a window of
-- twelve months reads its whole months here and its edge days in the daily rows. Kept by
-- analytics.fold_rollups() from the same log rows as the daily table.
create unlogged table analytics.r_stage_stays_month (
  entered_month date not null,
  stage text not null,
  advanced boolean not null,
  bucket smallint,
  stays bigint not null,
  days_h bigint not null
);
comment on table analytics.r_stage_stays_month is
  'analytics.r_stage_stays_folded summed per entered month (its first day), as of the last '
  'analytics.fold_rollups()';
create unique index r_stage_stays_month_key_idx on analytics.r_stage_stays_month
  (entered_month, stage, advanced, bucket) nulls not distinct;

-- Lead response times (analytics.f_leads' first touch, analytics.lead_response): leads per created
-- day, dimension (all, source, owner: the keys of analytics.r_leads), deleted_at and response
-- bucket (analytics.response_bucket of the hundredths of hours; null: never touched), with Σ
-- hundredths of hours. Each lead in its final state (touched if ever touched): lead_response
-- takes the few leads touched after as_of out of their bucket. Counts, Σ and the buckets give the
-- mean, the share within the hour and the median's rank; the exact values come from the leads of
-- one bucket (f_leads_response_bucket_idx). Twelve months on the 1M-lead demo: 128k rows instead
-- of 396k leads read three times (once per dimension).
create unlogged table analytics.r_lead_response_folded (
  created_day date not null,
  -- all (key null), source (Lead_Source), owner (owner id, with its name)
  dimension text not null,
  key text,
  owner_name text,
  deleted_at timestamptz,
  -- analytics.response_bucket(hundredths of hours); null: not touched
  bucket smallint,
  leads bigint not null,
  -- Σ hundredths of hours of the touched leads (0 for the rest)
  hours_h bigint not null
);
comment on table analytics.r_lead_response_folded is
  'Count of analytics.f_leads and Σ response time (hundredths of hours) per created_day, '
  'dimension (all/source/owner) and key, owner name, deleted_at and response bucket, as of the '
  'last analytics.fold_rollups()';
create unique index r_lead_response_key_idx on analytics.r_lead_response_folded
  (created_day, dimension, key, owner_name, deleted_at, bucket) nulls not distinct;

create unlogged table analytics.r_lead_response_log (like analytics.r_lead_response_folded);
create index r_lead_response_log_day_idx on analytics.r_lead_response_log (created_day);

-- The same folded rows summed per created month (created_month: its first day), so a window of
-- twelve months reads its whole months here and only its edge days in the daily rows: about 22k
-- rows instead of 128k on the 1M-lead demo. Kept by analytics.fold_rollups() from the same log
-- rows as the daily table (the log itself is read by day).
create unlogged table analytics.r_lead_response_month (
  created_month date not null,
  dimension text not null,
  key text,
  owner_name text,
  deleted_at timestamptz,
  bucket smallint,
  leads bigint not null,
  hours_h bigint not null
);
comment on table analytics.r_lead_response_month is
  'analytics.r_lead_response_folded summed per created month (its first day), as of the last '
  'analytics.fold_rollups()';
create unique index r_lead_response_month_key_idx on analytics.r_lead_response_month
  (created_month, dimension, key, owner_name, deleted_at, bucket) nulls not distinct;

-- Conversions (analytics.conversion_velocity): converted leads with a Created_Time per conversion
-- month, dimension (all, source), deleted_at and bucket of days from creation to conversion
-- (analytics.conversion_bucket of the hundredths of days; null: no conversion time), with Σ
-- hundredths of days. The KPI's months are calendar months, so a month is one key: it takes the
-- as_of month's conversions after as_of out, finds the median's bucket and reads the exact days of
-- that bucket only (f_leads_conversion_bucket_idx). 13 months on the 1M-lead demo: about 3.6k rows
-- instead of 80k conversions.
create unlogged table analytics.r_conversions_folded (
  converted_month date not null,
  -- all (key null), source (Lead_Source)
  dimension text not null,
  key text,
  deleted_at timestamptz,
  -- analytics.conversion_bucket(hundredths of days); null: no conversion time
  bucket smallint,
  conversions bigint not null,
  -- Σ hundredths of days of those with a time (0 for the rest)
  days_h bigint not null
);
comment on table analytics.r_conversions_folded is
  'Count of converted analytics.f_leads and Σ days to conversion (hundredths) per conversion '
  'month, dimension (all/source) and key, deleted_at and days bucket, as of the last '
  'analytics.fold_rollups()';
create unique index r_conversions_key_idx on analytics.r_conversions_folded
  (converted_month, dimension, key, deleted_at, bucket) nulls not distinct;

create unlogged table analytics.r_conversions_log (like analytics.r_conversions_folded);
create index r_conversions_log_month_idx on analytics.r_conversions_log (converted_month);

-- Deals with an Amount above 0 and a Created_Time (deleted or not: what the forecast's amount
-- bands count, analytics.deal_amount_terciles) per amount bucket (analytics.amount_bucket: the
-- number of digits before the point and the first three of them, so buckets follow the amounts'
-- order), a few hundred rows however many deals: the terciles' ranks fall in two buckets, and the
-- amounts at those ranks are read from one bucket each (f_deals_amount_idx) instead of sorting
-- every deal's amount each day.
create unlogged table analytics.r_deal_amounts_folded (
  bucket integer not null,
  deals bigint not null
);
comment on table analytics.r_deal_amounts_folded is
  'Count of analytics.f_deals with amount > 0 and a created_at per analytics.amount_bucket, as '
  'of the last analytics.fold_rollups()';
create unique index r_deal_amounts_key_idx on analytics.r_deal_amounts_folded (bucket);

create unlogged table analytics.r_deal_amounts_log (like analytics.r_deal_amounts_folded);

-- Open deals (not closed) with a created day, per dimension value (all, stage, closing month as
-- 'YYYY-MM', owner, source: the pipeline's grouping sets), owner name and deleted_at, with Σ
-- Amount and Σ Amount × Probability ÷ 100: the current open pipeline in some 70 rows instead of
-- every open deal (13.8k at 1M leads) grouped five ways each day. analytics.pipeline takes out the
-- few open deals created after as_of (f_deals_open_created_idx).
create unlogged table analytics.r_open_deals_folded (
  -- all (key null), stage, closing_month, owner (owner id, with its name), source
  dimension text not null,
  key text,
  owner_name text,
  deleted_at timestamptz,
  deals bigint not null,
  -- Σ Amount and Σ Amount × Probability ÷ 100 (null amounts skipped; null while none was added)
  amount numeric,
  weighted numeric
);
comment on table analytics.r_open_deals_folded is
  'Count, Σ Amount and Σ Amount × Probability ÷ 100 of open analytics.f_deals with a created day '
  'per dimension (all/stage/closing_month/owner/source) and key, owner name and deleted_at, as of '
  'the last analytics.fold_rollups()';
create unique index r_open_deals_key_idx on analytics.r_open_deals_folded
  (dimension, key, owner_name, deleted_at) nulls not distinct;

create unlogged table analytics.r_open_deals_log (like analytics.r_open_deals_folded);

-- The dashboard's grain (dashboard.daily: day × source × owner): leads per created day with
-- their first-touch band (analytics.response_band, in the lead's final state), and Closed Won /
-- Closed Lost deals per Closing_Date with Σ Amount, each per source and owner ('(none)' when
-- unknown), owner name, created_late (deals) and deleted_at (analytics.dashboard_lead_key,
-- analytics.dashboard_deal_key). dashboard.build reads a year of it (about 100k rows at 1M leads)
-- where it grouped the year's 396k leads and 78k closed deals each day (750 ms at 1M leads).
create unlogged table analytics.r_dashboard_daily_folded (
  day date not null,
  -- 0 lead (by created day), 1 won, 2 lost (by Closing_Date)
  kind smallint not null,
  lead_source text not null,
  owner_id text not null,
  owner_name text,
  -- leads: 0-5 first-touch band, 6 not touched; deals: null
  band smallint,
  created_late date,
  deleted_at timestamptz,
  n bigint not null,
  -- Σ Amount of the deals (null amounts skipped; null while none was added)
  amount numeric
);
comment on table analytics.r_dashboard_daily_folded is
  'analytics.f_leads per created day and first-touch band, Closed Won / Lost analytics.f_deals '
  'per Closing_Date (count, Σ Amount), per source, owner and owner name, created_late and '
  'deleted_at (the dashboard''s grain), as of the last analytics.fold_rollups()';
create unique index r_dashboard_daily_key_idx on analytics.r_dashboard_daily_folded
  (day, kind, lead_source, owner_id, owner_name, band, created_late, deleted_at)
  nulls not distinct;

create unlogged table analytics.r_dashboard_daily_log
  (like analytics.r_dashboard_daily_folded);
create index r_dashboard_daily_log_day_idx on analytics.r_dashboard_daily_log (day);

-- Cohort conversion's converted leads as day events (analytics.cohort_conversion): a converted
-- lead counts as converted (measure 0), converted with a deal (1) and won (2) from a first day
-- until a last one (analytics.cohort_events: from its conversion, or creation if later; its deal
-- won from the deal's Closing_Date; until the lead, or the deal, is deleted), so each is +1 on
-- the day it starts counting and −1 on the day it stops, per cohort month (of creation), raw
-- Lead_Source and measure. A cohort's count as of a day is the sum of its events up to that day:
-- whole months from r_cohorts_month, the as_of month's days from the day rows. Twelve cohorts at
-- 1M leads: a few thousand rows, where the KPI read every converted lead of the twelve months
-- (75k) and every won deal (83k). The won measure depends on the lead's deal: the f_deals
-- triggers move it for the leads converted into a changed deal (f_leads_converted_deal_idx).
create unlogged table analytics.r_cohorts_folded (
  cohort_month date not null,
  lead_source text,
  measure smallint not null,
  day date not null,
  n bigint not null
);
comment on table analytics.r_cohorts_folded is
  'Converted analytics.f_leads counted as day events (+1 from the day a lead counts as converted '
  '(0), with a deal (1), won (2); -1 from the day it stops) per cohort month, raw lead source, '
  'measure and day, as of the last analytics.fold_rollups()';
create unique index r_cohorts_key_idx on analytics.r_cohorts_folded
  (cohort_month, lead_source, measure, day) nulls not distinct;
create index r_cohorts_day_idx on analytics.r_cohorts_folded (day);

create unlogged table analytics.r_cohorts_log (like analytics.r_cohorts_folded);
create index r_cohorts_log_day_idx on analytics.r_cohorts_log (day);

-- The same folded events summed per month of their day (month: its first day), kept by
-- analytics.fold_rollups() from the same log rows as the day table.
create unlogged table analytics.r_cohorts_month (
  cohort_month date not null,
  lead_source text,
  measure smallint not null,
  month date not null,
  n bigint not null
);
comment on table analytics.r_cohorts_month is
  'analytics.r_cohorts_folded summed per month of the events'' day (its first day), as of the '
  'last analytics.fold_rollups()';
create unique index r_cohorts_month_key_idx on analytics.r_cohorts_month
  (cohort_month, lead_source, measure, month) nulls not distinct;

-- The rollups the KPIs read: the folded rows and the log's deltas, as rows (a key may come more
-- than once, a delta may be negative): a reader sums them, and leaves out groups whose sum is 0
-- (a key whose facts all went). Not aggregated here: a KPI's window bounds then reach both
-- tables' day indexes (a grouped view could not take them: 45 ms per WhatsApp answer at 1M
-- leads against 5 ms).
create view analytics.r_leads as
  select * from analytics.r_leads_folded
  union all
  select * from analytics.r_leads_log;
comment on view analytics.r_leads is
  'f_leads counted per created_day, dimension (all/source/owner/status) and key, owner name and '
  'deleted_at: folded rollups + the log since the last fold (sum rows per key)';

create view analytics.r_deals_closed as
  select * from analytics.r_deals_closed_folded
  union all
  select * from analytics.r_deals_closed_log;
comment on view analytics.r_deals_closed is
  'Closed Won / Closed Lost f_deals counted and summed (Amount) per closing_date, dimension '
  '(all/source/owner) and key, owner name, is_won, created_late and deleted_at: folded rollups + '
  'the log since the last fold (sum rows per key)';

create view analytics.r_stage_stays as
  select * from analytics.r_stage_stays_folded
  union all
  select * from analytics.r_stage_stays_log;
comment on view analytics.r_stage_stays is
  'Stays in open stages counted per entered_day, stage, advanced and length bucket (Σ length in '
  'hundredths of days): folded rollups + the log since the last fold (sum rows per key)';

create view analytics.r_lead_response as
  select * from analytics.r_lead_response_folded
  union all
  select * from analytics.r_lead_response_log;
comment on view analytics.r_lead_response is
  'Leads counted per created_day, dimension (all/source/owner) and key, owner name, deleted_at '
  'and response bucket (Σ hundredths of hours): folded rollups + the log since the last fold '
  '(sum rows per key)';

create view analytics.r_conversions as
  select * from analytics.r_conversions_folded
  union all
  select * from analytics.r_conversions_log;
comment on view analytics.r_conversions is
  'Converted leads counted per conversion month, dimension (all/source) and key, deleted_at and '
  'days bucket (Σ hundredths of days): folded rollups + the log since the last fold (sum rows per '
  'key)';

create view analytics.r_deal_amounts as
  select * from analytics.r_deal_amounts_folded
  union all
  select * from analytics.r_deal_amounts_log;
comment on view analytics.r_deal_amounts is
  'f_deals with amount > 0 and a created_at counted per amount bucket: folded rollups + the log '
  'since the last fold (sum rows per bucket)';

create view analytics.r_open_deals as
  select * from analytics.r_open_deals_folded
  union all
  select * from analytics.r_open_deals_log;
comment on view analytics.r_open_deals is
  'Open f_deals with a created day counted and summed (Amount, Amount × Probability ÷ 100) per '
  'dimension (all/stage/closing_month/owner/source) and key, owner name and deleted_at: folded '
  'rollups + the log since the last fold (sum rows per key)';

create view analytics.r_dashboard_daily as
  select * from analytics.r_dashboard_daily_folded
  union all
  select * from analytics.r_dashboard_daily_log;
comment on view analytics.r_dashboard_daily is
  'Leads (by created day and first-touch band) and closed deals (by Closing_Date, Σ Amount) per '
  'source, owner, owner name, created_late and deleted_at: folded rollups + the log since the '
  'last fold (sum rows per key)';

alter table analytics.r_leads_folded enable row level security;
alter table analytics.r_leads_log enable row level security;
alter table analytics.r_deals_closed_folded enable row level security;
alter table analytics.r_deals_closed_log enable row level security;
alter table analytics.r_stage_stays_folded enable row level security;
alter table analytics.r_stage_stays_log enable row level security;
alter table analytics.r_stage_stays_month enable row level security;
alter table analytics.r_lead_response_folded enable row level security;
alter table analytics.r_lead_response_log enable row level security;
alter table analytics.r_lead_response_month enable row level security;
alter table analytics.r_conversions_folded enable row level security;
alter table analytics.r_conversions_log enable row level security;
alter table analytics.r_deal_amounts_folded enable row level security;
alter table analytics.r_deal_amounts_log enable row level security;
alter table analytics.r_open_deals_folded enable row level security;
alter table analytics.r_open_deals_log enable row level security;
alter table analytics.r_cohorts_folded enable row level security;
alter table analytics.r_cohorts_log enable row level security;
alter table analytics.r_cohorts_month enable row level security;
alter table analytics.r_dashboard_daily_folded enable row level security;
alter table analytics.r_dashboard_daily_log enable row level security;
revoke all on analytics.r_leads_folded, analytics.r_leads_log, analytics.r_deals_closed_folded,
  analytics.r_deals_closed_log, analytics.r_leads, analytics.r_deals_closed,
  analytics.r_stage_stays_folded, analytics.r_stage_stays_log, analytics.r_stage_stays,
  analytics.r_stage_stays_month, analytics.r_lead_response_folded, analytics.r_lead_response_log,
  analytics.r_lead_response, analytics.r_lead_response_month, analytics.r_conversions_folded,
  analytics.r_conversions_log, analytics.r_conversions, analytics.r_deal_amounts_folded,
  analytics.r_deal_amounts_log, analytics.r_deal_amounts, analytics.r_open_deals_folded,
  analytics.r_open_deals_log, analytics.r_open_deals, analytics.r_cohorts_folded,
  analytics.r_cohorts_log, analytics.r_cohorts_month, analytics.r_dashboard_daily_folded,
  analytics.r_dashboard_daily_log, analytics.r_dashboard_daily from anon, authenticated;
grant select on analytics.r_leads_folded, analytics.r_leads_log, analytics.r_deals_closed_folded,
  analytics.r_deals_closed_log, analytics.r_leads, analytics.r_deals_closed,
  analytics.r_stage_stays_folded, analytics.r_stage_stays_log, analytics.r_stage_stays,
  analytics.r_stage_stays_month, analytics.r_lead_response_folded, analytics.r_lead_response_log,
  analytics.r_lead_response, analytics.r_lead_response_month, analytics.r_conversions_folded,
  analytics.r_conversions_log, analytics.r_conversions, analytics.r_deal_amounts_folded,
  analytics.r_deal_amounts_log, analytics.r_deal_amounts, analytics.r_open_deals_folded,
  analytics.r_open_deals_log, analytics.r_open_deals, analytics.r_cohorts_folded,
  analytics.r_cohorts_log, analytics.r_cohorts_month, analytics.r_dashboard_daily_folded,
  analytics.r_dashboard_daily_log, analytics.r_dashboard_daily to service_role;
