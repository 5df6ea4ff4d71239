-- Cohort conversion from day events (supabase/schemas/analytics/rollups.sql, rollups_keys.sql,
-- rollups_keep.sql, facts.sql, facts_refresh.sql, kpis_leads.sql): each converted lead's +1/−1
-- days as converted, with a deal and won (analytics.r_cohorts: day rows, month rows, log), kept by
-- the f_leads and f_deals statement triggers, folded and truncated with the other rollups and
-- built at once by the full rebuild; analytics.cohort_conversion sums them instead of reading
-- every converted lead and won deal. Filled here from the facts as they are.

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

alter table analytics.r_cohorts_folded enable row level security;
alter table analytics.r_cohorts_log enable row level security;
alter table analytics.r_cohorts_month enable row level security;
revoke all on analytics.r_cohorts_folded, analytics.r_cohorts_log, analytics.r_cohorts_month
  from anon, authenticated;
grant select on analytics.r_cohorts_folded, analytics.r_cohorts_log, analytics.r_cohorts_month
  to service_role;

insert into analytics.r_cohorts_folded
select k.cohort_month, k.lead_source, k.measure, k.day, sum(k.n)
from analytics.f_leads f
left join analytics.f_deals d on d.id = f.converted_deal_id
cross join lateral analytics.cohort_events(f, d, analytics.time_zone()) k
where f.converted
group by 1, 2, 3, 4
having sum(k.n) <> 0;
insert into analytics.r_cohorts_month
select r.cohort_month, r.lead_source, r.measure, date_trunc('month', r.day)::date, sum(r.n)
from analytics.r_cohorts_folded r
group by 1, 2, 3, 4
having sum(r.n) <> 0;
