-- Pipeline questions: open pipeline (all, one owner or source, by stage/owner/source), top open deals, deals closing soon, stale and slipped deals, new deals and the quarter's pipeline movement.

-- The open pipeline split by stage (pipeline order), owner or source (largest first).
create function ask.pipeline_by(p_as_of date, p_dimension text default 'stage')
returns table (name text, open_deals bigint, amount numeric, weighted_amount numeric)
language sql stable
set jit = off
as $$
  select coalesce(p.label, p.key), p.open_deals, p.amount, p.weighted_amount
  from analytics.pipeline(p_as_of) p
  where p.dimension = p_dimension
  order by case when p_dimension = 'stage' then p.stage_position end, p.amount desc, 1
$$;
comment on function ask.pipeline_by(date, text) is
  'analytics.pipeline split by stage, owner or source';

-- An open deal as a question shows it (its name from the deal facts, analytics.f_deals.name =
-- Deal_Name: no raw record is read; alive as of p_as_of). No SET clause, so callers' queries
-- inline it and their filters reach the open-deals index (analytics.f_deals_open_closing_idx):
-- on the 1M-lead demo, deals closing this week 139 → 24 ms, one rep's this quarter 120 → 8 ms,
-- top deals of a stage 90 → 8 ms.
create function ask.open_deals(p_as_of date)
returns table (deal_id text, name text, owner text, stage text, amount numeric,
  probability numeric, closing_date date, modified_at timestamptz)
language sql stable
as $$
  select d.id, d.name, d.owner_name, d.stage, d.amount, d.probability,
    d.closing_date, d.modified_at
  from analytics.f_deals d
  where not d.is_closed and d.created_day <= p_as_of
    and (d.deleted_at is null or d.deleted_at >= (select analytics.day_end(p_as_of)))
$$;
comment on function ask.open_deals(date) is
  'Open deals alive at the end of p_as_of (the deals analytics.pipeline counts), with names';

-- The open pipeline: deals, amount, probability-weighted amount of the open deals
-- (ask.open_deals: those analytics.pipeline counts), all or of any of one owner, source and stage
-- together. Of the whole company, also the quarter's coverage as the dashboard and the brief give
-- it (analytics.pipeline_coverage: open deals closing in the quarter against the target still to
-- win, and the coverage 1 ÷ win rate asks for; quarter_end = its last day); null when filtered.
create function ask.pipeline(p_as_of date, p_owner text default null,
  p_source text default null, p_stage text default null)
returns table (open_deals bigint, amount numeric, weighted_amount numeric, quarter_end date,
  quarter_pipeline numeric, target numeric, remaining_target numeric, coverage numeric,
  required_coverage numeric, win_rate_pct numeric)
language sql stable
set jit = off
as $$
  with p as (
    select count(*)::bigint as open_deals, coalesce(sum(o.amount), 0) as amount,
      coalesce(sum(o.amount * o.probability / 100), 0) as weighted_amount
    from ask.open_deals(p_as_of) o
    where (p_owner is null or o.owner = p_owner) and (p_stage is null or o.stage = p_stage)
      and (p_source is null or exists (select 1 from analytics.f_deals f
        where f.id = o.deal_id and f.lead_source = p_source))
  )
  select p.open_deals, p.amount, p.weighted_amount, c.quarter_end - 1, c.open_pipeline, c.target,
    c.remaining_target, c.coverage, c.required_coverage, c.win_rate_pct
  from p
  -- Only of the whole company (a one-time filter: not computed when filtered).
  left join lateral (
    select * from analytics.pipeline_coverage(p_as_of) c
    where p_owner is null and p_source is null and p_stage is null
  ) c on true
$$;
comment on function ask.pipeline(date, text, text, text) is
  'Open deals: count, sum of Amount, sum of Amount × probability (the deals analytics.pipeline '
  'counts), all or of one owner, source and/or stage; of all, the quarter''s coverage '
  '(analytics.pipeline_coverage)';

-- The largest open deals, optionally of one owner or stage.
create function ask.top_deals(p_as_of date, p_limit integer default 5,
  p_owner text default null, p_stage text default null)
