-- Driver facts for the CRO brief: per lead source, leads this week/month vs the previous period, lead-to-deal and lead-to-won conversion, conversion velocity, pipeline created and won revenue; the top open deals at risk; owners' attainment where targets exist. Only the top movers by impact are kept, so the payload stays bounded whatever the company's size.
-- Bounds (what keeps the prompt under 2,000 Llama 3 tokens, asserted in brief/prompt_test.ts on a
-- worst-case payload): 2 sources per lead period, conversion metric, velocity, pipeline created
-- and won revenue, 2 deals at risk, 3 owners, 1 forecast deal: at most 20 driver facts; labels cut to 40 characters. Null values are left out of a fact (jsonb_strip_nulls), never stated.

-- A label as an id part: lower case, runs of other characters as one underscore.
create or replace function brief.slug(p_label text) returns text
language sql immutable parallel safe
as $$
  select coalesce(nullif(trim(both '_' from regexp_replace(lower(coalesce(p_label, '')),
    '[^a-z0-9]+', '_', 'g')), ''), 'none')
$$;

-- Driver facts as of p_as_of from the snapshot's kpis and the fact tables (catch them up first).
create or replace function brief.driver_facts(p_as_of date, p_kpis jsonb) returns jsonb
language sql stable
as $$
  with per as (select * from analytics.periods(p_as_of)),
  alive as (select analytics.day_end(p_as_of) as t1),
  -- What a lead, a point of conversion and a dollar of pipeline are worth in won revenue, from
  -- the company's own trailing year: the average won deal, the last complete cohort's
  -- lead-to-won rate and the win rate by value. A driver's impact = its change in those dollars.
  worth as (
    select
      coalesce((jsonb_path_query_first(p_kpis,
        '$.deal_size.t12m[*] ? (@.dimension == "all").avg_amount') #>> '{}')::numeric, 0)
        as avg_won,
      coalesce((jsonb_path_query_array(p_kpis, '$.cohort_conversion[*] ? (@.dimension == "all"
        && @.incomplete == false).lead_to_won_pct') ->> -1)::numeric, 0) / 100 as lead_to_won,
      coalesce((jsonb_path_query_first(p_kpis,
        '$.win_rate.t12m[*] ? (@.dimension == "all").win_rate_value_pct') #>> '{}')::numeric, 0)
        / 100 as win_value
  ),
  leads as (
    select 10 as grp, row_number() over (partition by k.per order by
        abs((x ->> 'leads')::numeric - (x ->> 'prev_leads')::numeric) desc, x ->> 'key') as n,
      jsonb_build_object('id', 'source.' || brief.slug(x ->> 'key') || '.leads.' || k.per,
        'label', left(x ->> 'key', 40), 'value', (x ->> 'leads')::numeric, 'unit', 'count',
        'period', k.per, 'prev', (x ->> 'prev_leads')::numeric,
        'change_pct', (x ->> 'growth_pct')::numeric) as fact, k.per,
      abs((x ->> 'leads')::numeric - (x ->> 'prev_leads')::numeric) * w.lead_to_won * w.avg_won
        as impact
    from worth w, (values ('wtd'), ('mtd')) k(per),
      jsonb_array_elements(p_kpis -> 'leads_created' -> k.per) x
    where x ->> 'dimension' = 'source' and (x ->> 'leads') <> (x ->> 'prev_leads')
  ),
  cohort as (
    select max((x ->> 'cohort_month')::date) as m
    from jsonb_array_elements(p_kpis -> 'cohort_conversion') x
    where x ->> 'dimension' = 'all' and not (x ->> 'incomplete')::boolean
  ),
  conv as (
    select 20 as grp, row_number() over (partition by k.metric order by
        abs((c.x ->> k.metric)::numeric - (p.x ->> k.metric)::numeric)
          * (c.x ->> 'leads')::numeric desc, c.x ->> 'key') as n,
      jsonb_build_object('id', 'source.' || brief.slug(c.x ->> 'key') || '.'
          || replace(k.metric, '_pct', ''),
        'label', left(c.x ->> 'key', 40), 'value', (c.x ->> k.metric)::numeric, 'unit', 'pct',
        'period', 'cohort ' || to_char(h.m, 'YYYY-MM'), 'prev', (p.x ->> k.metric)::numeric,
        'change_pts', (c.x ->> k.metric)::numeric - (p.x ->> k.metric)::numeric) as fact,
      k.metric as per,
      abs((c.x ->> k.metric)::numeric - (p.x ->> k.metric)::numeric) / 100
        * (c.x ->> 'leads')::numeric * w.avg_won
        * case k.metric when 'lead_to_deal_pct' then w.win_value else 1 end as impact
    from worth w, cohort h, (values ('lead_to_deal_pct'), ('lead_to_won_pct')) k(metric),
      jsonb_array_elements(p_kpis -> 'cohort_conversion') c(x),
      jsonb_array_elements(p_kpis -> 'cohort_conversion') p(x)
    where c.x ->> 'dimension' = 'source' and (c.x ->> 'cohort_month')::date = h.m
      and p.x ->> 'dimension' = 'source' and p.x ->> 'key' = c.x ->> 'key'
      and (p.x ->> 'cohort_month')::date = (h.m - interval '1 month')::date
      and (c.x ->> k.metric)::numeric <> (p.x ->> k.metric)::numeric
  ),
  velocity as (
    select 30 as grp, row_number() over (order by abs((x ->> 'trend_days')::numeric)
        * (x ->> 'conversions')::numeric desc, x ->> 'key') as n,
      jsonb_build_object('id', 'source.' || brief.slug(x ->> 'key') || '.conversion_days',
        'label', left(x ->> 'key', 40), 'value', (x ->> 'median_days')::numeric, 'unit', 'days',
        'period', 'month ' || left(x ->> 'month', 7), 'prev', (x ->> 'prev_median_days')::numeric,
        'change', (x ->> 'trend_days')::numeric) as fact, 'velocity' as per,
      null::numeric as impact
    from jsonb_array_elements(p_kpis -> 'conversion_velocity') x
    where x ->> 'dimension' = 'source' and (x ->> 'trend_days') is not null
      and (x ->> 'month')::date = (select max((y ->> 'month')::date)
        from jsonb_array_elements(p_kpis -> 'conversion_velocity') y)
  ),
  -- Pipeline created and won revenue per source, this month to date vs the same days of the
  -- previous month (analytics.periods' mtd), with analytics.revenue's rules for what counts.
  money as (
    select 40 + k.o as grp, row_number() over (partition by k.metric order by
        abs(s.cur - s.prev) desc, s.src) as n,
      jsonb_build_object('id', 'source.' || brief.slug(s.src) || '.' || k.metric || '.mtd',
        'label', left(s.src, 40), 'value', s.cur, 'unit', 'currency', 'period', 'mtd',
        'prev', s.prev, 'change_pct', analytics.pct(s.cur - s.prev, s.prev)) as fact,
      k.metric as per,
      abs(s.cur - s.prev) * case k.metric when 'won_revenue' then 1 else w.win_value end
        as impact
    from worth w, (values (1, 'pipeline_created'), (2, 'won_revenue')) k(o, metric)
    cross join lateral (
      select coalesce(f.lead_source, '(none)') as src,
        coalesce(sum(f.amount) filter (where d.day >= p.start_day), 0) as cur,
        coalesce(sum(f.amount) filter (where d.day < p.prev_end), 0) as prev
      from per p, alive a, analytics.f_deals f
      cross join lateral (select case k.metric when 'pipeline_created' then f.created_day
        else f.closing_date end as day) d
      where p.period = 'mtd' and d.day >= p.prev_start and d.day < p.end_day
        and (d.day >= p.start_day or d.day < p.prev_end)
        and f.created_day <= p_as_of and analytics.alive_at(f.deleted_at, a.t1)
        and (k.metric = 'pipeline_created' or f.is_won)
      group by 1
    ) s
    where s.cur <> s.prev
  ),
  risky as (
    select 50 as grp, row_number() over (order by h.amount desc nulls last, h.deal_id) as n,
      jsonb_build_object('id', 'deal.' || brief.slug(h.deal_id),
        'label', left(coalesce(r.data ->> 'Deal_Name', h.deal_id), 40),
        'owner', left(f.owner_name, 40), 'stage', left(h.stage, 40), 'value', h.amount,
        'unit', 'currency', 'period', 'as_of', 'days', round(h.days_in_stage),
        'why', to_jsonb(array_remove(array[case when h.is_stale then 'stale' end,
          case when h.is_slipped then 'slipped' end,
          case when h.past_median then 'past_stage_median' end], null))) as fact,
      'deal' as per, h.amount as impact
    from analytics.open_deal_health(p_as_of, (
      select jsonb_object_agg(s ->> 'stage', s -> 'median_days_in_stage')
      from jsonb_array_elements(p_kpis -> 'stage_conversion') s)) h
    left join analytics.f_deals f on f.id = h.deal_id
    left join zoho.records r on r.module = 'Deals' and r.id = h.deal_id
    where h.is_stale or h.is_slipped or h.past_median
  ),
  owners as (
    select 60 as grp, row_number() over (order by (x ->> 'attainment_pct')::numeric,
        x ->> 'label') as n,
      jsonb_build_object('id', 'owner.' || brief.slug(x ->> 'label') || '.attainment',
        'label', left(x ->> 'label', 40), 'value', (x ->> 'attainment_pct')::numeric,
        'unit', 'pct', 'period', 'qtd', 'revenue', (x ->> 'revenue')::numeric,
        'target', (x ->> 'target')::numeric) as fact, 'owner' as per,
      greatest((x ->> 'target')::numeric - (x ->> 'revenue')::numeric, 0) as impact
    from jsonb_array_elements(p_kpis -> 'revenue_by_owner') x
    where (x ->> 'target') is not null and (x ->> 'attainment_pct') is not null
  ),
  -- The open deals whose outcome moves the quarter's forecast most (analytics.forecast's
  -- drivers): impact = the deal's spread in dollars, Amount × √(p(1 − p)).
  fc as (
    select 70 as grp, (x.n)::bigint as n,
      jsonb_build_object('id', 'forecast.deal',
        'label', left(coalesce(x.d ->> 'name', x.d ->> 'deal_id'), 40),
        'stage', left(x.d ->> 'stage', 40), 'value', (x.d ->> 'amount')::numeric,
        'unit', 'currency', 'period', (p_kpis -> 'forecast' ->> 'quarter_start') || '..'
          || ((p_kpis -> 'forecast' ->> 'quarter_end')::date - 1)::text,
        'chance_pct', (x.d ->> 'chance_pct')::numeric) as fact, 'forecast' as per,
      (x.d ->> 'amount')::numeric * sqrt((x.d ->> 'chance_pct')::numeric / 100
        * (1 - (x.d ->> 'chance_pct')::numeric / 100)) as impact
    from jsonb_array_elements(p_kpis -> 'forecast' -> 'drivers') with ordinality x(d, n)
  ),
  kept as (
    select grp, per, n, fact, impact from leads where n <= 2
    union all select grp, per, n, fact, impact from fc where n <= 1
    union all select grp, per, n, fact, impact from conv where n <= 2
    union all select grp, per, n, fact, impact from velocity where n <= 2
    union all select grp, per, n, fact, impact from money where n <= 2
    union all select grp, per, n, fact, impact from risky where n <= 2
    union all select grp, per, n, fact, impact from owners where n <= 3
  )
  -- Most material first (the prompt and the rules brief read them in this order); within a
  -- family the order is the family's own ranking (n), which the impact preserves.
  select coalesce(jsonb_agg(jsonb_strip_nulls(fact) order by impact desc nulls last, grp, per, n),
    '[]'::jsonb)
  from kept
$$;
comment on function brief.driver_facts(date, jsonb) is
  'Bounded driver facts (top movers per source, deals at risk, owners'' attainment) as a JSON '
  'array of {id, label, value, unit, period, prev?, change_pct|change_pts|change?, ...}, most '
  'material first: estimated won-revenue effect of the change (leads × lead-to-won × average won '
  'deal, pipeline × win rate by value, won revenue itself, a deal''s amount, an owner''s gap)';

-- The payload of a snapshot's brief, computed once and kept: the snapshot's company facts plus
-- its driver facts. Null when there is no such snapshot.
create or replace function brief.payload(p_snapshot_id uuid) returns jsonb
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  p jsonb;
  s analytics.snapshots;
begin
  select b.payload into p from brief.payloads b where b.snapshot_id = p_snapshot_id;
  if found then
    return p;
  end if;
  select * into s from analytics.snapshots where id = p_snapshot_id;
  if not found then
    return null;
  end if;
  perform set_config('timezone', s.time_zone, true);
  perform set_config('jit', 'off', true);
  perform analytics.catch_up_facts();
  p := jsonb_build_object('snapshot_id', s.id, 'as_of', s.as_of, 'currency',
    s.brief -> 'currency', 'facts', (s.brief -> 'facts') || brief.driver_facts(s.as_of, s.kpis));
  insert into brief.payloads (snapshot_id, payload) values (s.id, p)
  on conflict (snapshot_id) do nothing;
  select b.payload into p from brief.payloads b where b.snapshot_id = p_snapshot_id;
  return p;
end
$$;
comment on function brief.payload(uuid) is
  'The brief payload of a snapshot (company + driver facts), computed on first use and kept';

revoke all on function brief.driver_facts(date, jsonb) from public;
revoke all on function brief.payload(uuid) from public;
grant execute on function brief.slug(text) to service_role;
grant execute on function brief.driver_facts(date, jsonb) to service_role;
grant execute on function brief.payload(uuid) to service_role;
