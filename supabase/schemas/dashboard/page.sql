-- The dashboard's one query: dashboard.page(period, source) returns every panel's rows as JSON, read from the newest built snapshot and its rollups (all arithmetic here, none in the page).
-- Period: mtd | qtd | ytd | t12m (analytics.periods of the snapshot's as_of); time series are cut
-- by day (mtd), ISO week (qtd, ytd) or month (t12m). Source: a Lead_Source ('(none)' for none) or
-- null for all; panels whose KPI has no source breakdown show all sources and say so
-- (by_source = false).

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

create function dashboard.page(p_period text default 'qtd', p_source text default null)
returns jsonb
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  b dashboard.builds;
  s analytics.snapshots;
  k jsonb;
  per record;
  grain text;
  dim text := case when p_source is null then 'all' else 'source' end;
  wf text := case when p_period = 'mtd' then 'mtd' else 'qtd' end;
  out jsonb;
begin
  if p_period is null or p_period not in ('mtd', 'qtd', 'ytd', 't12m') then
    raise exception 'dashboard.page: period must be mtd, qtd, ytd or t12m, got %', p_period
      using errcode = '22023';
  end if;
  select * into b from dashboard.builds order by created_at desc limit 1;
  if b.snapshot_id is null then return null; end if;
  select * into s from analytics.snapshots where id = b.snapshot_id;
  k := s.kpis;
  select * into per from analytics.periods(s.as_of) p where p.period = p_period;
  grain := case p_period when 'mtd' then 'day' when 't12m' then 'month' else 'week' end;

  out := jsonb_build_object(
    'snapshot', jsonb_build_object('id', s.id, 'as_of', s.as_of, 'created_at', s.created_at,
      'time_zone', s.time_zone, 'currency', s.brief ->> 'currency', 'run_id', s.run_id),
    'filter', jsonb_build_object('period', p_period, 'start', per.start_day,
      'end', s.as_of, 'grain', grain, 'source', p_source),
    'sources', dashboard.arr(array(
      select to_jsonb(d.lead_source) from dashboard.daily d where d.snapshot_id = s.id
      group by d.lead_source order by d.lead_source)),
    'tiles', dashboard.arr(array(
      select jsonb_build_object('period', r ->> 'period', 'revenue', r -> 'revenue',
        'prev_revenue', r -> 'prev_revenue', 'revenue_growth_pct', r -> 'growth_pct',
        'target', r -> 'target', 'attainment_pct', r -> 'attainment_pct',
        'leads', l -> 'leads', 'prev_leads', l -> 'prev_leads', 'leads_growth_pct',
        l -> 'growth_pct')
      from jsonb_array_elements(k -> 'revenue') r
      left join lateral dashboard.kpi_rows(k -> 'leads_created' -> (r ->> 'period'), dim,
        p_source) l on true
      where r ->> 'period' in ('mtd', 'qtd', 'ytd')
      order by array_position(array['mtd', 'qtd', 'ytd'], r ->> 'period'))),
    'win_rate', (select x from dashboard.kpi_rows(k -> 'win_rate' -> p_period, dim, p_source) x),
    'revenue_by_month', dashboard.arr(array(
      select jsonb_build_object('month', r ->> 'month', 'revenue', r -> 'revenue',
        'won_deals', r -> 'won_deals',
        'target', case when p_source is null then (
          select round(t.amount / 3, 2) from analytics.revenue_targets t
          where t.owner_id is null
            and t.quarter_start = date_trunc('quarter', (r ->> 'month')::date)::date) end)
      from dashboard.kpi_rows(k -> 'revenue_by_month', dim, p_source) r
      where (r ->> 'month')::date >= date_trunc('month', per.start_day::timestamp)::date
      order by r ->> 'month')),
    'leads_over_time', dashboard.arr(array(
      select jsonb_build_object('bucket', g.bucket, 'lead_source', g.lead_source,
        'leads', g.leads)
      from (
        select date_trunc(grain, d.day::timestamp)::date as bucket, d.lead_source,
          sum(d.leads) as leads
        from dashboard.daily d
        where d.snapshot_id = s.id and d.day >= per.start_day
          and (p_source is null or d.lead_source = p_source)
        group by 1, 2
        having sum(d.leads) > 0
      ) g
      order by g.bucket, g.lead_source)),
    'win_rate_over_time', dashboard.arr(array(
      select jsonb_build_object('bucket', g.bucket, 'won', g.won, 'lost', g.lost,
        'won_amount', g.won_amount, 'lost_amount', g.lost_amount,
        'win_rate_count_pct', analytics.pct(g.won, g.won + g.lost),
        'win_rate_value_pct', analytics.pct(g.won_amount, g.won_amount + g.lost_amount))
      from (
        select date_trunc(grain, d.day::timestamp)::date as bucket, sum(d.won) as won,
          sum(d.lost) as lost, sum(d.won_amount) as won_amount, sum(d.lost_amount) as lost_amount
        from dashboard.daily d
        where d.snapshot_id = s.id and d.day >= per.start_day
          and (p_source is null or d.lead_source = p_source)
        group by 1
      ) g
      order by g.bucket)),
    'funnel', dashboard.arr(array(
      select jsonb_build_object('lead_source', g.src, 'leads', g.leads,
        'with_deal', g.with_deal, 'won', g.won,
        'lead_to_deal_pct', analytics.pct(g.with_deal, g.leads),
        'lead_to_won_pct', analytics.pct(g.won, g.leads))
      from (
        select r ->> 'key' as src, sum((r ->> 'leads')::int) as leads,
          sum((r ->> 'with_deal')::int) as with_deal, sum((r ->> 'won')::int) as won
        from dashboard.kpi_rows(k -> 'cohort_conversion', 'source', p_source) r
        where (r ->> 'cohort_month')::date >= date_trunc('month', per.start_day::timestamp)::date
        group by 1
      ) g
      order by g.leads desc, g.src)),
    'cohorts', dashboard.arr(array(
      select r from dashboard.kpi_rows(k -> 'cohort_conversion', dim, p_source) r
      order by r ->> 'cohort_month')),
    'velocity', dashboard.arr(array(
      select r from jsonb_array_elements(k -> 'sales_velocity') r
      where r ->> 'dimension' = 'all' or (r ->> 'dimension' = 'source'
        and (p_source is null or r ->> 'key' = p_source))
      order by r ->> 'dimension', (r ->> 'velocity_per_day')::numeric desc nulls last)),
    'pipeline_by_stage', dashboard.arr(array(
      select r from dashboard.kpi_rows(k -> 'pipeline', 'stage') r
      order by (r ->> 'stage_position')::int)),
    'pipeline_by_month', dashboard.arr(array(
      select r from dashboard.kpi_rows(k -> 'pipeline', 'closing_month') r order by r ->> 'key')),
    'coverage', k -> 'pipeline_coverage',
    'forecast', k -> 'forecast',
    'stage_conversion', k -> 'stage_conversion',
    'deal_risks', k -> 'deal_risks',
    'risky_deals', dashboard.arr(array(
      select to_jsonb(r) - 'snapshot_id' from dashboard.risky_deals r
      where r.snapshot_id = s.id and (p_source is null or r.lead_source = p_source)
      order by r.amount desc nulls last, r.deal_id limit 25)),
    -- The snapshot has the month's and the quarter's waterfall; bars float from base to
    -- base + height (start and end from zero).
    'waterfall', jsonb_build_object('period', wf, 'steps', dashboard.arr(array(
      select jsonb_build_object('step', w.step, 'deals', w.deals, 'amount', w.amount,
        'base', case when w.step in ('start', 'end') then 0 else least(w.cum - w.delta, w.cum) end,
        'height', case when w.step in ('start', 'end') then w.amount else abs(w.delta) end,
        'direction', case when w.step in ('start', 'end') then 'total'
          when w.delta < 0 then 'down' else 'up' end)
      from (
        select x.*, sum(x.delta) over (order by x.ord) as cum
        from (
          select r ->> 'step' as step, (r ->> 'ord')::int as ord, (r ->> 'deals')::bigint as deals,
            (r ->> 'amount')::numeric as amount,
            case when r ->> 'step' = 'end' then 0
              when r ->> 'step' in ('won', 'lost', 'moved_out', 'removed')
                then -(r ->> 'amount')::numeric
              else (r ->> 'amount')::numeric end as delta
          from jsonb_array_elements(k -> 'pipeline_waterfall' -> wf) r
        ) x
      ) w
      order by w.ord))),
    'response', (
      select jsonb_build_object('leads', coalesce(sum(d.leads), 0),
        'le_1h', coalesce(sum(d.response_1h), 0), 'le_4h', coalesce(sum(d.response_4h), 0),
        'le_24h', coalesce(sum(d.response_24h), 0), 'le_72h', coalesce(sum(d.response_72h), 0),
        'le_168h', coalesce(sum(d.response_168h), 0),
        'later', coalesce(sum(d.response_later), 0), 'untouched', coalesce(sum(d.untouched), 0))
      from dashboard.daily d
      where d.snapshot_id = s.id and d.day >= per.start_day
        and (p_source is null or d.lead_source = p_source)),
    'owners', dashboard.arr(array(
      select jsonb_build_object('owner_id', o.owner_id, 'owner_name', o.owner_name,
        'leads', o.leads, 'won', o.won, 'lost', o.lost, 'won_amount', o.won_amount,
        'win_rate_count_pct', analytics.pct(o.won, o.won + o.lost),
        'open_pipeline', coalesce((p ->> 'amount')::numeric, 0))
      from (
        select d.owner_id, max(d.owner_name) as owner_name, sum(d.leads) as leads,
          sum(d.won) as won, sum(d.lost) as lost, sum(d.won_amount) as won_amount
        from dashboard.daily d
        where d.snapshot_id = s.id and d.day >= per.start_day
          and (p_source is null or d.lead_source = p_source)
        group by d.owner_id
      ) o
      left join dashboard.kpi_rows(k -> 'pipeline', 'owner') p on p ->> 'key' = o.owner_id
      order by o.won_amount desc, o.won desc, o.owner_name)),
    'source_roi', k -> 'source_roi',
    'data_quality', k -> 'data_quality',
    'anomalies', dashboard.arr(array(
      select r from jsonb_array_elements(k -> 'anomalies') r
      where p_source is null or r ->> 'lead_source' = p_source
      order by (r ->> 'is_anomaly')::boolean desc, abs((r ->> 'robust_z')::numeric) desc nulls last)),
    -- The latest brief, its final (accepted) check verdicts and the payload facts it cites.
    'brief', (
      select jsonb_build_object('id', br.id, 'as_of', bs.as_of, 'model', br.model,
        'created_at', br.created_at, 'fallback_reason', br.fallback_reason, 'content', br.content,
        'checked', coalesce((br.checks -> -1 ->> 'ok')::boolean, false),
        'claims', coalesce(br.checks -> -1 -> 'claims', '[]'),
        'facts', dashboard.arr(array(
          select f from jsonb_array_elements(bp.payload -> 'facts') f
          where f ->> 'id' in (
            select x #>> '{}' from jsonb_path_query(br.content, 'lax $.**.facts[*]') x)
          order by f ->> 'id')))
      from brief.briefs br
      left join brief.payloads bp on bp.snapshot_id = br.snapshot_id
      left join analytics.snapshots bs on bs.id = br.snapshot_id
      order by br.created_at desc
      limit 1),
    'sync_runs', dashboard.arr(array(
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
      order by r.started_at desc))
  );
  return out;
end
$$;
comment on function dashboard.page(text, text) is
  'Every dashboard panel''s rows for the newest built snapshot, for a period (mtd|qtd|ytd|t12m) '
  'and an optional lead source; reads analytics.snapshots, dashboard.* and the sync audit only';

revoke all on function dashboard.page(text, text) from public;
grant execute on function dashboard.page(text, text) to service_role;
