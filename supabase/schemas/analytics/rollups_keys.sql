-- The rollups' keys (analytics/rollups.sql: tables, views and the rules they keep): what each fact
-- counts under, used by the statement triggers and the full rebuild (analytics/rollups_keep.sql),
-- and the indexes the KPIs read the exact values of one length bucket from. Leads, closed deals,
-- stage stays, lead response times and conversions.

-- The rollup key of a closed deal's created day (see r_deals_closed.created_late).
create or replace function analytics.created_late(p_created_day date, p_closing_date date)
returns date
language sql immutable parallel safe
as $$
  select case when p_created_day <= p_closing_date then null
    else coalesce(p_created_day, 'infinity'::date) end
$$;

-- The first local day whose end (analytics.day_end) is after the instant x: a record deleted or
-- touched at x is gone or touched "by the end of as_of" from that day on. The local date of x,
-- moved a day where a DST change at midnight repeats or skips local times around it, so that
-- x < day_end(d) exactly when d >= the result (pgTAP analytics_rollups.sql).
create or replace function analytics.first_day_after(x timestamptz, tz text) returns date
language sql immutable parallel safe
as $$
  -- one expression, no FROM, so that Postgres inlines it (a call cost 10 µs a row)
  select case when (((x at time zone tz)::date + 1)::timestamp at time zone tz) <= x
      then (x at time zone tz)::date + 1
    when ((x at time zone tz)::date::timestamp at time zone tz) > x
      then (x at time zone tz)::date - 1
    else (x at time zone tz)::date end
$$;

-- A lead's rollup keys: one per dimension value, and its two end days (exit_open: converted, or
-- deleted by the end of the day; exit_untouched: that, or first touched), none when it never
-- ends or has no created day. A converted lead without a conversion day ends when created.
create or replace function analytics.lead_rollup_keys(f analytics.f_leads, tz text)
returns table (day date, dimension text, key text, owner_name text, deleted_at timestamptz)
language sql immutable
as $$
  select k.day, k.dimension, k.key, k.owner_name, k.deleted_at
  -- offset 0: each end computed once per lead (inlined, the planner copied the expressions into
  -- every use: 8.9 s for 1M leads' keys against about 3)
  from (select e.open_end, least(e.open_end,
      analytics.first_day_after(f.first_touch_at, tz)) as untouched_end
    from (select least(case when f.converted then coalesce(f.converted_day, '-infinity') end,
      analytics.first_day_after(f.deleted_at, tz)) as open_end offset 0) e offset 0) u
  cross join lateral (values (f.created_day, 'all', null, null, f.deleted_at),
    (f.created_day, 'source', f.lead_source, null, f.deleted_at),
    (f.created_day, 'owner', f.owner_id, f.owner_name, f.deleted_at),
    (f.created_day, 'status', f.lead_status, null, f.deleted_at),
    (greatest(f.created_day, u.open_end), 'exit_open', null, null, null),
    (greatest(f.created_day, u.untouched_end), 'exit_untouched', null, null, null))
    k(day, dimension, key, owner_name, deleted_at)
  where k.dimension not like 'exit%'
    or (f.created_day is not null and (case k.dimension when 'exit_open' then u.open_end
      else u.untouched_end end) is not null)
$$;

-- A stay's length in hundredths of days, as stage_conversion rounds it: round(days, 2) × 100,
-- days = seconds ÷ 86,400 (analytics.days). Null while the deal is in the stage.
create or replace function analytics.stay_hundredths(p_entered_at timestamptz,
  p_left_at timestamptz)
returns bigint
language sql immutable parallel safe
as $$ select (round(extract(epoch from p_left_at - p_entered_at) / 86400, 2) * 100)::bigint $$;

-- The length bucket of a stay (hundredths of days): a day each below 14 days, where most stays
-- end (the median of every stage on the 1M-lead demo is 3-7 days), then 14-20, 21-29, 30-44,
-- 45-59, 60-89, 90-179, 180-364 and 365 days or more. Null for null.
create or replace function analytics.stay_bucket(p_hundredths bigint) returns smallint
language sql immutable parallel safe
as $$
  select (case when p_hundredths is null then null
    when p_hundredths < 1400 then greatest(p_hundredths, -100) / 100
    when p_hundredths < 2100 then 14 when p_hundredths < 3000 then 15
    when p_hundredths < 4500 then 16 when p_hundredths < 6000 then 17
    when p_hundredths < 9000 then 18 when p_hundredths < 18000 then 19
    when p_hundredths < 36500 then 20 else 21 end)::smallint
$$;

-- A stay's key in analytics.r_stage_stays (its local day of entry, stage, whether a later entry
-- went further, length bucket) and its length in hundredths of days (null while in the stage);
-- no row for a stay outside the stages stage_conversion reports (no progress rank, Closed Won).
-- The statement triggers and the full rebuild count stays by it.
create or replace function analytics.stage_stay_key(s analytics.f_stage_entries, tz text)
returns table (entered_day date, stage text, advanced boolean, bucket smallint, h bigint)
language sql immutable
as $$
  select analytics.first_day_after(s.entered_at, tz), s.stage,
    coalesce(s.later_progress > s.progress, false), analytics.stay_bucket(x.h), x.h
  -- offset 0: the length computed once per stay (flattened, the bucket computed it again)
  from (select analytics.stay_hundredths(s.entered_at, s.left_at) as h offset 0) x
  where s.progress is not null and s.stage <> 'Closed Won'
