-- Lead questions: leads in a period (optionally of one source or owner), by source and owner, speed to lead, untouched leads, source ROI, lead conversion and unusual weeks.

-- Leads created in the period vs the previous equal period, all or one source / owner.
create function ask.leads(p_as_of date, p_period text default 'today',
  p_source text default null, p_owner text default null)
returns table (label text, leads bigint, prev_leads bigint, growth_pct numeric)
language sql stable
set jit = off
as $$
  select w.label, coalesce(sum(l.leads), 0)::bigint, coalesce(sum(l.prev_leads), 0)::bigint,
    analytics.pct(coalesce(sum(l.leads), 0) - coalesce(sum(l.prev_leads), 0),
      coalesce(sum(l.prev_leads), 0))
  from ask.period_window(p_as_of, p_period) w
  left join lateral analytics.leads_created(w.as_of, w.period,
      case when p_source is not null then 'source' end, p_source) l on
    case when p_source is not null then l.dimension = 'source' and l.key = p_source
      when p_owner is not null then l.dimension = 'owner' and l.label = p_owner
      else l.dimension = 'all' end
  group by w.label
$$;
comment on function ask.leads(date, text, text, text) is
  'Leads created in the period (analytics.leads_created), all or of one source or owner; '
  'growth = (this − previous equal period) ÷ previous × 100';

-- Leads created in the period per source (or per owner), largest first.
create function ask.leads_by(p_as_of date, p_period text default 'this_week',
  p_dimension text default 'source')
returns table (label text, name text, leads bigint, prev_leads bigint, share_pct numeric)
language sql stable
set jit = off
as $$
  select w.label, coalesce(l.label, l.key), l.leads, l.prev_leads,
    analytics.pct(l.leads, sum(l.leads) over ())
  from ask.period_window(p_as_of, p_period) w
  join lateral analytics.leads_created(w.as_of, w.period) l on l.dimension = p_dimension
  where l.leads > 0 or l.prev_leads > 0
  order by l.leads desc, 2
$$;
comment on function ask.leads_by(date, text, text) is
  'Leads created in the period by source or owner (analytics.leads_created); share of the total';

-- Speed to lead: time from lead creation to the first call/task/meeting.
create function ask.response_time(p_as_of date, p_period text default 'this_month',
  p_source text default null, p_owner text default null)
returns table (label text, leads bigint, touched bigint, untouched bigint, median_hours numeric,
  avg_hours numeric, within_1h_pct numeric)
language sql stable
set jit = off
as $$
  select w.label, r.leads, r.touched, r.untouched, r.median_hours, r.avg_hours, r.within_1h_pct
  from ask.period_window(p_as_of, p_period) w
  join lateral analytics.lead_response(w.as_of, w.period) r on
    case when p_source is not null then r.dimension = 'source' and r.key = p_source
      when p_owner is not null then r.dimension = 'owner' and r.label = p_owner
      else r.dimension = 'all' end
$$;
comment on function ask.response_time(date, text, text, text) is
  'Leads created in the period: median/average hours to first touch, share touched within 1 h '
  '(analytics.lead_response)';

