-- The KPI snapshot: analytics.compute_snapshot(as_of, run_id) catches the facts up once, runs
-- every KPI, builds the compact brief payload from a fact registry and stores an immutable row.

-- Snapshots: immutable rows written by analytics.compute_snapshot.
create table analytics.snapshots (
  id uuid primary key default gen_random_uuid(),
  run_id uuid,
  as_of date not null,
  period_start date not null,
  period_end date not null,
  time_zone text not null,
  content_hash text not null,
  kpis jsonb not null,
  brief jsonb not null,
  created_at timestamptz not null default now()
);
comment on table analytics.snapshots is
  'Immutable KPI snapshots; content_hash = sha256 of kpis and brief, equal for equal data';
create index snapshots_as_of_idx on analytics.snapshots (as_of, created_at desc);

create or replace function analytics.refuse_change() returns trigger
language plpgsql
as $$
begin
  raise exception '% is immutable', tg_table_schema || '.' || tg_table_name
    using errcode = '42501';
end
$$;
create trigger snapshots_immutable
  before update or delete on analytics.snapshots
  for each row execute function analytics.refuse_change();
alter table analytics.snapshots enable row level security;
revoke all on analytics.snapshots from anon, authenticated;
grant select, insert on analytics.snapshots to service_role;

-- Registry of brief facts: a stable id, its unit, the period it covers and where its value sits
-- in the snapshot's kpis JSON (a jsonpath; the last match is taken), and where its previous
-- value sits when it has one (same elapsed days of the previous period: analytics.periods).
-- Adding a fact = a row here (the weighted pipeline is no brief fact: the forecast, which learns
-- what the stages are worth, says what it said; the dashboard still shows it). A growth on a tiny base is no fact: revenue growth is left out
-- when the previous figure is under a quarter of the current one (+300% and more on the 4th day
-- of a month says nothing); the fact's value and prev still say "$21,705 against $2,848".
create or replace function analytics.brief_fact_defs()
returns table (ord integer, id text, unit text, period text, path jsonpath, prev_path jsonpath)
language sql immutable
as $$
  select f.ord, f.id, f.unit, f.period, f.path::jsonpath, p.prev_path::jsonpath from (values
    (1, 'leads.day', 'count', 'day', '$.leads_created.day[*] ? (@.dimension == "all").leads'),
    (2, 'leads.wtd', 'count', 'wtd', '$.leads_created.wtd[*] ? (@.dimension == "all").leads'),
    (3, 'leads.wtd.growth', 'pct', 'wtd',
      '$.leads_created.wtd[*] ? (@.dimension == "all").growth_pct'),
    (4, 'leads.mtd', 'count', 'mtd', '$.leads_created.mtd[*] ? (@.dimension == "all").leads'),
    (5, 'leads.mtd.growth', 'pct', 'mtd',
      '$.leads_created.mtd[*] ? (@.dimension == "all").growth_pct'),
    (6, 'revenue.mtd', 'currency', 'mtd', '$.revenue[*] ? (@.period == "mtd").revenue'),
    (7, 'revenue.mtd.growth', 'pct', 'mtd',
      '$.revenue[*] ? (@.period == "mtd" && @.prev_revenue * 4 >= @.revenue).growth_pct'),
    (8, 'revenue.qtd', 'currency', 'qtd', '$.revenue[*] ? (@.period == "qtd").revenue'),
    (9, 'revenue.qtd.target', 'currency', 'qtd', '$.revenue[*] ? (@.period == "qtd").target'),
    (10, 'revenue.qtd.attainment', 'pct', 'qtd',
      '$.revenue[*] ? (@.period == "qtd").attainment_pct'),
    (11, 'revenue.ytd', 'currency', 'ytd', '$.revenue[*] ? (@.period == "ytd").revenue'),
    (12, 'win_rate.count', 'pct', 't12m',
      '$.win_rate.t12m[*] ? (@.dimension == "all").win_rate_count_pct'),
    (13, 'win_rate.value', 'pct', 't12m',
      '$.win_rate.t12m[*] ? (@.dimension == "all").win_rate_value_pct'),
    (14, 'win_rate.qtd.count', 'pct', 'qtd',
      '$.win_rate.qtd[*] ? (@.dimension == "all").win_rate_count_pct'),
    (15, 'deal_size.avg', 'currency', 't12m',
      '$.deal_size.t12m[*] ? (@.dimension == "all").avg_amount'),
    (16, 'deal_size.median', 'currency', 't12m',
      '$.deal_size.t12m[*] ? (@.dimension == "all").median_amount'),
    (17, 'sales_cycle.median', 'days', 't12m',
      '$.deal_size.t12m[*] ? (@.dimension == "all").median_cycle_days'),
    (18, 'sales_velocity', 'currency_per_day', 't12m',
      '$.sales_velocity[*] ? (@.dimension == "all").velocity_per_day'),
    (19, 'pipeline.open', 'currency', 'as_of', '$.pipeline[*] ? (@.dimension == "all").amount'),
    (20, 'pipeline.open_deals', 'count', 'as_of',
      '$.pipeline[*] ? (@.dimension == "all").open_deals'),
    (22, 'coverage.quarter', 'ratio', 'quarter', '$.pipeline_coverage.coverage'),
    (23, 'coverage.required', 'ratio', 't12m', '$.pipeline_coverage.required_coverage'),
    (24, 'forecast.gap', 'currency', 'quarter', '$.forecast.gap_p50'),
    (25, 'deals.stale', 'count', 'as_of', '$.deal_risks[*] ? (@.stage == null).stale'),
    (26, 'deals.slipped', 'count', 'as_of', '$.deal_risks[*] ? (@.stage == null).slipped'),
    (27, 'deals.past_stage_median', 'count', 'as_of',
      '$.deal_risks[*] ? (@.stage == null).past_median'),
    (28, 'deals.at_risk_amount', 'currency', 'as_of',
      '$.deal_risks[*] ? (@.stage == null).at_risk_amount'),
    (29, 'response.median', 'hours', 'mtd',
      '$.lead_response.mtd[*] ? (@.dimension == "all").median_hours'),
    (30, 'leads.untouched_recent', 'count', 'as_of',
      '$.data_quality[*] ? (@.check_id == "recent_leads_untouched").count'),
    (31, 'cohort.lead_to_won', 'pct', 'cohort',
      '$.cohort_conversion[*] ? (@.dimension == "all" && @.incomplete == false).lead_to_won_pct'),
    (32, 'conversion_velocity.median', 'days', 'month',
      '$.conversion_velocity[*] ? (@.dimension == "all").median_days'),
    (33, 'conversion_velocity.trend', 'days', 'month',
      '$.conversion_velocity[*] ? (@.dimension == "all").trend_days'),
    (34, 'open_deals.without_amount', 'count', 'as_of',
      '$.data_quality[*] ? (@.check_id == "open_deals_without_amount").count'),
    (35, 'revenue.qtd.growth', 'pct', 'qtd',
      '$.revenue[*] ? (@.period == "qtd" && @.prev_revenue * 4 >= @.revenue).growth_pct'),
    (38, 'forecast.chance', 'pct', 'quarter', '$.forecast.chance_of_target_pct')
  ) as f(ord, id, unit, period, path)
  left join (values
    ('revenue.mtd', '$.revenue[*] ? (@.period == "mtd").prev_revenue'),
    ('revenue.qtd', '$.revenue[*] ? (@.period == "qtd").prev_revenue'),
    ('leads.wtd', '$.leads_created.wtd[*] ? (@.dimension == "all").prev_leads'),
    ('leads.mtd', '$.leads_created.mtd[*] ? (@.dimension == "all").prev_leads')
  ) as p(id, prev_path) on p.id = f.id