$$;

-- The exact lengths of one bucket's stays, for the median (analytics.stage_conversion), from the
-- index alone: at 1M leads the median buckets of twelve months were 21.8k heap reads of
-- f_stage_entries (stage conversion 55 → 25 ms, 23.8k → 2.0k buffers).
create index f_stage_entries_stay_bucket_idx on analytics.f_stage_entries (stage,
  analytics.stay_bucket(analytics.stay_hundredths(entered_at, left_at)), entered_at)
  include (left_at, last_entry_at) where left_at is not null;

-- A lead's response time in hundredths of hours, as analytics.lead_response rounds it:
-- round(hours, 2) × 100, hours = seconds from Created_Time to the first call/task/event ÷ 3,600
-- (0 when touched before it was created, or with no Created_Time); null when never touched.
create or replace function analytics.response_hundredths(p_created_at timestamptz,
  p_first_touch_at timestamptz)
returns bigint
language sql immutable parallel safe
as $$
  select case when p_first_touch_at is not null then (round(greatest(extract(epoch from
    p_first_touch_at - p_created_at), 0) / 3600, 2) * 100)::bigint end
$$;

-- The response bucket of a lead (hundredths of hours): a tenth of an hour each up to 1 hour
-- (0-9, so buckets 0-9 are exactly the leads answered within the hour), an hour each up to 24
-- hours (10-32), then 1-2 days, 2-3 days, 3-7 days and later (33-36). Null: not touched.
-- Most leads are answered within 8 hours (77% on the 1M-lead demo; the medians are 0.5-3 h).
create or replace function analytics.response_bucket(p_hundredths bigint) returns smallint
language sql immutable parallel safe
as $$
  select (case when p_hundredths is null then null
    when p_hundredths <= 100 then greatest(p_hundredths - 1, 0) / 10
    when p_hundredths <= 2400 then 9 + (p_hundredths - 1) / 100
    when p_hundredths <= 4800 then 33 when p_hundredths <= 7200 then 34
    when p_hundredths <= 16800 then 35 else 36 end)::smallint
$$;

-- A lead's keys in analytics.r_lead_response (its created day, each dimension value, deleted_at,
-- response bucket) and its response in hundredths of hours, in its final state (touched if ever
-- touched: lead_response corrects the leads touched after as_of). None without a created day.
create or replace function analytics.lead_response_keys(f analytics.f_leads)
returns table (created_day date, dimension text, key text, owner_name text,
  deleted_at timestamptz, bucket smallint, h bigint)
language sql immutable
as $$
  select f.created_day, k.dimension, k.key, k.owner_name, f.deleted_at,
    analytics.response_bucket(x.h), x.h
  -- offset 0: the response computed once per lead (flattened, each use computed it again)
  from (select analytics.response_hundredths(f.created_at, f.first_touch_at) as h offset 0) x
  cross join lateral (values ('all', null, null), ('source', f.lead_source, null),
    ('owner', f.owner_id, f.owner_name)) k(dimension, key, owner_name)
  where f.created_day is not null
$$;

-- The exact response times of one bucket's leads, for the median (analytics.lead_response), and
-- the slowest answers (bucket 36), among which are the leads first touched after a past as_of.
-- With the touch as a key and what the median reads carried, both are read from the index alone
-- (the heap only for the few leads touched after as_of): at 1M leads the median buckets of a
-- year, a month and a week were 15.5k heap reads of f_leads; lead_response's three periods
-- 120 → 65 ms, 20.7k → 5.8k buffers.
create index f_leads_response_bucket_idx on analytics.f_leads (
  analytics.response_bucket(analytics.response_hundredths(created_at, first_touch_at)),
  created_day, first_touch_at) include (created_at, deleted_at, lead_source, owner_id)
  where first_touch_at is not null;

