-- KPIs over the open pipeline: pipeline by stage and its coverage of the quarter. Conventions
-- and shared rules: analytics/rules.sql.

-- From the open deals' rollup (analytics.r_open_deals: the deals open now, per dimension value)
-- less the open deals created after as_of, read by f_deals_open_created_idx (none for today):
-- about 70 rollup rows instead of every open deal grouped five ways (13.8k at 1M leads). Open
-- means open now, as before: a deal closed since as_of is not in the pipeline of that day.
create or replace function analytics.pipeline(p_as_of date)
returns table (dimension text, key text, label text, stage_position integer, open_deals bigint,
  amount numeric, weighted_amount numeric)
language sql stable
as $$
  with t as (select (select analytics.day_end(p_as_of)) as t1),
  r as (
    select r.dimension, r.key, r.owner_name, r.deals, r.amount, r.weighted
    from analytics.r_open_deals r, t
    where analytics.alive_at(r.deleted_at, t.t1)
    union all
    select k.dimension, k.key, k.owner_name, -1, -f.amount, -(f.amount * f.probability / 100)
    from analytics.f_deals f, t, analytics.open_deal_keys(f) k
    where not f.is_closed and f.created_day > p_as_of
      and analytics.alive_at(f.deleted_at, t.t1)
  ),
  -- each key's sums; an owner's label from the names its counted deals carry
  g as (
    select r.dimension, r.key, r.owner_name, sum(r.deals) as deals, sum(r.amount) as amount,
      sum(r.weighted) as weighted
    from r
    group by 1, 2, 3
    having sum(r.deals) <> 0
  )
  select d.dimension,
    case when d.dimension <> 'all' then coalesce(g.key, '(none)') end,
    case when d.dimension = 'owner' then max(g.owner_name) end,
    case when d.dimension = 'stage' then min(s.position) end,
    coalesce(sum(g.deals), 0)::bigint, coalesce(sum(g.amount), 0), coalesce(sum(g.weighted), 0)
  from (values ('all'), ('stage'), ('closing_month'), ('owner'), ('source')) d(dimension)
  left join g on g.dimension = d.dimension
  left join analytics.stage_settings s on d.dimension = 'stage' and s.stage = g.key
  group by d.dimension, g.key
  having d.dimension = 'all' or count(g.dimension) > 0
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
