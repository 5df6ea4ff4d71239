-- The quarter forecast's simulation (the model's inputs: analytics/forecast.sql): seeded uniform
-- draws, stage rates, analytics.forecast (P10, P50, P90, chance of the target) and its backtest.

-- A uniform number in (0, 1) fixed by (seed, key): the simulation's draws, the same on every run.
create or replace function analytics.forecast_u(seed bigint, key text) returns double precision
language sql immutable parallel safe
as $$
  select (((hashtextextended(key, seed) >> 11) & 9007199254740991)::double precision + 0.5)
    / 9007199254740992.0
$$;

-- Draw `trial` of the deal whose own hash is h: a uniform number in (0, 1), the same on every run.
create or replace function analytics.forecast_draw(h bigint, trial integer)
returns double precision
language sql immutable parallel safe
as $$
  select (((hashint8extended(trial, h) >> 11) & 9007199254740991)::double precision + 0.5)
    / 9007199254740992.0
$$;

-- How this company's history differs from Zoho's default probabilities: of the deals that entered
-- each open stage in the last p_quarters quarters and closed (won or lost) by the end of p_as_of,
-- the share won, beside the stage's probability in analytics.stage_settings (a large company:
-- over the training sample).
create or replace function analytics.forecast_stage_rates(p_as_of date,
  p_quarters integer default 8, p_sample_k integer default null)
returns table (stage text, deals bigint, won bigint, history_pct numeric, zoho_pct numeric)
language sql stable
as $$
  -- The end of as_of and the window's start (materialized: computed once, not per row).
  with t as materialized (select x.t_end, x.t_end - p_quarters * interval '13 weeks' as t_from
    from (select analytics.day_end(p_as_of) as t_end) x),
  -- A large company: the same fixed sample of about 10,000 deals as analytics.forecast_deals
  -- (its sample_k when the caller has it: counting the deals again read all 200k at 1M, 50 ms).
  -- Materialized: inlined into the entries' scan, the count ran once per entry.
  -- kept: the facts are built and the sample's rows kept (analytics.f_stage_rate_deals,
  -- analytics/forecast_keep.sql: the kept buckets cover the sample's).
  sample as materialized (
    select x.k, exists (select from analytics.facts_built)
        and exists (select from analytics.f_forecast_obs_kept o where o.k >= x.k) as kept
    from (
      select coalesce(p_sample_k, (
        select analytics.forecast_sample_k(count(*))
        from analytics.f_deals d where d.created_at < t.t_end and d.amount > 0)) as k
      from t
    ) x
  ),
  -- Each stage of the settings once: whether it is open, and an open stage's bit in a string as
  -- long as the open stages (in stage order; the bits are set for open stages only, below).
  st as (
    select s.stage, s.is_open,
      (row_number() over (partition by s.is_open order by s.position) - 1)::integer as i,
      (count(*) filter (where s.is_open) over ())::integer as n
    from analytics.stage_settings s
  ),
  -- Not kept: per sampled deal, in one pass over its entries by the end of as_of, whether it
  -- closed (an entry in a closed stage), whether it was won (Closed Won among those), and the open
  -- stages it entered in the window as bits (each stage once however often entered). Counting the
  -- distinct (stage, deal) pairs by hashing them, and joining the closed deals to them, cost 115 ms
  -- in the daily state at 1M leads, this 76 (87 → 45 in a quieter minute; the same rows; bits of a
  -- bigint saved 5 ms more, but they cap the open stages at 63).
  per as (
    select e.deal_id,
      coalesce(bool_or(not st.is_open), false) as closed,
      coalesce(bool_or(not st.is_open and e.stage = 'Closed Won'), false) as won,
      bit_or(set_bit(repeat('0', st.n)::varbit, st.i, 1)) filter (where st.is_open
        and e.entered_at >= t.t_from) as m
    from analytics.f_stage_entries e
    cross join t
    cross join sample
    left join st on st.stage = e.stage
    where e.entered_at + interval '0 s' < t.t_end and (hashtext(e.deal_id) & 1023) < sample.k
      and not sample.kept
    group by e.deal_id
  ),
  -- The facts built (as on every snapshot) and the sample kept (its buckets within the kept
  -- ones), the sample's kept rows (analytics.f_stage_rate_deals) give the same counts: a deal
  -- closed by the end of as_of counts for each open stage it entered in the window, won when its
  -- first win came by then too. It entered the stage in the window when its first entry came
  -- before the window's end and its last entry at or after its start, and either the last came
  -- before the end or the first at or after the start; else (entries on both sides of the
  -- window) its entries are looked up. Otherwise the entries above are counted.
  n as (
    select k.stage, count(*) as deals, count(*) filter (where k.won_at < t.t_end) as won
    from analytics.f_stage_rate_deals k, t, sample
    where sample.kept and k.bucket < sample.k
      and k.closed_at < t.t_end and k.first_entered_at < t.t_end
      and k.last_entered_at >= t.t_from
      and (k.last_entered_at < t.t_end or k.first_entered_at >= t.t_from
        or exists (select from analytics.f_stage_entries e where e.deal_id = k.deal_id
          and e.stage = k.stage and e.entered_at >= t.t_from and e.entered_at < t.t_end))
    group by k.stage
    union all
    select st.stage, count(*) as deals, count(*) filter (where p.won) as won
    from per p join st on st.is_open and get_bit(p.m, st.i) = 1
    where p.closed and p.m is not null
    group by st.stage
  )
  select s.stage, coalesce(n.deals, 0), coalesce(n.won, 0),
    analytics.pct(coalesce(n.won, 0), coalesce(n.deals, 0)), s.probability
  from analytics.stage_settings s
  left join n on n.stage = s.stage
  where s.is_open
  order by s.position