-- A lead's days from Created_Time to conversion in hundredths, as conversion_velocity rounds them:
-- round(days, 2) × 100, days = seconds ÷ 86,400 (as analytics.days, which is defined after this
-- file); null without both times.
create or replace function analytics.conversion_hundredths(p_created_at timestamptz,
  p_converted_at timestamptz)
returns bigint
language sql immutable parallel safe
as $$
  select (round(extract(epoch from p_converted_at - p_created_at) / 86400, 2) * 100)::bigint
$$;

-- The days bucket of a conversion (hundredths of days): before creation (-1), a day each up to 60
-- days (0-59: the demo's conversions take 0-30 days), a week each up to 179 days (60-76), then
-- 179-364 days and later (77-78). Null for null.
create or replace function analytics.conversion_bucket(p_hundredths bigint) returns smallint
language sql immutable parallel safe
as $$
  select (case when p_hundredths is null then null when p_hundredths < 0 then -1
    when p_hundredths < 6000 then p_hundredths / 100
    when p_hundredths < 17900 then 60 + (p_hundredths - 6000) / 700
    when p_hundredths < 36500 then 77 else 78 end)::smallint
$$;

-- A converted lead's keys in analytics.r_conversions (its conversion month, each dimension value,
-- deleted_at, days bucket) and its days in hundredths. None for a lead not converted, without a
-- conversion day or without a Created_Time (conversion_velocity counts none of them).
create or replace function analytics.conversion_keys(f analytics.f_leads)
returns table (converted_month date, dimension text, key text, deleted_at timestamptz,
  bucket smallint, h bigint)
language sql immutable
as $$
  select date_trunc('month', f.converted_day::timestamp)::date, k.dimension, k.key, f.deleted_at,
    analytics.conversion_bucket(x.h), x.h
  -- offset 0: the days computed once per lead
  from (select analytics.conversion_hundredths(f.created_at, f.converted_at) as h offset 0) x
  cross join lateral (values ('all', null), ('source', f.lead_source)) k(dimension, key)
  where f.converted and f.converted_day is not null and f.created_at is not null
$$;

-- The exact days of one bucket's conversions, for the median (analytics.conversion_velocity),
-- from the index alone: at 1M leads its twelve months' median buckets were 5.3k heap reads of
-- f_leads (5.5k → 0.2k buffers).
create index f_leads_conversion_bucket_idx on analytics.f_leads (
  analytics.conversion_bucket(analytics.conversion_hundredths(created_at, converted_at)),
  converted_day) include (created_at, converted_at, deleted_at, lead_source)
  where converted and created_at is not null;

-- A positive Amount's bucket in analytics.r_deal_amounts: the number of digits before the point
-- × 1,000 + the first three of them (0.5 → 1000, 7 → 1007, 42.9 → 2042, 12,345 → 5123), so that
-- a larger amount never falls in an earlier bucket; 'Infinity' and 'NaN' (which Postgres orders
-- after every number) last. Null for an amount that is null or not above 0.
create or replace function analytics.amount_bucket(p_amount numeric) returns integer
language sql immutable parallel safe
as $$
  select case when not p_amount > 0 then null
    when p_amount = 'NaN'::numeric then 2147483647
    when p_amount = 'Infinity'::numeric then 2147483646
    else length(trunc(p_amount)::text) * 1000 + left(trunc(p_amount)::text, 3)::integer end
$$;

-- The smallest amount of a bucket (analytics.amount_bucket): with the digits L = bucket ÷ 1,000 and
-- the leading ones m = bucket mod 1,000, m × 10^(L − 3) from four digits on, m up to three (0 for
-- the amounts below 1).
create or replace function analytics.amount_bucket_floor(p_bucket integer) returns numeric
language sql immutable parallel safe
as $$
  select case when p_bucket = 2147483647 then 'NaN'::numeric
    when p_bucket = 2147483646 then 'Infinity'::numeric
    when p_bucket / 1000 <= 3 then (p_bucket % 1000)::numeric
    else (p_bucket % 1000)::numeric * power(10::numeric, p_bucket / 1000 - 3) end
$$;

-- An open deal's keys in analytics.r_open_deals: one per dimension value of the pipeline (all,
-- stage, closing month as 'YYYY-MM', owner with its name, source); none for a closed deal or one
-- without a created day (analytics.pipeline counts neither).
create or replace function analytics.open_deal_keys(f analytics.f_deals)
returns table (dimension text, key text, owner_name text)
language sql immutable
as $$
  select k.dimension, k.key, k.owner_name
  from (values ('all', null, null), ('stage', f.stage, null),
    ('closing_month', to_char(date_trunc('month', f.closing_date::timestamp), 'YYYY-MM'), null),
    ('owner', f.owner_id, f.owner_name), ('source', f.lead_source, null))
    k(dimension, key, owner_name)
  where not f.is_closed and f.created_day is not null
