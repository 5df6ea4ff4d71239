-- Revenue questions: revenue for a period vs the previous equal period and target, by source, the owner leaderboard, monthly trend, quarter forecast, deal size and sales velocity.

-- Closed Won revenue of the period (analytics.revenue; target and attainment for quarters and
-- years), or of one lead source or owner (ask.why_revenue's split of the same deals; no target).
create function ask.revenue(p_as_of date, p_period text default 'this_month',
  p_source text default null, p_owner text default null)
returns table (label text, start_day date, end_day date, revenue numeric, won_deals bigint,
  prev_revenue numeric, growth_pct numeric, target numeric, attainment_pct numeric)
language sql stable
set jit = off
as $$
  select w.label, r.start_day, r.end_day - 1, r.revenue, r.won_deals, r.prev_revenue,
    r.growth_pct, r.target, r.attainment_pct
  from ask.period_window(p_as_of, p_period) w
  join lateral analytics.revenue(w.as_of) r on r.period = w.period
  where p_source is null and p_owner is null
  union all
  select w.label, r.start_day, r.end_day - 1, d.current, d.current_deals, d.previous,
    analytics.pct(d.change, d.previous), null, null
  from ask.period_window(p_as_of, p_period) w
  join lateral analytics.revenue(w.as_of) r on r.period = w.period
  join lateral ask.why_revenue(p_as_of, p_period) d
    on (p_owner is not null and d.dimension = 'owner' and d.key = p_owner)
    or (p_owner is null and d.dimension = 'source' and d.key = p_source)
  where p_source is not null or p_owner is not null
$$;
comment on function ask.revenue(date, text, text, text) is
  'Revenue = sum of Amount of Closed Won deals closing in the period (analytics.revenue); '
  'prev = previous equal period; attainment = revenue ÷ company target (quarter/year); with a '
  'source or owner, that part of the same deals (ask.why_revenue), without target';

-- Closed Won revenue by lead source (analytics.win_rate's won amounts: same deals as revenue).
create function ask.revenue_by_source(p_as_of date, p_period text default 'this_month')
returns table (label text, lead_source text, revenue numeric, won_deals bigint, share_pct numeric)
language sql stable
set jit = off
as $$
  select w.label, r.key, r.won_amount, r.won,
    analytics.pct(r.won_amount, sum(r.won_amount) over ())
  from ask.period_window(p_as_of, p_period) w
  join lateral analytics.win_rate(w.as_of, w.period) r on r.dimension = 'source'
  where r.won > 0
  order by r.won_amount desc, r.key
$$;
comment on function ask.revenue_by_source(date, text) is
  'Closed Won revenue and deals per lead source in the period; share = source ÷ total × 100';

-- Owners ranked by Closed Won revenue in the period, with their win rate.
create function ask.owner_leaderboard(p_as_of date, p_period text default 'this_quarter',
  p_limit integer default 5)
returns table (label text, rank bigint, owner text, revenue numeric, won_deals bigint,
  lost_deals bigint, win_rate_pct numeric)
language sql stable
set jit = off
as $$
  select w.label, row_number() over (order by r.won_amount desc, r.label),
    coalesce(r.label, r.key), r.won_amount, r.won, r.lost, r.win_rate_count_pct
  from ask.period_window(p_as_of, p_period) w
  join lateral analytics.win_rate(w.as_of, w.period) r on r.dimension = 'owner'
  order by r.won_amount desc, r.label
  limit greatest(p_limit, 1)
$$;
comment on function ask.owner_leaderboard(date, text, integer) is
  'Deal owners by Closed Won revenue in the period (analytics.win_rate by owner), top p_limit';

-- Closed Won revenue per calendar month, the last p_months months (this one to date).
create function ask.revenue_trend(p_as_of date, p_months integer default 6)
returns table (month date, revenue numeric, won_deals bigint)
language sql stable
set jit = off
as $$
  select m.month::date, coalesce(r.revenue, 0), coalesce(r.won_deals, 0)
  from generate_series(date_trunc('month', p_as_of::timestamp)
      - make_interval(months => least(greatest(p_months, 1), 24) - 1),
    date_trunc('month', p_as_of::timestamp), interval '1 month') m(month)
  left join analytics.revenue_by_month(p_as_of, least(greatest(p_months, 1), 24)) r
    on r.month = m.month::date and r.dimension = 'all'
  order by 1
$$;
comment on function ask.revenue_trend(date, integer) is
  'Closed Won revenue per month (analytics.revenue_by_month), last p_months (1-24)';

-- Will we make the quarter: analytics.forecast as of p_as_of, from the facts as they are now (the
-- same seeded answer the snapshot, the brief and the dashboard hold while the data is unchanged; a
-- stored snapshot could be older than the last sync); its range, chance of target, gap at P50,
-- the deal that moves it most and the weighted-pipeline figure beside it.
create function ask.forecast(p_as_of date)
returns table (quarter_start date, quarter_end date, target numeric, won numeric, p10 numeric,
  p50 numeric, p90 numeric, chance_pct numeric, gap_p50 numeric, weighted_baseline numeric,
  method text, history_deals integer, top_deal text, top_deal_amount numeric,
  top_deal_chance_pct numeric)
language sql stable
set jit = off
as $$
  -- materialized: inlined, the CTE put a call of analytics.forecast in each of the 15 columns
  -- (2.4 s instead of 0.26 s on the demo company, about 12 s at 1M leads)
  with f as materialized (select analytics.forecast(p_as_of) as f)
  select (f ->> 'quarter_start')::date, (f ->> 'quarter_end')::date - 1,
    (f ->> 'target')::numeric, (f ->> 'won_to_date')::numeric, (f ->> 'p10')::numeric,
    (f ->> 'p50')::numeric, (f ->> 'p90')::numeric, (f ->> 'chance_of_target_pct')::numeric,
    (f ->> 'gap_p50')::numeric, (f ->> 'weighted_baseline')::numeric, f ->> 'method',
    (f ->> 'history_deals')::integer, f -> 'drivers' -> 0 ->> 'name',
    (f -> 'drivers' -> 0 ->> 'amount')::numeric, (f -> 'drivers' -> 0 ->> 'chance_pct')::numeric
  from f
$$;
comment on function ask.forecast(date) is
  'Quarter forecast (analytics.forecast as of p_as_of): P10/P50/P90 of the '
  'quarter''s revenue, chance of target, gap at P50, the deal that moves it most, and the '
  'weighted-pipeline figure (won + Σ amount × Zoho probability) beside it';

-- Average and median won deal size and sales cycle (created → closed) in the period, of all
-- won deals or of one lead source or owner (analytics.deal_size's splits).
create function ask.deal_size(p_as_of date, p_period text default 'last_12_months',
  p_source text default null, p_owner text default null)
returns table (label text, won_deals bigint, avg_amount numeric, median_amount numeric,
  avg_cycle_days numeric, median_cycle_days numeric)
language sql stable
set jit = off
as $$
  select w.label, d.won_deals, d.avg_amount, d.median_amount, d.avg_cycle_days,
    d.median_cycle_days
  from ask.period_window(p_as_of, p_period) w
  join lateral analytics.deal_size(w.as_of, w.period) d
    on case when p_owner is not null then d.dimension = 'owner' and d.label = p_owner
      when p_source is not null then d.dimension = 'source' and d.key = p_source
      else d.dimension = 'all' end
$$;
comment on function ask.deal_size(date, text, text, text) is
  'Won deals closing in the period: average/median Amount and days created → closed '
  '(analytics.deal_size), all or of one source or owner';

-- Sales velocity over the trailing 12 months.
create function ask.sales_velocity(p_as_of date)
returns table (open_deals bigint, win_rate_pct numeric, avg_deal_size numeric,
  avg_cycle_days numeric, velocity_per_day numeric)
language sql stable
set jit = off
as $$
  select v.open_deals, v.win_rate_pct, v.avg_deal_size, v.avg_cycle_days, v.velocity_per_day
  from analytics.sales_velocity(p_as_of) v
  where v.dimension = 'all'
$$;
comment on function ask.sales_velocity(date) is
  'Velocity = open deals × win rate × average won size ÷ average cycle days (t12m, '
  'analytics.sales_velocity)';

revoke all on all functions in schema ask from public;
grant execute on all functions in schema ask to service_role;