$$;
comment on function analytics.forecast_stage_rates(date, integer, integer) is
  'Per open stage: deals that entered it in the last p_quarters quarters and closed by p_as_of, '
  'the share won (history_pct) and Zoho''s default probability (zoho_pct)';

-- The quarter forecast as of p_as_of: a seeded simulation of p_trials quarters (the same answer on
-- every run for the same data). Each trial draws the 100 open deals with the largest spread
-- (Amount × √(p(1 − p))) one by one (won when the draw < p), adds the other open deals as a normal
-- with their exact mean Σ p·Amount and variance Σ p(1 − p)·Amount² (no one of them is larger than
-- the 100th, so their sum is close to normal), and one past quarter's new business picked at
-- random (analytics.forecast_new_business); every deal's chance is scaled by one quarter-wide
-- swing per trial (analytics.forecast_deals' shocks). With fewer than 30 deals of history the
-- probabilities are Zoho's stage probabilities (method 'stage_probabilities', said in `note`).
-- weighted_baseline = won + Σ Amount × Zoho probability over open deals closing in the quarter
-- (the classic forecast, kept beside it for the backtest).
create or replace function analytics.forecast(p_as_of date, p_quarters integer default 8,
  p_trials integer default 2000)
returns jsonb
language plpgsql stable
set jit = off
-- The stage rates' statement is planned with the sample's size (v_k) as a value: read inside the
-- main statement as a column of its result, it was planned without it.
set plan_cache_mode = force_custom_plan
as $$
declare
  seed bigint := p_as_of - date '2000-01-01';
  out jsonb;
  v_k integer;
begin
  with o as materialized (select * from analytics.forecast_deals(p_as_of, p_quarters)),
  meta as (
    select coalesce(max(o.history_deals), 0) as deals, coalesce(max(o.history_obs), 0) as obs,
      max(o.sample_k) as sample_k,
      coalesce((select o2.shocks from o o2 limit 1), '{}'::double precision[]) as shocks
    from o
  ),
  -- Only what the simulation and the JSON use (every row of o carries the swings array and the
  -- training's totals; copied into d and ranked they cost 18 ms of 437 at 1M leads).
  d as (
    select o.deal_id, o.stage, o.days_in_stage, o.amount, o.closing_date, o.zoho_p,
      case when m.deals < 30 then o.zoho_p else o.p end as pp
    from o, meta m where coalesce(o.amount, 0) > 0
  ),
  -- The spread that ranks them in double precision: the chances carry some 30 digits, and their
  -- numeric square roots for the 13.8k open deals at 1M leads cost the forecast 15 ms (412 → 396
  -- ms alternated in the daily state, the same JSON). Two spreads equal to 15 digits fall back to
  -- the deal id, as equal ones always did.
  ranked as materialized (
    select d.*, row_number() over (order by d.amount::double precision
        * sqrt(d.pp::double precision * (1 - d.pp::double precision)) desc,
      d.deal_id) as rn, hashtextextended(d.deal_id, seed) as h
    from d
  ),
  -- The rest's sums, so a trial's swing m scales them: mean m·Σap, variance m·Σa²p − m²·Σa²p².
  rest as (
    select coalesce(sum(r.amount * r.pp), 0) as s1, coalesce(sum(r.amount ^ 2 * r.pp), 0) as s2,
      coalesce(sum(r.amount ^ 2 * r.pp ^ 2), 0) as s3
    from ranked r where r.rn > 100
  ),
  nb as (
    select coalesce(array_agg(n.amount order by n.quarter_start), '{}') as a
    from analytics.forecast_new_business(p_as_of, p_quarters) n
  ),
  rev as (
    select coalesce(r.revenue, 0) as won, r.target, r.start_day, r.end_day
    from analytics.revenue(p_as_of) r where r.period = 'qtd'
  ),
  per as (select w.start_day, w.full_end from analytics.periods(p_as_of) w where w.period = 'qtd'),
  -- The quarter's wins up to as_of per Closing_Date (analytics.revenue's rules), read once for the
  -- path's days (a sum per day read the quarter's won deals again for each: 60 ms at 1M leads).
  won_days as materialized (
    select f.closing_date as day, sum(coalesce(f.amount, 0)) as amount
    from analytics.f_deals f, per
    where f.is_won and f.created_day <= p_as_of and f.closing_date >= per.start_day
      and f.closing_date <= p_as_of
      and analytics.alive_at(f.deleted_at, analytics.day_end(p_as_of))
    group by f.closing_date
  ),
  -- Each trial's quarter-wide swing (analytics.forecast_deals' shocks; none on a thin history).
  -- si = the swing's index in the shocks (0: none, m = 1), drawn once per trial.
  tr as materialized (
    select x.t, x.si, case when x.si = 0 then 1::numeric else m.shocks[x.si]::numeric end as m
    from meta m
    cross join lateral (
      select g as t, case when m.deals < 30 or cardinality(m.shocks) = 0 then 0
        else 1 + floor(analytics.forecast_u(seed, 'sh:' || g) * cardinality(m.shocks))::integer
        end as si
      from generate_series(1, p_trials) g
    ) x
  ),
  top as materialized (select r.* from ranked r where r.rn <= 100),
  -- Each top deal's chance under each swing, as the double precision its draws are compared
  -- with, once per (deal, swing) rather than once per trial: the numeric product and its
  -- conversion cost more than the draw (forecast 985-1062 → 923-983 ms at 1M, the same JSON).
  thr as materialized (
    select r.h, r.amount, ms.si, least(1, r.pp * ms.m)::double precision as p
    -- (a draw of exactly 1 picks no swing: m is null and, as when the join was on m, the trial
    -- draws no top deal)
    from top r cross join (select distinct tr.si, tr.m from tr where tr.m is not null) ms
  ),
  -- The 200,000 draws (2,000 trials × 100 deals) meet their chances by the swing's integer index
  -- and are summed per trial: joined and grouped on the numeric swing itself, hashing it per
  -- draw cost more than the draws (78 → 31 ms at 1M leads, the same sums).
  top_sim as (
    select tr.t, coalesce(sum(x.amount) filter (
      where analytics.forecast_draw(x.h, tr.t) < x.p), 0) as s
    from tr left join thr x on x.si = tr.si
    group by tr.t
  ),
  trial as (
    select s.t, rev.won + s.s + greatest(0, tr.m * rest.s1
        + sqrt(greatest(0, tr.m * rest.s2 - tr.m ^ 2 * rest.s3))
        * (sqrt(-2 * ln(analytics.forecast_u(seed, 'z1:' || s.t)))
        * cos(2 * pi() * analytics.forecast_u(seed, 'z2:' || s.t)))::numeric)
      + case when cardinality(nb.a) = 0 then 0
        else nb.a[1 + floor(analytics.forecast_u(seed, 'nb:' || s.t) * cardinality(nb.a))::integer]
        end as total
    from top_sim s join tr on tr.t = s.t, rev, rest, nb
  ),
  dist as (
    select percentile_disc(array[0.1, 0.5, 0.9]) within group (order by t.total) as q,
      count(*) as n, rev.target,
      count(*) filter (where t.total >= rev.target) as hits
    from trial t, rev group by rev.target
  )
  select jsonb_build_object(
    'as_of', p_as_of,
    'quarter_start', per.start_day,
    'quarter_end', per.full_end,
    'target', rev.target,
    'won_to_date', rev.won,
    -- (from ranked, which holds every row of d: read only there, d is not stored a second time,
    -- 13.8k rows at 1M leads)
    'open_deals', (select count(*) from ranked d),
    'open_expected', round((select coalesce(sum(d.amount * d.pp), 0) from ranked d), 2),
    'new_business_expected', round((select coalesce(avg(x), 0) from unnest(nb.a) x), 2),
    'new_business_quarters', cardinality(nb.a),
    'p10', round(dist.q[1], 2),
    'p50', round(dist.q[2], 2),
    'p90', round(dist.q[3], 2),
    'chance_of_target_pct', case when rev.target is not null
      then analytics.pct(dist.hits, dist.n) end,
    'gap_p50', round(rev.target - dist.q[2], 2),
    'weighted_baseline', round(rev.won + (select coalesce(sum(d.amount * d.zoho_p), 0) from ranked d
      where d.closing_date >= per.start_day and d.closing_date < per.full_end), 2),
    'method', case when m.deals < 30 then 'stage_probabilities' else 'history' end,
    'history_deals', m.deals,
    'history_observations', m.obs,
    'trials', p_trials,
    'note', case when m.deals < 30 then format('Only %s deals of history in the last %s quarters: '
      'the chances are Zoho''s stage probabilities, not learned.', m.deals, p_quarters) end,
    'drivers', coalesce((
      select jsonb_agg(jsonb_build_object('deal_id', r.deal_id, 'name', cd.name,
        'stage', r.stage, 'amount', r.amount, 'chance_pct', round(100 * r.pp, 1),
        'zoho_pct', round(100 * r.zoho_p, 1), 'days_in_stage', r.days_in_stage,
        'expected', round(r.amount * r.pp, 2)) order by r.rn)
      from ranked r left join crm.deals cd on cd.id = r.deal_id where r.rn <= 5), '[]'),
    -- The chart's path: won to date at each week's end up to as_of (analytics.revenue's rules),
    -- then straight lines from as_of's won to the quarter-end P10, P50 and P90.
    'path', (
      select jsonb_agg(jsonb_build_object('day', x.day,
        'won', case when x.day <= p_as_of then (
          select coalesce(sum(w.amount), 0) from won_days w where w.day <= x.day) end,
        'p10', case when x.day >= p_as_of then round(rev.won + (dist.q[1] - rev.won)
          * x.frac, 2) end,
        'p50', case when x.day >= p_as_of then round(rev.won + (dist.q[2] - rev.won)
          * x.frac, 2) end,
        'p90', case when x.day >= p_as_of then round(rev.won + (dist.q[3] - rev.won)
          * x.frac, 2) end,
        'target', rev.target) order by x.day)
      from (
        select d.day, case when d.day <= p_as_of then 0
          else (d.day - p_as_of)::numeric / greatest(per.full_end - 1 - p_as_of, 1) end as frac
        from (
          select distinct g::date as day
          from generate_series(per.start_day + 6, per.full_end - 1, interval '7 days') g
          union select p_as_of union select per.full_end - 1
        ) d
      ) x)
  ), m.sample_k
  into out, v_k
  from dist, rev, per, nb, meta m;
  out := out || jsonb_build_object('stage_rates', coalesce((
    select jsonb_agg(to_jsonb(s)) from analytics.forecast_stage_rates(p_as_of, p_quarters, v_k) s),
    '[]'));
  return out;
end
$$;
comment on function analytics.forecast(date, integer, integer) is
  'Quarter revenue forecast: P10/P50/P90 and chance of target by seeded simulation of won to '
  'date + open deals (analytics.forecast_deals) + new business; drivers, stage rates, and the '
  'weighted-pipeline baseline beside it';

-- The backtest: as of the last day of each week of each of the last p_quarters completed quarters
-- before p_as_of's, the forecast with only what was known that day, against what the quarter
-- closed at (analytics.revenue as of the quarter's last day, seen from p_as_of's data).
create or replace function analytics.forecast_backtest(p_as_of date, p_quarters integer default 8,
  p_trials integer default 500)
returns table (quarter_start date, week integer, as_of date, p10 numeric, p50 numeric,
  p90 numeric, baseline numeric, actual numeric)
language sql stable
set jit = off
as $$
  with q as (
    select (date_trunc('quarter', p_as_of::timestamp) - k * interval '3 months')::date as qs
    from generate_series(1, p_quarters) k
  ),
  pts as (
    select q.qs, w as week,
      least(q.qs + 7 * w - 1, ((q.qs + interval '3 months')::date - 1)) as day
    from q cross join generate_series(1, 13) w
  )
  select pts.qs, pts.week, pts.day, (f ->> 'p10')::numeric, (f ->> 'p50')::numeric,
    (f ->> 'p90')::numeric, (f ->> 'weighted_baseline')::numeric,
    (select coalesce(sum(d.amount), 0) from analytics.f_deals d
      where d.is_won and d.closing_date >= pts.qs
        and d.closing_date < (pts.qs + interval '3 months')::date
        and analytics.alive_at(d.deleted_at, analytics.day_end(p_as_of)))
  from pts
  cross join lateral analytics.forecast(pts.day, p_quarters, p_trials) f
  order by pts.qs, pts.week
$$;
comment on function analytics.forecast_backtest(date, integer, integer) is
  'Forecast as of each week''s last day of the last p_quarters completed quarters (only what was '
  'known then) against the quarter''s actual Closed Won revenue by Closing_Date';

-- What the forecast reads of the stage entries by index: a deal's hash bucket (the training
-- sample, with what training reads of a stay, so the stays are not fetched one by one), the stays
-- still open (today's by stage, those that ended after a past as_of by left_at) and the Closed
-- Won entries per deal (a deal's first win: the training's won day, analytics.first_wins).
create index if not exists f_stage_entries_sample_idx
  on analytics.f_stage_entries ((hashtext(deal_id) & 1023))
  include (deal_id, stage, entered_at, left_at, closing_date);
create index if not exists f_stage_entries_current_idx on analytics.f_stage_entries (stage, entered_at)
  include (deal_id, closing_date) where left_at is null;
-- Only the stays that ended: for `left_at is null` this index was chosen over the current stays'
-- (the planner takes 170k of the 200k current stays to be in an open stage; 11.8k are, at 1M
-- leads), and read every current stay: 17k buffers against 0.4k, forecast_deals 230 → 162 ms.
create index if not exists f_stage_entries_left_idx on analytics.f_stage_entries (left_at)
  where left_at is not null;
create index if not exists f_stage_entries_won_idx on analytics.f_stage_entries (deal_id, entered_at)
  where stage = 'Closed Won';
-- The company's first deal (new business counts quarters from it): by index, not a read of every
-- deal (200k at 1M leads: some 45 ms of the forecast's).
create index if not exists f_deals_created_idx on analytics.f_deals (created_at);
-- The amount bands' terciles and the deal count (analytics.forecast_deals, the kept observations'
-- build) from the index alone: a read of every deal's row cost 50-60 ms of the forecast's at 1M
-- leads (200k deals), the index 30.
create index if not exists f_deals_amount_idx on analytics.f_deals (amount) include (created_at)
  where amount > 0;