$$;
comment on function analytics.brief_fact_defs() is
  'Brief payload registry: stable fact id, unit, period key, jsonpath into the snapshot kpis and '
  'jsonpath of the previous equal period''s value (null: none)';

-- Rows of a KPI as a JSON array in the function's own order.
create or replace function analytics.rows_json(rows jsonb[]) returns jsonb
language sql immutable
as $$ select coalesce(to_jsonb(rows), '[]'::jsonb) $$;

-- Every KPI as of p_as_of in one JSON object; stage_conversion runs once.
-- Planned with p_as_of's value every call: the KPI functions are inlined into these statements,
-- and from a session's sixth call PL/pgSQL's cached generic plan (p_as_of unknown) read 696k
-- buffers at 1M leads against 475k (a snapshot 0.1-0.2 s slower; pooled connections repeat it).
create or replace function analytics.kpis_json(p_as_of date) returns jsonb
language plpgsql stable
set plan_cache_mode = force_custom_plan
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
      select to_jsonb(x) from analytics.source_anomalies(p_as_of) x)),
    'forecast', analytics.forecast(p_as_of)
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
comment on function analytics.kpis_json(date) is
  'Every KPI as of p_as_of as one JSON object (reads analytics.f_*; no refresh)';

-- The brief payload: registry facts plus up to three anomalies (largest |robust z| first).
create or replace function analytics.brief_json(p_as_of date, kpis jsonb) returns jsonb
language sql stable
as $$
  with per as (
    select p.period, p.start_day::text || '..' || p_as_of::text as label
    from analytics.periods(p_as_of) p
    union all select 'as_of', p_as_of::text
    union all select 'quarter', (kpis -> 'pipeline_coverage' ->> 'quarter_start') || '..'
      || ((kpis -> 'pipeline_coverage' ->> 'quarter_end')::date - 1)::text
    union all select 'month', date_trunc('month', p_as_of::timestamp)::date::text || '..'
      || p_as_of::text
    union all select 'cohort', (jsonb_path_query_array(kpis,
      '$.cohort_conversion[*] ? (@.dimension == "all" && @.incomplete == false).cohort_month')
      ->> -1)
  ),
  facts as (
    select d.ord, jsonb_build_object('id', d.id, 'value',
      jsonb_path_query_array(kpis, d.path) -> -1, 'unit', d.unit, 'period', p.label)
      || case when d.prev_path is null then '{}'::jsonb
        else jsonb_strip_nulls(jsonb_build_object('prev',
          jsonb_path_query_array(kpis, d.prev_path) -> -1)) end as fact
    from analytics.brief_fact_defs() d
    left join per p on p.period = d.period
    union all
    -- Pace: the share of the quarter's days gone by the end of p_as_of.
    select 36, jsonb_build_object('id', 'quarter.elapsed',
      'value', round(100.0 * (p_as_of + 1 - q.start_day) / (q.full_end - q.start_day), 1),
      'unit', 'pct', 'period', q.start_day::text || '..' || p_as_of::text)
    from analytics.periods(p_as_of) q where q.period = 'qtd'
    union all
    -- The quarter's forecast: P50 with its 80% range (P10 low, P90 high) in one fact.
    select 37, jsonb_build_object('id', 'forecast.p50', 'value', kpis -> 'forecast' -> 'p50',
      'unit', 'currency', 'period', p.label)
      || jsonb_strip_nulls(jsonb_build_object('low', kpis -> 'forecast' -> 'p10',
        'high', kpis -> 'forecast' -> 'p90'))
    from per p where p.period = 'quarter'
    union all
    select 100 + a.n, jsonb_build_object(
      'id', 'anomaly.' || (a.x ->> 'metric') || '.'
        || regexp_replace(lower(a.x ->> 'lead_source'), '[^a-z0-9]+', '_', 'g'),
      'value', a.x -> 'change_pct', 'unit', 'pct',
      'period', (a.x ->> 'week_start') || '..' || p_as_of::text,
      'from', a.x -> 'prev_value', 'to', a.x -> 'value')
    from (
      select x, row_number() over (order by abs((x ->> 'robust_z')::numeric) desc,
        x ->> 'metric', x ->> 'lead_source') as n
      from jsonb_array_elements(kpis -> 'anomalies') x
      where (x ->> 'is_anomaly')::boolean
    ) a
    where a.n <= 3
  )
  select jsonb_build_object('as_of', p_as_of,
    'currency', (select s.currency from analytics.settings s),
    'facts', coalesce(jsonb_agg(fact order by ord), '[]'::jsonb))
  from facts
