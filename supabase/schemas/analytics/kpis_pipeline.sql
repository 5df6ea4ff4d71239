-- KPIs over the open pipeline: pipeline by stage and its coverage of the quarter. Conventions
-- and shared rules: analytics/rules.sql.

create or replace function analytics.pipeline(p_as_of date)
returns table (dimension text, key text, label text, stage_position integer, open_deals bigint,
  amount numeric, weighted_amount numeric)
language sql stable
as $$
  with o as (
    select f.*, s.position,
      to_char(date_trunc('month', f.closing_date::timestamp), 'YYYY-MM') as closing_month
    from analytics.f_deals f
    left join analytics.stage_settings s on s.stage = f.stage
    where not f.is_closed and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select
    case when grouping(stage) = 0 then 'stage' when grouping(closing_month) = 0
      then 'closing_month' when grouping(owner_id) = 0 then 'owner'
      when grouping(lead_source) = 0 then 'source' else 'all' end,
    case when grouping(stage) = 0 then coalesce(stage, '(none)')
      when grouping(closing_month) = 0 then coalesce(closing_month, '(none)')
      when grouping(owner_id) = 0 then coalesce(owner_id, '(none)')
      when grouping(lead_source) = 0 then coalesce(lead_source, '(none)') end,
    analytics.owner_label(grouping(owner_id), max(owner_name)),
    case when grouping(stage) = 0 then min(position) end,
    count(*), coalesce(sum(amount), 0),
    coalesce(sum(amount * probability / 100), 0)
  from o
  group by grouping sets ((), (stage), (closing_month), (owner_id), (lead_source))
  order by 1, 4 nulls first, 2 nulls first
$$;
comment on function analytics.pipeline(date) is
  'Open pipeline = Σ Amount of open deals (Stage not Closed*) at p_as_of; weighted pipeline = '
  'Σ Amount × probability ÷ 100 with the deal''s own Probability, else the stage''s fallback in '
  'analytics.stage_settings; open deals only (Salesforce definition, not HubSpot''s with Closed '
  'Won); by stage, closing month, owner, source';

create or replace function analytics.pipeline_coverage(p_as_of date)
returns table (quarter_start date, quarter_end date, target numeric, won_qtd numeric,
  remaining_target numeric, open_pipeline numeric, weighted_pipeline numeric,
  coverage numeric, win_rate_pct numeric, required_coverage numeric, forecast numeric,
  forecast_gap numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = 'qtd'),
  alive as (
    select f.* from analytics.f_deals f, p
    where f.created_day <= p_as_of
      and f.closing_date >= p.start_day and f.closing_date < p.full_end
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  ),
  x as (
    select
      (select sum(rt.amount) from analytics.revenue_targets rt, p
        where rt.owner_id is null and rt.quarter_start = p.start_day) as target,
      coalesce(sum(a.amount) filter (where a.is_won and a.closing_date <= p_as_of), 0) as won,
      coalesce(sum(a.amount) filter (where not a.is_closed), 0) as open,
      coalesce(sum(a.amount * a.probability / 100) filter (where not a.is_closed), 0) as weighted,
      (select w.win_rate_count_pct from analytics.win_rate(p_as_of, 't12m') w
        where w.dimension = 'all') as rate
    from alive a
  )
  select p.start_day, p.full_end, x.target, x.won, greatest(x.target - x.won, 0), x.open,
    round(x.weighted, 2), round(x.open / nullif(greatest(x.target - x.won, 0), 0), 2), x.rate,
    round(100 / nullif(x.rate, 0), 2), round(x.won + x.weighted, 2),
    round(x.target - (x.won + x.weighted), 2)
  from x, p
$$;
comment on function analytics.pipeline_coverage(date) is
  'Pipeline coverage (current quarter) = open pipeline with Closing_Date in the quarter ÷ '
  'remaining target (quarter target − Closed Won so far, floored at 0; null when met or no '
  'target); required coverage = 1 ÷ win rate (t12m, by count); forecast = won + weighted open '
  'pipeline in the quarter; forecast gap = target − forecast';
