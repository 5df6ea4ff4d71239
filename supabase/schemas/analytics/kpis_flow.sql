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
  select s.deal_id, s.version, s.stage, s.entered_at, lead(s.entered_at) over w,
    lead(s.stage) over w
  from analytics.f_stage_entries s
  where s.entered_at < (select analytics.day_end(p_as_of))
  window w as (partition by s.deal_id order by s.seq)
$$;
comment on function analytics.stage_entries(date) is
  'Stage entries up to p_as_of: Zoho''s Stage_History merged with the versions we own '
  '(analytics.f_stage_entries; version null = known from Stage_History only, stage null = '
  'deleted marker)';

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
      window w as (partition by s.deal_id order by s.seq)
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
  'only; from Zoho''s Stage_History (stays before our first sync) merged with the versions we '
  'own (analytics.f_stage_entries)';

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
  -- deal's current stage (as the distinct-on over analytics.stage_entries did). Entries merge
  -- Zoho's Stage_History, so a stage entered before our first sync is aged from its entry.
  left join lateral (
    select s.stage, s.entered_at
    from analytics.f_stage_entries s
    where s.deal_id = d.id and s.entered_at < t.t1
    order by s.seq desc
    limit 1
  ) c on c.stage = d.stage
  left join med m on m.stage = d.stage
  left join analytics.stage_settings s on s.stage = d.stage
  left join analytics.f_touches tc on tc.parent_module = 'Deals' and tc.parent_id = d.id
    and tc.last_at < t.t1
  -- Closing_Date pushes on one timeline: the Stage_History rows (the Closing_Date of each stay,
  -- from before our first sync too) and every version we own, in time order (history rows first
  -- at equal times); a push = a later Closing_Date than the point before.
  cross join lateral (
    select count(*) filter (where c.at < t.t1 and not c.gone and c.closing_date > c.before) as n
    from (
      select p.at, p.gone, p.closing_date,
        lag(p.closing_date) over (order by p.at, p.ord) as before
      from (
        select h.entered_at as at, 0 as ord, false as gone, h.closing_date
        from analytics.f_stage_history h where h.deal_id = d.id
        union all
        select v.valid_from, v.version, v.change = 'delete', v.closing_date
        from analytics.f_deal_versions v where v.deal_id = d.id
      ) p
    ) c
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
  'Per open deal: days in current stage (since its last entry in Stage_History merged with the '
  'versions we own, else creation) vs the stage''s t12m median (past_median); stale = no change '
  '(Modified_Time or a call/task/event on the deal) for more than the stage''s stale_days; '
  'slipped = Closing_Date before p_as_of while open; close_date_pushes = Stage_History rows and '
  'versions that moved Closing_Date later';

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
  baseline_mad numeric, robust_z numeric, is_anomaly boolean, records integer,
  prev_records integer, scale numeric, expected_low numeric, expected_high numeric, label text)
language sql stable
as $$
  with cfg as (
    select s.anomaly_weeks as n, s.anomaly_threshold as k, s.anomaly_min_count as min_count,
      s.anomaly_min_deals as min_deals, (select analytics.day_end(p_as_of)) as t1
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
  -- One unit of each metric: a lead, or the median won deal of the window (all sources).
  unit as (
    select 'leads' as metric, 1::numeric as u
    union all
    select 'won_revenue', coalesce(percentile_cont(0.5) within group (order by o.v)::numeric, 1)
    from obs o where o.metric = 'won_revenue' and o.v > 0
  ),
  grid as (
    select m.metric, m.src, wk.w, wk.ws, coalesce(sum(o.v), 0) as v, count(o.v)::int as cnt
    from (select distinct metric, src from obs) m
    cross join weeks wk
    left join obs o on o.metric = m.metric and o.src = m.src and o.w = wk.w
    group by m.metric, m.src, wk.w, wk.ws
  ),
  ch as (
    select g.*, lead(g.v) over (partition by g.metric, g.src order by g.w) as prev,
      lead(g.cnt) over (partition by g.metric, g.src order by g.w) as prev_cnt,
      g.v - lead(g.v) over (partition by g.metric, g.src order by g.w) as change
    from grid g
  ),
  base as (
    select c.metric, c.src,
      (percentile_disc(0.5) within group (order by c.change)
        + percentile_disc(0.5) within group (order by c.change desc)) / 2 as med,
      avg(c.v) as level
    from ch c where c.w between 1 and (select n from cfg)
    group by c.metric, c.src
  ),
  mad as (
    select c.metric, c.src, b.med,
      (percentile_disc(0.5) within group (order by abs(c.change - b.med))
        + percentile_disc(0.5) within group (order by abs(c.change - b.med) desc)) / 2 as mad,
      -- The scale has a floor: a tenth of the source's usual weekly level, and one unit. A
      -- source whose earlier weeks never moved (MAD 0) made a z of ~1,500 from one deal.
      greatest(1.4826 * (percentile_disc(0.5) within group (order by abs(c.change - b.med))
        + percentile_disc(0.5) within group (order by abs(c.change - b.med) desc)) / 2,
        0.1 * b.level, u.u) as scale
    from ch c join base b on b.metric = c.metric and b.src = c.src
    join unit u on u.metric = c.metric
    where c.w between 1 and (select n from cfg)
    group by c.metric, c.src, b.med, b.level, u.u
  )
  select c.metric, c.src, c.ws, c.v, c.prev, c.change, analytics.pct(c.change, c.prev),
    m.med, m.mad,
    -- Capped at ±10: past that the size of z says nothing more than "far outside the range".
    greatest(-10, least(10, round((c.change - m.med) / m.scale, 2))),
    abs(c.change - m.med) / m.scale > cfg.k
      and greatest(c.cnt, c.prev_cnt) >= case c.metric when 'leads' then cfg.min_count
        else cfg.min_deals end,
    c.cnt, c.prev_cnt, round(m.scale, 2),
    greatest(0, round(c.prev + m.med - cfg.k * m.scale, 2)),
    round(c.prev + m.med + cfg.k * m.scale, 2),
    c.src || ' · ' || case c.metric when 'leads' then 'leads created' else 'won revenue' end
  from ch c
  join mad m on m.metric = c.metric and m.src = c.src
  cross join cfg
  where c.w = 0
  order by 1, 2
$$;
comment on function analytics.source_anomalies(date) is
  'Week-over-week anomalies by source (rolling 7-day weeks ending p_as_of) for leads created and '
  'Closed Won revenue: change = this week − last week; robust z = (change − median) ÷ scale, '
  'scale = max(1.4826 × MAD, 10% of the mean weekly value, one unit: a lead or the median won '
  'deal) over the previous settings.anomaly_weeks changes, capped at ±10; anomaly when |z| > '
  'anomaly_threshold and either week has anomaly_min_count leads (anomaly_min_deals won deals); '
  'expected range = previous week + median change ± threshold × scale';
