-- The dashboard's daily rows from a kept rollup of their grain (supabase/schemas/analytics/
-- rollups.sql, rollups_keys.sql, rollups_keep.sql, facts_refresh.sql, dashboard/rollups.sql):
-- leads per created day and first-touch band, closed deals per Closing_Date, per source and owner
-- (analytics.r_dashboard_daily), kept by the f_leads and f_deals statement triggers, folded and
-- truncated with the other rollups; dashboard.build reads it (the trigger functions, the fold and
-- the build: the next migration). Filled here from the facts as they are.

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

create view analytics.r_dashboard_daily as
  select * from analytics.r_dashboard_daily_folded
  union all
  select * from analytics.r_dashboard_daily_log;
comment on view analytics.r_dashboard_daily is
  'Leads (by created day and first-touch band) and closed deals (by Closing_Date, Σ Amount) per '
  'source, owner, owner name, created_late and deleted_at: folded rollups + the log since the '
  'last fold (sum rows per key)';

alter table analytics.r_dashboard_daily_folded enable row level security;
alter table analytics.r_dashboard_daily_log enable row level security;
revoke all on analytics.r_dashboard_daily_folded, analytics.r_dashboard_daily_log,
  analytics.r_dashboard_daily from anon, authenticated;
grant select on analytics.r_dashboard_daily_folded, analytics.r_dashboard_daily_log,
  analytics.r_dashboard_daily to service_role;

insert into analytics.r_dashboard_daily_folded
select k.day, k.kind, k.lead_source, k.owner_id, k.owner_name, k.band, k.created_late,
  k.deleted_at, count(*), null
from analytics.f_leads f, analytics.dashboard_lead_key(f) k
group by 1, 2, 3, 4, 5, 6, 7, 8;
insert into analytics.r_dashboard_daily_folded
select k.day, k.kind, k.lead_source, k.owner_id, k.owner_name, k.band, k.created_late,
  k.deleted_at, count(*), sum(k.amount)
from analytics.f_deals f, analytics.dashboard_deal_key(f) k
group by 1, 2, 3, 4, 5, 6, 7, 8;