returns table (rank bigint, name text, owner text, stage text, amount numeric,
  closing_date date)
language sql stable
set jit = off
as $$
  select row_number() over (order by o.amount desc nulls last, o.name, o.deal_id), o.name,
    o.owner, o.stage, o.amount, o.closing_date
  from ask.open_deals(p_as_of) o
  where (p_owner is null or o.owner = p_owner) and (p_stage is null or o.stage = p_stage)
  order by o.amount desc nulls last, o.name, o.deal_id
  limit least(greatest(p_limit, 1), 10)
$$;
comment on function ask.top_deals(date, integer, text, text) is
  'Open deals by Amount, largest first (1-10), optionally of one owner or stage';

-- Open deals whose closing date falls between as_of and the end of the period.
create function ask.closing_soon(p_as_of date, p_period text default 'this_week',
  p_owner text default null)
returns table (label text, deals bigint, amount numeric, weighted_amount numeric,
  top jsonb)
language sql stable
set jit = off
as $$
  -- This period: from as_of to its end; a past one ("last week"): all of it (the deals still
  -- open that were due then), never this period's deals under last period's label; a next one
  -- ("next month"): all of it.
  with w as (
    select w.label, p.full_end,
      case when w.as_of < p_as_of then p.start_day else greatest(p.start_day, p_as_of) end
        as from_day
    from ask.period_window(p_as_of, p_period) w
    join analytics.periods(w.as_of) p on p.period = w.period
  ),
  d as (
    select o.* from ask.open_deals(p_as_of) o, w
    where o.closing_date >= w.from_day and o.closing_date < w.full_end
      and (p_owner is null or o.owner = p_owner)
  )
  select w.label, count(d.deal_id), coalesce(sum(d.amount), 0),
    coalesce(sum(d.amount * d.probability / 100), 0),
    coalesce((select jsonb_agg(jsonb_build_object('name', t.name, 'owner', t.owner,
        'stage', t.stage, 'amount', t.amount, 'closing_date', t.closing_date)
        order by t.amount desc nulls last, t.name, t.deal_id)
      from (select * from d order by d.amount desc nulls last, d.name, d.deal_id limit 3) t), '[]')
  from w left join d on true
  group by w.label
$$;
comment on function ask.closing_soon(date, text, text) is
  'Open deals with Closing_Date from as_of to the end of the week/month/quarter (a past or a '
  'next period: all of it; a past one: deals still open that were due then): count, Amount, '
  'weighted Amount, 3 largest';

