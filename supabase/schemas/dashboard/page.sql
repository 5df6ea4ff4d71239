-- The dashboard's one query: dashboard.page(period, source) returns every panel's rows as JSON, read from the newest built snapshot and its rollups (all arithmetic here, none in the page).
-- Period: mtd | qtd | ytd | t12m (analytics.periods of the snapshot's as_of); time series are cut
-- by day (mtd), ISO week (qtd, ytd) or month (t12m). Source: a Lead_Source ('(none)' for none) or
-- null for all; panels whose KPI has no source breakdown show all sources and say so
-- (by_source = false). One function per panel, dashboard.panel_<id>(snapshot, the page's `filter`
-- object), returns that panel's fields: a panel's SQL changes in its function alone.

-- Rows of a KPI array in the snapshot, restricted to one dimension (and key when given).
create function dashboard.kpi_rows(rows jsonb, p_dimension text, p_key text default null)
returns setof jsonb
language sql immutable
as $$
  select x from jsonb_array_elements(coalesce(rows, '[]')) x
  where x ->> 'dimension' = p_dimension and (p_key is null or x ->> 'key' = p_key)
$$;

-- As a JSON array (empty when there are none), keeping the order of the query.
create function dashboard.arr(rows jsonb[]) returns jsonb
language sql immutable
as $$ select coalesce(to_jsonb(rows), '[]'::jsonb) $$;

-- The KPI dimension of a filter: 'source' with a source, else 'all'.
create function dashboard.dim(f jsonb) returns text language sql immutable
as $$ select case when f ->> 'source' is null then 'all' else 'source' end $$;

create function dashboard.panel_tiles(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('tiles', dashboard.arr(array(
  select jsonb_build_object('period', r ->> 'period', 'revenue', r -> 'revenue',
    'prev_revenue', r -> 'prev_revenue', 'revenue_growth_pct', r -> 'growth_pct',
    'target', r -> 'target', 'attainment_pct', r -> 'attainment_pct',
    'leads', l -> 'leads', 'prev_leads', l -> 'prev_leads', 'leads_growth_pct',
    l -> 'growth_pct')
  from jsonb_array_elements(s.kpis -> 'revenue') r
  left join lateral dashboard.kpi_rows(s.kpis -> 'leads_created' -> (r ->> 'period'),
    dashboard.dim(f), f ->> 'source') l on true
  where r ->> 'period' in ('mtd', 'qtd', 'ytd')
  order by array_position(array['mtd', 'qtd', 'ytd'], r ->> 'period')))) $$;

create function dashboard.panel_revenue_by_month(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('revenue_by_month', dashboard.arr(array(
  select jsonb_build_object('month', r ->> 'month', 'revenue', r -> 'revenue',
    'won_deals', r -> 'won_deals',
    'target', case when f ->> 'source' is null then (
      select round(t.amount / 3, 2) from analytics.revenue_targets t
      where t.owner_id is null
        and t.quarter_start = date_trunc('quarter', (r ->> 'month')::date)::date) end)
  from dashboard.kpi_rows(s.kpis -> 'revenue_by_month', dashboard.dim(f), f ->> 'source') r
  where (r ->> 'month')::date >= date_trunc('month', (f ->> 'start')::timestamp)::date
  order by r ->> 'month'))) $$;

create function dashboard.panel_leads_by_source(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('leads_over_time', dashboard.arr(array(
  select jsonb_build_object('bucket', g.bucket, 'lead_source', g.lead_source, 'leads', g.leads)
  from (
    select date_trunc(f ->> 'grain', d.day::timestamp)::date as bucket, d.lead_source,
      sum(d.leads) as leads
    from dashboard.daily d
    where d.snapshot_id = s.id and d.day >= (f ->> 'start')::date
      and (f ->> 'source' is null or d.lead_source = f ->> 'source')
    group by 1, 2
    having sum(d.leads) > 0
  ) g
  order by g.bucket, g.lead_source))) $$;

create function dashboard.panel_funnel(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('funnel', dashboard.arr(array(
  select jsonb_build_object('lead_source', g.src, 'leads', g.leads,
    'with_deal', g.with_deal, 'won', g.won,
    'lead_to_deal_pct', analytics.pct(g.with_deal, g.leads),
    'lead_to_won_pct', analytics.pct(g.won, g.leads))
  from (
    select r ->> 'key' as src, sum((r ->> 'leads')::int) as leads,
      sum((r ->> 'with_deal')::int) as with_deal, sum((r ->> 'won')::int) as won
    from dashboard.kpi_rows(s.kpis -> 'cohort_conversion', 'source', f ->> 'source') r
    where (r ->> 'cohort_month')::date >= date_trunc('month', (f ->> 'start')::timestamp)::date
    group by 1
  ) g
  order by g.leads desc, g.src))) $$;

create function dashboard.panel_cohorts(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('cohorts', dashboard.arr(array(
  select r from dashboard.kpi_rows(s.kpis -> 'cohort_conversion', dashboard.dim(f),
    f ->> 'source') r
  order by r ->> 'cohort_month'))) $$;

create function dashboard.panel_win_rate(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object(
  'win_rate', (select x from dashboard.kpi_rows(s.kpis -> 'win_rate' -> (f ->> 'period'),
    dashboard.dim(f), f ->> 'source') x),
  'win_rate_over_time', dashboard.arr(array(
    select jsonb_build_object('bucket', g.bucket, 'won', g.won, 'lost', g.lost,
      'won_amount', g.won_amount, 'lost_amount', g.lost_amount,
      'win_rate_count_pct', analytics.pct(g.won, g.won + g.lost),
      'win_rate_value_pct', analytics.pct(g.won_amount, g.won_amount + g.lost_amount))
    from (
      select date_trunc(f ->> 'grain', d.day::timestamp)::date as bucket, sum(d.won) as won,
        sum(d.lost) as lost, sum(d.won_amount) as won_amount, sum(d.lost_amount) as lost_amount
      from dashboard.daily d
      where d.snapshot_id = s.id and d.day >= (f ->> 'start')::date
        and (f ->> 'source' is null or d.lead_source = f ->> 'source')
      group by 1
    ) g
    order by g.bucket))) $$;

create function dashboard.panel_velocity(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('velocity', dashboard.arr(array(
  select r from jsonb_array_elements(s.kpis -> 'sales_velocity') r
  where r ->> 'dimension' = 'all' or (r ->> 'dimension' = 'source'
    and (f ->> 'source' is null or r ->> 'key' = f ->> 'source'))
  order by r ->> 'dimension', (r ->> 'velocity_per_day')::numeric desc nulls last))) $$;

create function dashboard.panel_forecast(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$ select jsonb_build_object('forecast', s.kpis -> 'forecast') $$;

create function dashboard.panel_pipeline_by_stage(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('pipeline_by_stage', dashboard.arr(array(
  select r from dashboard.kpi_rows(s.kpis -> 'pipeline', 'stage') r
  order by (r ->> 'stage_position')::int))) $$;

create function dashboard.panel_pipeline_by_month(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('pipeline_by_month', dashboard.arr(array(
  select r from dashboard.kpi_rows(s.kpis -> 'pipeline', 'closing_month') r
  order by r ->> 'key'))) $$;
create function dashboard.panel_coverage(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$ select jsonb_build_object('coverage', s.kpis -> 'pipeline_coverage') $$;
create function dashboard.panel_stage_conversion(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('stage_conversion', s.kpis -> 'stage_conversion') $$;

create function dashboard.panel_risky_deals(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('deal_risks', s.kpis -> 'deal_risks',
  'risky_deals', dashboard.arr(array(
    select to_jsonb(r) - 'snapshot_id' from dashboard.risky_deals r
    where r.snapshot_id = s.id and (f ->> 'source' is null or r.lead_source = f ->> 'source')
    order by r.amount desc nulls last, r.deal_id limit 25))) $$;

-- The snapshot has the month's and the quarter's waterfall; bars float from base to
-- base + height (start and end from zero).
create function dashboard.panel_waterfall(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('waterfall', jsonb_build_object('period', x.wf, 'steps',
  dashboard.arr(array(
    select jsonb_build_object('step', w.step, 'deals', w.deals, 'amount', w.amount,
      'base', case when w.step in ('start', 'end') then 0 else least(w.cum - w.delta, w.cum) end,
      'height', case when w.step in ('start', 'end') then w.amount else abs(w.delta) end,
      'direction', case when w.step in ('start', 'end') then 'total'
        when w.delta < 0 then 'down' else 'up' end)
    from (
      select y.*, sum(y.delta) over (order by y.ord) as cum
      from (
        select r ->> 'step' as step, (r ->> 'ord')::int as ord, (r ->> 'deals')::bigint as deals,
          (r ->> 'amount')::numeric as amount,
          case when r ->> 'step' = 'end' then 0
            when r ->> 'step' in ('won', 'lost', 'moved_out', 'removed')
              then -(r ->> 'amount')::numeric
            else (r ->> 'amount')::numeric end as delta
        from jsonb_array_elements(s.kpis -> 'pipeline_waterfall' -> x.wf) r
      ) y
    ) w
    order by w.ord))))
from (select case when f ->> 'period' = 'mtd' then 'mtd' else 'qtd' end as wf) x $$;

create function dashboard.panel_lead_response(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('response', jsonb_build_object('leads', coalesce(sum(d.leads), 0),
  'le_1h', coalesce(sum(d.response_1h), 0), 'le_4h', coalesce(sum(d.response_4h), 0),
  'le_24h', coalesce(sum(d.response_24h), 0), 'le_72h', coalesce(sum(d.response_72h), 0),
  'le_168h', coalesce(sum(d.response_168h), 0),
  'later', coalesce(sum(d.response_later), 0), 'untouched', coalesce(sum(d.untouched), 0)))
from dashboard.daily d
where d.snapshot_id = s.id and d.day >= (f ->> 'start')::date
  and (f ->> 'source' is null or d.lead_source = f ->> 'source') $$;

create function dashboard.panel_owners(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('owners', dashboard.arr(array(
  select jsonb_build_object('owner_id', o.owner_id, 'owner_name', o.owner_name,
    'leads', o.leads, 'won', o.won, 'lost', o.lost, 'won_amount', o.won_amount,
    'win_rate_count_pct', analytics.pct(o.won, o.won + o.lost),
    'open_pipeline', coalesce((p ->> 'amount')::numeric, 0))
  from (
    select d.owner_id, max(d.owner_name) as owner_name, sum(d.leads) as leads,
      sum(d.won) as won, sum(d.lost) as lost, sum(d.won_amount) as won_amount
    from dashboard.daily d
    where d.snapshot_id = s.id and d.day >= (f ->> 'start')::date
      and (f ->> 'source' is null or d.lead_source = f ->> 'source')
    group by d.owner_id
  ) o
  left join dashboard.kpi_rows(s.kpis -> 'pipeline', 'owner') p on p ->> 'key' = o.owner_id
  order by o.won_amount desc, o.won desc, o.owner_name))) $$;
create function dashboard.panel_campaign_roi(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$ select jsonb_build_object('source_roi', s.kpis -> 'source_roi') $$;
create function dashboard.panel_data_quality(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$ select jsonb_build_object('data_quality', s.kpis -> 'data_quality') $$;

create function dashboard.panel_anomalies(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('anomalies', dashboard.arr(array(
  select r from jsonb_array_elements(s.kpis -> 'anomalies') r
  where f ->> 'source' is null or r ->> 'lead_source' = f ->> 'source'
  order by (r ->> 'is_anomaly')::boolean desc, abs((r ->> 'robust_z')::numeric) desc nulls last)))
$$;

-- The latest brief, its final (accepted) check verdicts and the payload facts it cites.
create function dashboard.panel_brief(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('brief', (
  select jsonb_build_object('id', br.id, 'as_of', bs.as_of, 'model', br.model,
    'created_at', br.created_at, 'fallback_reason', br.fallback_reason, 'content', br.content,
    'checked', coalesce((br.checks -> -1 ->> 'ok')::boolean, false),
    'claims', coalesce(br.checks -> -1 -> 'claims', '[]'),
    'facts', dashboard.arr(array(
      select x from jsonb_array_elements(bp.payload -> 'facts') x
      where x ->> 'id' in (
        select c #>> '{}' from jsonb_path_query(br.content, 'lax $.**.facts[*]') c)
      order by x ->> 'id')))
  from brief.briefs br
  left join brief.payloads bp on bp.snapshot_id = br.snapshot_id
  left join analytics.snapshots bs on bs.id = br.snapshot_id
  order by br.created_at desc
  limit 1)) $$;

create function dashboard.panel_sync_health(s analytics.snapshots, f jsonb) returns jsonb
language sql stable as $$
select jsonb_build_object('sync_runs', dashboard.arr(array(
  select jsonb_build_object('run_id', r.run_id, 'mode', r.mode, 'status', r.status,
    'started_at', r.started_at, 'updated_at', r.updated_at, 'slices', r.slices,
    'credits_used', r.credits_used, 'fetched', l.fetched, 'changed', l.changed,
    'api_calls', l.api_calls, 'errors', l.errors)
  from (select * from zoho.sync_runs order by started_at desc limit 8) r
  left join lateral (
    select coalesce(sum(g.fetched), 0) as fetched,
      coalesce(sum(g.inserted + g.updated + g.deleted + g.restored), 0) as changed,
      coalesce(sum(g.api_calls), 0) as api_calls,
      coalesce(sum(jsonb_array_length(g.errors)), 0) as errors
    from zoho.sync_logs g where g.run_id = r.run_id
  ) l on true
  order by r.started_at desc))) $$;

-- The page: the snapshot, the filter and the sources, then every panel's fields, in page order.
create function dashboard.page(p_period text default 'qtd', p_source text default null)
returns jsonb
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  s analytics.snapshots;
  f jsonb;
begin
  if p_period is null or p_period not in ('mtd', 'qtd', 'ytd', 't12m') then
    raise exception 'dashboard.page: period must be mtd, qtd, ytd or t12m, got %', p_period
      using errcode = '22023';
  end if;
  select * into s from analytics.snapshots
  where id = (select snapshot_id from dashboard.builds order by created_at desc limit 1);
  if s.id is null then return null; end if;
  select jsonb_build_object('period', p_period, 'start', p.start_day, 'end', s.as_of,
      'grain', case p_period when 'mtd' then 'day' when 't12m' then 'month' else 'week' end,
      'source', p_source)
    into f from analytics.periods(s.as_of) p where p.period = p_period;
  return jsonb_build_object(
    'snapshot', jsonb_build_object('id', s.id, 'as_of', s.as_of, 'created_at', s.created_at,
      'time_zone', s.time_zone, 'currency', s.brief ->> 'currency', 'run_id', s.run_id),
    'filter', f,
    'sources', dashboard.arr(array(
      select to_jsonb(d.lead_source) from dashboard.daily d where d.snapshot_id = s.id
      group by d.lead_source order by d.lead_source)))
    || dashboard.panel_brief(s, f) || dashboard.panel_tiles(s, f)
    || dashboard.panel_revenue_by_month(s, f) || dashboard.panel_leads_by_source(s, f)
    || dashboard.panel_funnel(s, f) || dashboard.panel_cohorts(s, f)
    || dashboard.panel_win_rate(s, f) || dashboard.panel_velocity(s, f)
    || dashboard.panel_forecast(s, f) || dashboard.panel_pipeline_by_stage(s, f)
    || dashboard.panel_pipeline_by_month(s, f) || dashboard.panel_coverage(s, f)
    || dashboard.panel_stage_conversion(s, f) || dashboard.panel_risky_deals(s, f)
    || dashboard.panel_waterfall(s, f) || dashboard.panel_lead_response(s, f)
    || dashboard.panel_owners(s, f) || dashboard.panel_campaign_roi(s, f)
    || dashboard.panel_data_quality(s, f) || dashboard.panel_anomalies(s, f)
    || dashboard.panel_sync_health(s, f);
end
$$;
comment on function dashboard.page(text, text) is
  'Every dashboard panel''s rows for the newest built snapshot, for a period (mtd|qtd|ytd|t12m) '
  'and an optional lead source; reads analytics.snapshots, dashboard.* and the sync audit only';

revoke all on function dashboard.page(text, text) from public;
grant execute on function dashboard.page(text, text) to service_role;
