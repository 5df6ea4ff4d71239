-- Stage entries as a fact kept at write time, so a snapshot computes no stage history: stage_conversion reads it, open deals find their current stage by index, deal_risks reuses the medians (same formulas, same results).
-- Before, a snapshot ran a window over every kept deal version (1.1M on the 1M-lead demo) three
-- times, each with two sorts of all versions: in stage_conversion, again for open_deal_health's
-- medians (stage_conversion) and for its current-stage lookup (stage_entries); ≈ 4 s of CPU
-- per stage_conversion on the demo. Now:
-- * analytics.f_stage_entries holds analytics.stage_entries' rows (one per new Stage value or
--   deletion) with what stage_conversion derives from the whole history: the stage's progress
--   rank, when the deal left it (next entry), the highest progress of any later entry, and the
--   deal's last entry time. relink_deal_versions (run by the version triggers for the deals a
--   statement touched) and refresh_facts rebuild them per deal.
-- * Those derived columns are the history up to as_of whenever the deal has no entry after
--   as_of (its last entry is before the end of as_of): always so for as_of = today. Deals with
--   later entries (a past as_of) get the window over their entries up to as_of, as before.
-- * open_deal_health(as_of, stage_medians) takes the medians stage_conversion produced (JSON
--   {stage: median days}); deal_risks(as_of, stage_medians) passes them on; kpis_json runs
--   stage_conversion once. The one-argument functions keep their results; every `comment on`
--   (formula and variant) of 20261126120300 still applies.
-- Progress ranks come from analytics.stage_settings, whose changes already empty f_ready (a
-- full rebuild on the next snapshot), as for f_deals.probability.

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

-- The stage entry facts of the given deals from analytics.f_deal_versions.
create function analytics.stage_entry_facts(p_deal_ids text[])
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

-- As 20261126130100, then the stage entry facts of the same deals.
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

-- As 20261126130100, plus analytics.f_stage_entries.
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
      round(extract(epoch from x.left_at - x.entered_at) / 86400, 2) as days,
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

create function analytics.open_deal_health(p_as_of date, p_stage_medians jsonb)
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
    round(extract(epoch from t.t1 - coalesce(c.entered_at, d.created_at)) / 86400, 2),
    m.median_days_in_stage,
    extract(epoch from t.t1 - coalesce(c.entered_at, d.created_at)) / 86400
      > m.median_days_in_stage,
    greatest(d.modified_at, tc.last_at),
    round(extract(epoch from t.t1 - greatest(d.modified_at, tc.last_at, d.created_at)) / 86400, 2),
    s.stale_days,
    extract(epoch from t.t1 - greatest(d.modified_at, tc.last_at, d.created_at)) / 86400
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
    and (d.deleted_at is null or d.deleted_at >= t.t1)
$$;
comment on function analytics.open_deal_health(date, jsonb) is
  'analytics.open_deal_health(as_of) with the stage medians given as {stage: median days} (the '
  'median_days_in_stage of analytics.stage_conversion(as_of, ''t12m''), computed once per snapshot)';

create or replace function analytics.open_deal_health(p_as_of date)
returns table (deal_id text, owner_id text, stage text, amount numeric, closing_date date,
  stage_entered_at timestamptz, days_in_stage numeric, stage_median_days numeric,
  past_median boolean, last_change_at timestamptz, days_since_change numeric,
  stale_after_days integer, is_stale boolean, is_slipped boolean, close_date_pushes bigint)
language sql stable
as $$
  select * from analytics.open_deal_health(p_as_of, (
    select jsonb_object_agg(c.stage, c.median_days_in_stage)
    from analytics.stage_conversion(p_as_of, 't12m') c))
$$;

create function analytics.deal_risks(p_as_of date, p_stage_medians jsonb)
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

-- Every KPI as of p_as_of (body as 20261126120400 except stage_conversion runs once).
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

alter table analytics.f_stage_entries enable row level security;
revoke all on analytics.f_stage_entries from anon, authenticated;
grant select on analytics.f_stage_entries to service_role;
revoke all on function analytics.relink_deal_versions(text[]) from public;
grant execute on function analytics.open_deal_health(date, jsonb) to service_role;
grant execute on function analytics.deal_risks(date, jsonb) to service_role;

-- Databases whose facts are already built get the new fact now (else the next snapshot would
-- read it empty while f_ready says the facts are current).
insert into analytics.f_stage_entries
select * from analytics.stage_entry_facts(array(select distinct v.deal_id
  from analytics.f_deal_versions v))
where exists (select from analytics.f_ready);
analyze analytics.f_stage_entries;