-- Open leads nobody has called, tasked or met (all, and those younger than the setting's days).
create function ask.untouched_leads(p_as_of date)
returns table (never_touched bigint, open_leads bigint, never_touched_pct numeric,
  recent_untouched bigint, recent_leads bigint, recent_days integer)
language sql stable
set jit = off
as $$
  select a.count, a.total, a.pct, r.count, r.total,
    (select s.untouched_after_days from analytics.settings s)
  from analytics.data_quality(p_as_of) a, analytics.data_quality(p_as_of) r
  where a.check_id = 'leads_never_touched' and r.check_id = 'recent_leads_untouched'
$$;
comment on function ask.untouched_leads(date) is
  'Open (unconverted) leads without any call/task/event, all and recent (analytics.data_quality)';

-- Data hygiene of open deals and leads (analytics.data_quality), worst first.
create function ask.data_quality(p_as_of date)
returns table (check_id text, count bigint, total bigint, pct numeric)
language sql stable
set jit = off
as $$
  select q.check_id, q.count, q.total, q.pct from analytics.data_quality(p_as_of) q
  order by q.pct desc nulls last, q.check_id
$$;
comment on function ask.data_quality(date) is 'analytics.data_quality, highest share first';

-- Marketing cost, leads, won deals and revenue per lead source.
create function ask.source_roi(p_as_of date, p_period text default 'last_12_months',
  p_source text default null)
returns table (label text, lead_source text, cost numeric, leads bigint, won_deals bigint,
  revenue numeric, cost_per_lead numeric, roi_pct numeric)
language sql stable
set jit = off
as $$
  select w.label, r.lead_source, r.cost, r.leads, r.won_deals, r.revenue, r.cost_per_lead,
    r.roi_pct
  from ask.period_window(p_as_of, p_period) w
  join lateral analytics.source_roi(w.as_of, w.period) r
    on p_source is null or r.lead_source = p_source
  order by r.roi_pct desc nulls last, r.revenue desc, r.lead_source
$$;
comment on function ask.source_roi(date, text, text) is
  'Per lead source: campaign cost, leads, won revenue, ROI = (revenue − cost) ÷ cost × 100 '
  '(analytics.source_roi)';

-- Lead → deal and lead → won conversion of the last monthly cohorts, of all leads or of one
-- lead source (analytics.cohort_conversion's split).
create function ask.lead_conversion(p_as_of date, p_months integer default 3,
  p_source text default null)
returns table (cohort_month date, leads bigint, with_deal bigint, won bigint,
  lead_to_deal_pct numeric, lead_to_won_pct numeric, incomplete boolean)
language sql stable
set jit = off
as $$
  select c.cohort_month, c.leads, c.with_deal, c.won, c.lead_to_deal_pct, c.lead_to_won_pct,
    c.incomplete
  from analytics.cohort_conversion(p_as_of, least(greatest(p_months, 1), 12)) c
  where case when p_source is null then c.dimension = 'all'
    else c.dimension = 'source' and c.key = p_source end
  order by c.cohort_month desc
$$;
comment on function ask.lead_conversion(date, integer, text) is
  'Monthly lead cohorts: share that became a deal and a won deal (analytics.cohort_conversion), '
  'all or of one source; incomplete = cohort younger than the maturity setting';

-- Which source converts best: per lead source, the period's monthly lead cohorts (the months from
-- the period's first to as_of's, at most the last 12) summed, and their lead → deal and lead → won
-- conversion, best lead → won first. The same sums as the dashboard's funnel panel for the period.
create function ask.lead_conversion_by_source(p_as_of date,
  p_period text default 'last_12_months')
returns table (label text, first_month date, lead_source text, leads bigint, with_deal bigint,
  won bigint, lead_to_deal_pct numeric, lead_to_won_pct numeric)
language sql stable
set jit = off
as $$
  with c as materialized (
    select w.label, c.cohort_month, c.key, c.leads, c.with_deal, c.won,
      greatest(date_trunc('month', q.start_day::timestamp),
        date_trunc('month', w.as_of::timestamp) - interval '11 months')::date as first_month
    from ask.period_window(p_as_of, p_period) w
    cross join lateral (select q.start_day from analytics.periods(w.as_of) q
      where q.period = w.period) q
    -- only the months it needs (a quarter: 3), at most 12
    cross join lateral analytics.cohort_conversion(w.as_of, least(12,
      ((extract(year from w.as_of) - extract(year from q.start_day)) * 12
        + extract(month from w.as_of) - extract(month from q.start_day))::integer + 1)) c
    where c.dimension = 'source'
      and c.cohort_month >= date_trunc('month', q.start_day::timestamp)::date
  )
  select max(c.label), max(c.first_month), c.key, sum(c.leads)::bigint,
    sum(c.with_deal)::bigint, sum(c.won)::bigint, analytics.pct(sum(c.with_deal), sum(c.leads)),
    analytics.pct(sum(c.won), sum(c.leads))
  from c
  group by c.key
  order by 8 desc nulls last, 7 desc nulls last, 4 desc, 3
$$;
comment on function ask.lead_conversion_by_source(date, text) is
  'Per lead source: the period''s monthly lead cohorts (analytics.cohort_conversion, at most 12 '
  'months) summed, lead → deal and lead → won conversion; best lead → won first';

-- This week's unusual moves in leads or won revenue per source.
create function ask.anomalies(p_as_of date)
returns table (metric text, lead_source text, week_start date, value numeric, prev_value numeric,
  change_pct numeric, robust_z numeric)
language sql stable
set jit = off
as $$
  select a.metric, a.lead_source, a.week_start, a.value, a.prev_value, a.change_pct, a.robust_z
  from analytics.source_anomalies(p_as_of) a
  where a.is_anomaly
  order by abs(a.robust_z) desc, a.metric, a.lead_source
$$;
comment on function ask.anomalies(date) is
  'Sources whose week-over-week change is an outlier (analytics.source_anomalies, robust z)';

revoke all on all functions in schema ask from public;
grant execute on all functions in schema ask to service_role;