-- Open deals with no change or activity for longer than their stage allows, or whose closing
-- date has passed (analytics.open_deal_health; stage medians are not needed for either). Beside
-- them, the open deals whose closing date was pushed later at least once (the pushes the
-- dashboard's deal risks count), with their 3 largest: "which deals got pushed" asks for these.
-- PL/pgSQL, always planned with its values (force_custom_plan: PL/pgSQL would switch to a generic
-- plan after five calls): a generic plan took 3.9 s on the 1M-lead demo for what the same query
-- does in 0.25 s with the values known.
create function ask.deal_risk(p_as_of date, p_kind text default 'stale',
  p_owner text default null, p_stage text default null)
returns table (deals bigint, amount numeric, open_deals bigint, top jsonb, pushed bigint,
  pushed_amount numeric, pushed_top jsonb, by_owner jsonb)
language plpgsql stable
set jit = off
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
begin
  return query
  with h as materialized (
    select h.*, o.name, o.owner
    from analytics.open_deal_health(p_as_of, '{}'::jsonb) h
    join ask.open_deals(p_as_of) o on o.deal_id = h.deal_id
    where (p_owner is null or o.owner = p_owner) and (p_stage is null or h.stage = p_stage)
  ),
  r as (
    select * from h
    where case p_kind when 'stale' then h.is_stale when 'slipped' then h.is_slipped end
  ),
  p as (select * from h where h.close_date_pushes > 0)
  select (select count(*) from r), (select coalesce(sum(r.amount), 0) from r),
    (select count(*) from h),
    coalesce((select jsonb_agg(jsonb_build_object('name', t.name, 'owner', t.owner,
        'stage', t.stage, 'amount', t.amount, 'closing_date', t.closing_date,
        'days_since_change', t.days_since_change) order by t.amount desc nulls last, t.name,
        t.deal_id)
      from (select * from r order by r.amount desc nulls last, r.name, r.deal_id limit 3) t),
      '[]'),
    (select count(*) from p), (select coalesce(sum(p.amount), 0) from p),
    coalesce((select jsonb_agg(jsonb_build_object('name', t.name, 'owner', t.owner,
        'stage', t.stage, 'amount', t.amount, 'closing_date', t.closing_date,
        'pushes', t.close_date_pushes) order by t.amount desc nulls last, t.name, t.deal_id)
      from (select * from p order by p.amount desc nulls last, p.name, p.deal_id limit 3) t),
      '[]'),
    -- Who has them: the 3 reps with the most, then the largest amount.
    coalesce((select jsonb_agg(jsonb_build_object('owner', o.owner, 'deals', o.deals,
        'amount', o.amount) order by o.deals desc, o.amount desc, o.owner)
      from (select r.owner, count(*) as deals, coalesce(sum(r.amount), 0) as amount from r
        group by r.owner order by 2 desc, 3 desc, 1 limit 3) o), '[]');
end
$$;
comment on function ask.deal_risk(date, text, text, text) is
  'stale = open deals idle (no change, no activity) longer than their stage''s stale_days; '
  'slipped = open deals with Closing_Date before as_of (analytics.open_deal_health); pushed = '
  'open deals whose Closing_Date moved later at least once; by_owner = the 3 reps with the most '
  'stale (slipped) deals; of one owner and/or stage when given';

-- Deals created in the period vs the previous equal period.
create function ask.new_deals(p_as_of date, p_period text default 'this_week')
returns table (label text, deals bigint, amount numeric, prev_deals bigint, prev_amount numeric)
language sql stable
set jit = off
as $$
  select w.label,
    count(*) filter (where d.created_day >= p.start_day),
    coalesce(sum(d.amount) filter (where d.created_day >= p.start_day), 0),
    count(*) filter (where d.created_day < p.prev_end),
    coalesce(sum(d.amount) filter (where d.created_day < p.prev_end), 0)
  from ask.period_window(p_as_of, p_period) w
  join analytics.periods(w.as_of) p on p.period = w.period
  left join analytics.f_deals d on d.created_day >= p.prev_start and d.created_day < p.end_day
    and (d.created_day >= p.start_day or d.created_day < p.prev_end)
    and (d.deleted_at is null or d.deleted_at >= (select analytics.day_end(w.as_of)))
  group by w.label
$$;
comment on function ask.new_deals(date, text) is
  'Deals created in the period (alive at its end) and in the previous equal period';

-- How this quarter's pipeline moved: start, new, won, lost, slipped out, end.
create function ask.pipeline_change(p_as_of date, p_period text default 'this_quarter')
returns table (label text, step text, deals bigint, amount numeric)
language sql stable
set jit = off
as $$
  select w.label, s.step, s.deals, s.amount
  from ask.period_window(p_as_of, p_period) w
  join lateral analytics.pipeline_waterfall(w.as_of, w.period) s on true
  order by s.ord
$$;
comment on function ask.pipeline_change(date, text) is
  'Pipeline closing in the period, start → new/moved in/changed/won/lost/moved out/removed → end '
  '(analytics.pipeline_waterfall)';

-- Stage-to-stage conversion over the period (analytics.stage_conversion).
create function ask.stage_conversion(p_as_of date, p_period text default 'last_12_months')
returns table (label text, stage text, entered bigint, advanced bigint, conversion_pct numeric,
  median_days_in_stage numeric)
language sql stable
set jit = off
as $$
  select w.label, c.stage, c.entered, c.advanced, c.conversion_pct, c.median_days_in_stage
  from ask.period_window(p_as_of, p_period) w
  join lateral analytics.stage_conversion(w.as_of, w.period) c on true
  order by c.stage_position
$$;
comment on function ask.stage_conversion(date, text) is
  'Per open stage: deals that entered it in the period and the share that advanced later';

revoke all on all functions in schema ask from public;
grant execute on all functions in schema ask to service_role;