$$;
comment on function analytics.brief_json(date, jsonb) is
  'Compact brief payload: facts {id, value, unit, period} from analytics.brief_fact_defs() plus '
  'the three strongest week-over-week source anomalies';

-- The KPI sorts stay in memory: work_mem is raised for this call only (restored when it
-- returns). At the default, stage_conversion (t12m) sorted 386k stage stays through a 30 MB
-- external merge and lead_response (t12m) 393k leads through a 20 MB one on the 1M-lead demo.
create or replace function analytics.compute_snapshot(p_as_of date, p_run_id uuid default null)
returns jsonb
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
set work_mem = '128MB'
as $$
declare
  tz text := analytics.time_zone();
  k jsonb;
  b jsonb;
  row analytics.snapshots;
begin
  if p_as_of is null then
    raise exception 'Cannot compute a snapshot: as_of is null' using errcode = '22004';
  end if;
  perform set_config('timezone', tz, true);
  -- JIT compiles each of the ~40 KPI queries for a few hundred ms; they run in milliseconds.
  perform set_config('jit', 'off', true);
  perform analytics.catch_up_facts();
  k := analytics.kpis_json(p_as_of);
  b := analytics.brief_json(p_as_of, k);
  insert into analytics.snapshots (run_id, as_of, period_start, period_end, time_zone,
    content_hash, kpis, brief)
  values (p_run_id, p_as_of, (select min(p.start_day) from analytics.periods(p_as_of) p),
    p_as_of, tz, encode(sha256(convert_to(jsonb_build_array(k, b)::text, 'UTF8')), 'hex'), k, b)
  returning * into row;
  return jsonb_build_object('id', row.id, 'run_id', row.run_id, 'as_of', row.as_of,
    'period', jsonb_build_object('start', row.period_start, 'end', row.period_end),
    'time_zone', row.time_zone, 'currency', b -> 'currency', 'content_hash', row.content_hash,
    'created_at', row.created_at, 'brief', b, 'kpis', k);
end
$$;
comment on function analytics.compute_snapshot(date, uuid) is
  'Catches analytics.f_* up (analytics.catch_up_facts), computes every KPI as of p_as_of, stores '
  'an immutable analytics.snapshots row (kpis + brief payload + content hash) and returns it';

revoke all on function analytics.compute_snapshot(date, uuid) from public;
grant execute on function analytics.compute_snapshot(date, uuid) to service_role;
