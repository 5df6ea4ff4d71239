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
--   stage-history KPIs read Zoho's Stage_History merged with the versions we own).
-- * Closed in period = Closing_Date in the period (Zoho's closing date of a closed deal).
-- * Amounts are exact numeric; percentages are rounded to 2 decimals, money averages to 2,
--   days to 2. Medians are exact: mean of the lower and upper middle values (analytics.median).
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

-- The median, exact on numeric: the mean of the lower and upper middle values. Called over an
-- aggregated array, `analytics.median(array_agg(x))` (with `filter (where ...)` when needed).
-- One sort: the values in order, then the middle two (percentile_disc ascending and descending
-- sorted them twice).
create or replace function analytics.median(p_values numeric[]) returns numeric
language sql immutable parallel safe
as $$
  select (x.s[(x.n + 1) / 2] + x.s[x.n / 2 + 1]) / 2
  from (select array_agg(v order by v) as s, count(*)::integer as n
    from unnest(p_values) v where v is not null) x
$$;
comment on function analytics.median(numeric[]) is
  'Median of the values, exact: mean of the lower and upper middle values; nulls ignored, null '
  'when there are none';

-- The fractions whose percentile_disc are the lower and upper middle values that
-- analytics.median averages: 0.5 is position ceil(n/2) = (n + 1) / 2, 0.5 + 1e-10 is n/2 + 1
-- for every n below ten billion. As one ordered-set aggregate the values are sorted once, with
-- no arrays built and unnested: median = analytics.middle_mean(percentile_disc(these) within
-- group (order by the values)). Deal size's medians at 1M: 143 → 89 ms, the same rows.
create or replace function analytics.middle_fractions() returns double precision[]
language sql immutable parallel safe
as $$ select array[0.5, 0.5000000001]::double precision[] $$;
comment on function analytics.middle_fractions() is
  'percentile_disc fractions of the lower and upper middle values (median = their mean)';

-- The median from the two middle values percentile_disc gave at analytics.middle_fractions(), as
-- analytics.median computes it (integer values are taken as numeric).
create or replace function analytics.middle_mean(m numeric[]) returns numeric
language sql immutable parallel safe
as $$ select (m[1] + m[2]) / 2 $$;
comment on function analytics.middle_mean(numeric[]) is
  'Mean of the lower and upper middle values (percentile_disc at analytics.middle_fractions())';

-- The whole calendar months inside the days [p_from, p_to): months m with p_from ≤ m and the
-- month's end ≤ p_to, as [m0, m1) of their first days; none: m0 = m1 = p_to. A window's rollup
-- reads these months from its monthly table and the days outside them from its daily one.
create or replace function analytics.whole_months(p_from date, p_to date, out m0 date,
  out m1 date)
language sql immutable parallel safe
as $$
  select case when x.m1 > x.m0 then x.m0 else p_to end,
    case when x.m1 > x.m0 then x.m1 else p_to end
  from (select case when p_from = date_trunc('month', p_from)::date then p_from
      else (date_trunc('month', p_from) + interval '1 month')::date end as m0,
    date_trunc('month', p_to)::date as m1) x
$$;
comment on function analytics.whole_months(date, date) is
  'The whole calendar months inside [p_from, p_to) as [m0, m1) of their first days (none: both '
  'p_to)';

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