$$;

-- A lead's day events in analytics.r_cohorts, with its converted deal d (a row of nulls when it
-- has none): the lead counts as converted (measure 0) as of a day a when it was converted and
-- created by then and not deleted by its end (analytics.cohort_conversion's rules), i.e. from
-- greatest(created day, conversion day) until analytics.first_day_after(its deletion); with a
-- deal (1) over the same days when it names one; won (2) from greatest(that, the deal's
-- Closing_Date) while also the deal is not deleted, when the deal is Closed Won with a Closing_Date.
-- +1 on the first day, −1 on the day it stops (none when it never stops); nothing for a lead not
-- converted, without a conversion day or without a created day, or when the span is empty.
create or replace function analytics.cohort_events(f analytics.f_leads, d analytics.f_deals,
  tz text)
returns table (cohort_month date, lead_source text, measure smallint, day date, n integer)
language sql immutable
as $$
  select date_trunc('month', f.created_day::timestamp)::date, f.lead_source, m.measure, e.day,
    e.n
  -- offset 0: the spans computed once per lead
  from (select greatest(f.created_day, f.converted_day) as cf,
      case when f.deleted_at is not null then analytics.first_day_after(f.deleted_at, tz) end
        as cu
    offset 0) a
  cross join lateral (select
      case when d.is_won and d.closing_date is not null
        then greatest(a.cf, d.closing_date) end as wf,
      least(a.cu, case when d.deleted_at is not null
        then analytics.first_day_after(d.deleted_at, tz) end) as wu) w
  cross join lateral (values (0::smallint, a.cf, a.cu),
    (1::smallint, case when f.converted_deal_id is not null then a.cf end, a.cu),
    (2::smallint, case when f.converted_deal_id is not null then w.wf end, w.wu))
    m(measure, s, u)
  cross join lateral (values (m.s, 1), (m.u, -1)) e(day, n)
  where f.converted and f.converted_day is not null and f.created_day is not null
    and m.s is not null and (m.u is null or m.u > m.s) and e.day is not null
$$;

-- A lead's first-touch band on the dashboard (dashboard.daily's response columns) from its
-- response in hundredths of hours (analytics.response_hundredths): 0 within the hour, 1 within 4
-- hours, 2 within a day, 3 within 3 days, 4 within a week, 5 later, 6 not touched. The edges are
-- analytics.response_bucket's (band 5 is its bucket 36).
create or replace function analytics.response_band(p_hundredths bigint) returns smallint
language sql immutable parallel safe
as $$
  select (case when p_hundredths is null then 6 when p_hundredths <= 100 then 0
    when p_hundredths <= 400 then 1 when p_hundredths <= 2400 then 2
    when p_hundredths <= 7200 then 3 when p_hundredths <= 16800 then 4 else 5 end)::smallint
$$;

-- A lead's key in analytics.r_dashboard_daily (the dashboard's grain: day, kind, source, owner):
-- its created day, kind 0, source and owner ('(none)' when unknown), owner name, first-touch band
-- in its final state (touched if ever touched: dashboard.build moves the leads touched after
-- as_of to untouched) and deleted_at. None without a created day.
create or replace function analytics.dashboard_lead_key(f analytics.f_leads)
returns table (day date, kind smallint, lead_source text, owner_id text, owner_name text,
  band smallint, created_late date, deleted_at timestamptz, amount numeric)
language sql immutable
as $$
  select f.created_day, 0::smallint, coalesce(f.lead_source, '(none)'),
    coalesce(f.owner_id, '(none)'), f.owner_name,
    analytics.response_band(analytics.response_hundredths(f.created_at, f.first_touch_at)),
    null::date, f.deleted_at, null::numeric
  where f.created_day is not null
$$;

-- A closed deal's key in analytics.r_dashboard_daily: its Closing_Date, kind 1 (won) or 2 (lost),
-- source and owner ('(none)' when unknown), owner name, created_late (analytics.created_late) and
-- deleted_at, with its Amount. None while open or without a Closing_Date.
create or replace function analytics.dashboard_deal_key(f analytics.f_deals)
returns table (day date, kind smallint, lead_source text, owner_id text, owner_name text,
  band smallint, created_late date, deleted_at timestamptz, amount numeric)
language sql immutable
as $$
  select f.closing_date, (case when f.is_won then 1 else 2 end)::smallint,
    coalesce(f.lead_source, '(none)'), coalesce(f.owner_id, '(none)'), f.owner_name,
    null::smallint, analytics.created_late(f.created_day, f.closing_date), f.deleted_at, f.amount
  where (f.is_won or f.is_lost) and f.closing_date is not null
$$;
