-- Will we make the quarter? The quarter's revenue as a distribution (P10, P50, P90, chance of the
-- target), learned from this company's own stage history (analytics.f_stage_entries: Zoho's
-- Stage_History merged with the versions we observed), and its backtest. This file: the model's
-- inputs (deal cells, training deals, new business); the simulation: analytics/forecast_sim.sql.
--
-- revenue of the quarter = won so far (analytics.revenue, qtd: the tile's figure)
--                        + Σ over deals open at the end of as_of: Amount × [won by quarter end]
--                        + new business (deals not yet created, created and won in the quarter)
--
-- Everything is "as known at the end of as_of": stages come from the stage entries up to then
-- (not today's Stage), outcomes that train the model had happened by then. Amounts are the deal's
-- current Amount (Zoho's Stage_History rows carry the amount too; the facts do not keep it yet).

-- The cell of a deal: whether its Closing_Date then falls before the horizon's end (0 yes, 1 no,
-- 2 unknown), days in stage, age in days and amount band, as small integers. The time in stage and
-- the age come as seconds and are compared with the bands' bounds in seconds (whole days of
-- 86,400 s): the same bands as the span in days, without a numeric division per deal (13.8k open
-- deals a day at 1M leads: forecast_deals 163 → 148 ms in the daily state, the same rows).
create or replace function analytics.forecast_cell(stage_seconds numeric, age_seconds numeric,
  amount numeric, b1 double precision, b2 double precision, closing_date date, horizon_end date)
returns integer[]
language sql immutable parallel safe
as $$
  select array[
    case when closing_date is null then 2 when closing_date < horizon_end then 0 else 1 end,
    case when stage_seconds < 15 * 86400 then 0 when stage_seconds < 46 * 86400 then 1
      when stage_seconds < 91 * 86400 then 2 else 3 end,
    case when age_seconds is null or age_seconds < 31 * 86400 then 0
      when age_seconds < 91 * 86400 then 1 when age_seconds < 181 * 86400 then 2 else 3 end,
    case when coalesce(amount, 0) <= b1 then 0 when amount <= b2 then 1 else 2 end]
$$;

-- The forecast's training sample for a company of n deals (with an Amount): the deals whose id
-- hashes (hashtext(id) & 1023) into the first k of 1,024 buckets, about 10,000 deals, all of them
-- up to 10,000. The same deals on every run; k only shrinks as the company grows.
create or replace function analytics.forecast_sample_k(n bigint) returns integer
language sql immutable parallel safe
as $$ select case when n <= 10000 then 1024 else (1024 * 10000 / n)::integer end $$;
comment on function analytics.forecast_sample_k(bigint) is
  'Sample buckets (of 1,024) for n deals: 1,024 up to 10,000 deals, else 1024 × 10000 ÷ n';

-- The forecast's amount bands: of the deals created before p_end (deleted or not) with an Amount
-- above 0, the count and the terciles exactly as
--   count(*), percentile_cont(1 / 3.0) and percentile_cont(2 / 3.0) within group (order by amount)
-- give them, from the kept count per amount bucket (analytics.r_deal_amounts) less the deals
-- created since p_end: the two ranks around each tercile are found in the buckets' running
-- counts, and each amount is read at its offset in its bucket from f_deals_amount_idx. Sorting
-- every deal's amount each day cost about 100 ms of forecast_deals at 1M leads (200k deals); the
-- buckets are a few hundred rows. When more than a tenth of the deals came after p_end (a
-- backtest's past day), the amounts are sorted as before.
create or replace function analytics.deal_amount_terciles(p_end timestamptz, out deals bigint,
  out b1 double precision, out b2 double precision)
language plpgsql stable
as $$
declare
  v_late bigint;
  v_buckets integer[];
  v_counts bigint[];
  v_ranks double precision[];
  v_vals double precision[] := '{}';
  v_rank bigint;
  v_before bigint;
  v_i integer;
  v_p double precision;
  v_r double precision;
  v_lo double precision;
  v_hi double precision;
begin
  -- The kept count per bucket less the deals created since p_end (by f_deals_created_idx: none,
  -- or a day's for a snapshot of yesterday).
  with late as materialized (
    select analytics.amount_bucket(d.amount) as bucket, count(*) as n
    from analytics.f_deals d where d.created_at >= p_end and d.amount > 0
    group by 1
  ),
  x as (
    select r.bucket, sum(r.deals) - coalesce(max(l.n), 0) as n
    from analytics.r_deal_amounts r
    left join late l on l.bucket = r.bucket
    group by r.bucket
  )
  select array_agg(x.bucket order by x.bucket) filter (where x.n <> 0),
    array_agg(x.n order by x.bucket) filter (where x.n <> 0), coalesce(sum(x.n), 0),
    (select coalesce(sum(l.n), 0) from late l)
  into v_buckets, v_counts, deals, v_late
  from x;
  if v_late * 10 > deals + v_late then
    select count(*), coalesce(percentile_cont(1 / 3.0) within group (order by d.amount), 0),
      coalesce(percentile_cont(2 / 3.0) within group (order by d.amount), 0)
    into deals, b1, b2
    from analytics.f_deals d where d.created_at < p_end and d.amount > 0;
    return;
  end if;
  if deals = 0 then
    b1 := 0;
    b2 := 0;
    return;
  end if;
  -- percentile_cont: the row numbers (from 0) floor and ceil of p × (n − 1), interpolated
  -- lo + (hi − lo) × (p × (n − 1) − floor), over the amounts as double precision.
  foreach v_p in array array[(1 / 3.0)::double precision, (2 / 3.0)::double precision] loop
    v_r := v_p * (deals - 1)::double precision;
    v_ranks := array[]::double precision[];
    foreach v_rank in array array[floor(v_r)::bigint, ceil(v_r)::bigint] loop
      v_before := 0;
      v_i := 1;
      while v_before + v_counts[v_i] <= v_rank loop
        v_before := v_before + v_counts[v_i];
        v_i := v_i + 1;
      end loop;
      v_ranks := v_ranks || (
        select d.amount::double precision from analytics.f_deals d
        where d.amount > 0 and d.amount >= analytics.amount_bucket_floor(v_buckets[v_i])
          and d.created_at < p_end
        order by d.amount
        offset v_rank - v_before limit 1);
    end loop;
    v_lo := v_ranks[1];
    v_hi := v_ranks[2];
    v_vals := v_vals || case when ceil(v_r) > floor(v_r)
      then v_lo + (v_hi - v_lo) * (v_r - floor(v_r)) else v_lo end;
  end loop;
  b1 := v_vals[1];
  b2 := v_vals[2];
end
$$;
comment on function analytics.deal_amount_terciles(timestamptz) is
  'Deals created before p_end with an Amount above 0 (deleted or not): their count and the '
  'amounts'' terciles as percentile_cont(1/3, 2/3) gives them, from analytics.r_deal_amounts';

-- A deal's chance of being won within h (the days left in the quarter), from every week of the
-- last p_quarters quarters: at each Monday 00:00 (company time) whose horizon (h days later) ended
-- by the end of as_of, every sampled deal then in an open stage is one observation
-- (analytics/forecast_keep.sql), won when its first Closed Won entry falls in (Monday, Monday + h].
-- Cells narrow in five levels: stage; + whether the deal's Closing_Date as then known falls inside
-- the horizon (the stage entry's Stage_History row or observed version says it); + days in stage
-- (0-14, 15-45, 46-90, 91+); + deal age (0-30, 31-90, 91-180, 181+ days); + amount band
-- (terciles of the company's deal amounts). Each
-- level is shrunk toward the level above (beta-binomial, k pseudo-observations):
--     p_level = (won_level + k · p_parent) ÷ (n_level + k),   k = 5,
-- and the stage level toward Zoho's default probability of the stage (analytics.stage_settings):
-- a thin cell says what its stage says, a thin stage what Zoho says. n counts deal-weeks (a deal
-- open six weeks is six observations). k was chosen on the demo company's backtest (deno task
-- bench forecast): k = 20 missed the mid-quarter actual by 18.3% (median), k = 5 by 8.1%.
-- Instants are calendar weeks so that the observations stay the same from day to day and can be
-- kept (instants counted back from as_of − h moved every day; the backtest with Mondays: 87.5 %
-- of 80% intervals held the actual on the demo company against 86.5 %, docs/scaling_snapshot.md).
-- Scored: the deals in an open stage at the end of as_of, with their features then; history_deals
-- = distinct deals observed in training (the caller falls back to Zoho's probabilities when thin);
-- sample_k = the training sample's buckets (of 1,024), which analytics.forecast_stage_rates
-- takes instead of counting the deals again.
create or replace function analytics.forecast_deals(p_as_of date, p_quarters integer default 8)
returns table (deal_id text, stage text, days_in_stage integer, age_days integer,
  amount numeric, closing_date date, zoho_p numeric, p numeric, history_deals bigint,
  history_obs bigint, shocks double precision[], sample_k integer)
language plpgsql stable
-- Planned with its values (the open stages, the Mondays, whether the kept observations serve):
-- a generic plan cannot tell the few stays open now from all of them. No JIT: compiling cost more
-- than the query on the demo company.
set jit = off
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
declare
  -- v_hd = days left in the quarter after as_of (the horizon); v_m0 = the last training Monday,
  -- the latest whose horizon ends by the end of as_of (v_m0 + v_hd ≤ as_of + 1); v_from = the
  -- first, 13 weeks a quarter before it. Scalars first, so the planner sees their values.
  v_end_ts timestamptz := analytics.day_end(p_as_of);
  v_horizon date := (select w.full_end from analytics.periods(p_as_of) w where w.period = 'qtd');
  v_hd integer := v_horizon - (p_as_of + 1);
  v_m0 date := analytics.monday_of(p_as_of + 1 - v_hd);
  v_from date := v_m0 - 91 * p_quarters;
  v_deals bigint;
  v_k integer;
  v_kept boolean;
  v_dirty text[];
  v_b1 double precision;
  v_b2 double precision;
  v_open text[] := array(select s.stage from analytics.stage_settings s where s.is_open);
begin
  -- A large company trains on a fixed sample of about 10,000 deals (the deals whose id hashes
  -- into the first k of 1,024 buckets, the same on every run): the cost stays flat as the company
  -- grows, and 10,000 deals are some 45,000 deal-weeks, far more than the cells need. Amount
  -- bands: terciles of the deals' amounts (analytics.deal_amount_terciles).
  select t.deals, t.b1, t.b2 into v_deals, v_b1, v_b2
  from analytics.deal_amount_terciles(v_end_ts) t;
  v_k := analytics.forecast_sample_k(v_deals);
  -- The kept observations serve when the facts are built and they cover the sample and the last
  -- Monday; the deals marked stale since the last settle (usually none) are computed instead.
  v_kept := exists (select from analytics.facts_built)
    and exists (select from analytics.f_forecast_obs_kept k where k.k >= v_k
      and k.through >= v_m0);
  v_dirty := array(select distinct d.deal_id from analytics.f_forecast_obs_dirty d);
  return query
  with st as (
    select s.stage, s.probability / 100.0 as p0 from analytics.stage_settings s where s.is_open
  ),
  -- The kept observations and the computed ones (the deals marked stale, or all when the kept
  -- rows do not cover this day). Each is read once for the cells and once for its deals: the
  -- kept by scanning them again, the computed (none on most days) from one computation. One
  -- materialized set of every observation, read by three queries, cost forecast_deals about
  -- 55 ms more at 1M leads (44k observations stored and read back).
  kept as not materialized (
    select o.deal_id, o.monday, o.stage, o.ds, o.ag, o.amount, o.closing_date, o.won_day
    from analytics.f_forecast_obs o
    where v_kept and o.bucket < v_k and o.monday >= v_from and o.monday <= v_m0
      and o.deal_id <> all(v_dirty)
  ),
  comp as materialized (
    select o.deal_id, o.monday, o.stage, o.ds, o.ag, o.amount, o.closing_date, o.won_day
    from analytics.forecast_obs_rows(v_k, v_from, v_m0, v_dirty) o
    where v_kept and cardinality(v_dirty) > 0
    union all
    select o.deal_id, o.monday, o.stage, o.ds, o.ag, o.amount, o.closing_date, o.won_day
    from analytics.forecast_obs_rows(v_k, v_from, v_m0) o
    where not v_kept
  ),
  -- Each observation's cell (Closing_Date inside its horizon, days in stage, age, amount band)
  -- and outcome, counted per finest cell and quarter point in one pass: q = the number of
  -- quarters (13 weeks) before v_m0 of an observation on every 13th Monday back, null between.
  -- The coarser levels are summed from those few hundred rows (five grouping sets over the 44k
  -- observations at 1M leads hashed each one five times: 220 → 185 ms of forecast_deals).
  cq as materialized (
    select o.stage, o.cd, o.ds, o.ag, o.am, o.q, count(*) as n, count(*) filter (where o.won) as w
    from (
      select o.stage,
        case when o.closing_date is null then 2 when o.closing_date < o.monday + v_hd then 0
          else 1 end as cd,
        o.ds, o.ag,
        case when coalesce(o.amount, 0) <= v_b1 then 0 when o.amount <= v_b2 then 1 else 2 end
          as am,
        case when (v_m0 - o.monday) / 7 % 13 = 0 then (v_m0 - o.monday) / 7 / 13 end as q,
        coalesce(o.won_day > o.monday and o.won_day <= o.monday + v_hd, false) as won
      from (select * from kept union all select * from comp) o
    ) o
    group by o.stage, o.cd, o.ds, o.ag, o.am, o.q
  ),
  cnt as (
    select c.stage, c.cd, c.ds, c.ag, c.am, grouping(c.cd, c.ds, c.ag, c.am) as g,
      sum(c.n)::bigint as n, sum(c.w)::bigint as w
    from cq c
    group by grouping sets ((c.stage), (c.stage, c.cd), (c.stage, c.cd, c.ds),
      (c.stage, c.cd, c.ds, c.ag), (c.stage, c.cd, c.ds, c.ag, c.am))
  ),
  -- (the deals by a hashed distinct: count(distinct) sorted the 44k observations' ids at 1M
  -- leads, forecast_deals 228 → 221 ms. Materialized, as the swings below: each is one row
  -- joined to every open deal, and with the join to pc estimated at one row the planner re-ran
  -- the swings' aggregate once per deal, 1.88 s at 1M leads.)
  tot as materialized (
    select (select count(*) from (select distinct o.deal_id
        from (select k.deal_id from kept k union all select c.deal_id from comp c) o) x) as deals,
      (select coalesce(sum(c.n), 0)::bigint from cq c) as n
  ),
  -- (Floating-point sums depend on the order of their terms: the aggregates over qk take theirs
  -- in a fixed order, so the swings do not change with the plan, nor between the kept and the
  -- computed observations.)
  -- Quarter-wide swings: at the same point of each past quarter (every 13th Monday), the
  -- deals then open won r = actual ÷ expected times what their stages' rates say. Part of r's
  -- spread is chance (few deals); only the part beyond it is a swing that moves every deal at
  -- once: shock = 1 + λ(r ÷ mean r − 1), λ = max(0, 1 − mean chance variance ÷ variance of r). A small
  -- company's swings are mostly chance (λ near 0); a large one's are real and widen the range.
  sp as (
    select c.stage, (c.w + 5 * st.p0) / (c.n + 5) as p1 from cnt c join st on st.stage = c.stage
    where c.g = 15
  ),
  -- (per quarter point from its cells: Σ over the observations of p1 is Σ n · p1, exactly the
  -- same numeric sums as when each observation was joined to its stage's rate)
  qk as (
    select sum(c.w)::double precision / sum(c.n * sp.p1)::double precision as r,
      (sum(c.n * (sp.p1 * (1 - sp.p1))) / sum(c.n * sp.p1) ^ 2)::double precision as chance_var
    from cq c join sp on sp.stage = c.stage
    where c.q is not null
    group by c.q
    having sum(c.n * sp.p1) > 0
  ),
  lam as (
    select case when count(*) < 3 or coalesce(var_samp(qk.r order by qk.r), 0) = 0 then 0
      else greatest(0, 1 - avg(qk.chance_var order by qk.chance_var)
        / var_samp(qk.r order by qk.r)) end as l
    from qk
  ),
  -- Swings around their own mean: they widen the range, they do not move its middle (a
  -- day-of-quarter effect in r would otherwise shift every trial the same way).
  shock as materialized (
    select coalesce(array_agg(1 + lam.l * (qk.r / m.r - 1) order by qk.r), '{}') as a
    from qk, lam, (select avg(q.r order by q.r) as r from qk q) m
    where m.r > 0
  ),
  -- Every deal in an open stage at the end of as_of (its stay began by then and had not ended),
  -- then its deal row (the deal's Closing_Date when the stay carries none). The stays open today
  -- come from f_stage_entries_current_idx (a few percent of the deals' current stays are open),
  -- the ones that ended after as_of from f_stage_entries_left_idx. The rows: the deals open now,
  -- read at once from f_deals_open_closing_idx and hashed, and by primary key only those not
  -- among them (a deal open at as_of and closed since). One probe per deal (13.8k at 1M leads,
  -- 63k buffers) cost forecast_deals 239 ms against 184 so, the same rows.
  on0 as materialized (
    select e.deal_id, e.stage, e.entered_at, e.closing_date, st.p0
    from (
      select c.deal_id, c.stage, c.entered_at, c.closing_date from analytics.f_stage_entries c
      where c.stage = any(v_open) and c.left_at is null and c.entered_at < v_end_ts
      union all
      select c.deal_id, c.stage, c.entered_at, c.closing_date from analytics.f_stage_entries c
      where c.stage = any(v_open) and c.left_at >= v_end_ts and c.entered_at < v_end_ts
    ) e
    join st on st.stage = e.stage
  ),
  open_now as materialized (
    select e.deal_id, e.stage, e.entered_at, e.p0, d.created_at, d.amount, x.closing_date,
      c.cell[1] as c1, c.cell[2] as c2, c.cell[3] as c3, c.cell[4] as c4
    from on0 e
    left join (select o.id, o.created_at, o.amount, o.closing_date from analytics.f_deals o
      where not o.is_closed) od on od.id = e.deal_id
    left join lateral (select d.created_at, d.amount, d.closing_date from analytics.f_deals d
      where od.id is null and d.id = e.deal_id limit 1) d0 on true
    cross join lateral (select case when od.id is null then d0.created_at else od.created_at end
      as created_at, case when od.id is null then d0.amount else od.amount end as amount,
      case when od.id is null then d0.closing_date else od.closing_date end as closing_date) d
    cross join lateral (select coalesce(e.closing_date, d.closing_date) as closing_date) x
    -- the cell once per deal, its four parts as columns (subscripting the array in each join
    -- condition built and copied it again: 20 ms of the scoring's 265 at 1M leads)
    cross join lateral (select analytics.forecast_cell(
      extract(epoch from v_end_ts - e.entered_at), extract(epoch from v_end_ts - d.created_at),
      d.amount, v_b1, v_b2, x.closing_date, v_horizon) as cell offset 0) c
  ),
  -- The five levels once per distinct cell of the open deals (84 of 13.8k deals at 1M leads),
  -- then joined to each deal: the same numeric divisions, five per cell instead of five per deal
  -- (materialized, so the shrinkage runs once and the join below hashes its few rows).
  pc as materialized (
    select x.stage, x.c1, x.c2, x.c3, x.c4, p5.p
    from (select distinct o.stage, o.p0, o.c1, o.c2, o.c3, o.c4 from open_now o) x
    left join cnt c1 on c1.g = 15 and c1.stage = x.stage
    left join cnt c2 on c2.g = 7 and c2.stage = x.stage and c2.cd = x.c1
    left join cnt c3 on c3.g = 3 and c3.stage = x.stage and c3.cd = x.c1
      and c3.ds = x.c2
    left join cnt c4 on c4.g = 1 and c4.stage = x.stage and c4.cd = x.c1
      and c4.ds = x.c2 and c4.ag = x.c3
    left join cnt c5 on c5.g = 0 and c5.stage = x.stage and c5.cd = x.c1
      and c5.ds = x.c2 and c5.ag = x.c3 and c5.am = x.c4
    cross join lateral (select (coalesce(c1.w, 0) + 5 * x.p0) / (coalesce(c1.n, 0) + 5) as p) p1
    cross join lateral (select (coalesce(c2.w, 0) + 5 * p1.p) / (coalesce(c2.n, 0) + 5) as p) p2
    cross join lateral (select (coalesce(c3.w, 0) + 5 * p2.p) / (coalesce(c3.n, 0) + 5) as p) p3
    cross join lateral (select (coalesce(c4.w, 0) + 5 * p3.p) / (coalesce(c4.n, 0) + 5) as p) p4
    cross join lateral (select (coalesce(c5.w, 0) + 5 * p4.p) / (coalesce(c5.n, 0) + 5) as p) p5
  )
  select o.deal_id, o.stage,
    floor(extract(epoch from v_end_ts - o.entered_at) / 86400)::integer,
    floor(extract(epoch from v_end_ts - o.created_at) / 86400)::integer,
    o.amount, o.closing_date, o.p0, pc.p, tot.deals, tot.n, shock.a, v_k
  from open_now o
  cross join tot
  cross join shock
  join pc on pc.stage = o.stage and pc.c1 = o.c1 and pc.c2 = o.c2 and pc.c3 = o.c3
    and pc.c4 = o.c4;
end
$$;
comment on function analytics.forecast_deals(date, integer) is
  'Deals open at the end of p_as_of with their chance of being won by the quarter end, learned '
  'from the last p_quarters quarters of stage history (stage, days in stage, age, amount band; '
  'each level shrunk toward the one above, the stage toward Zoho''s probability, k = 5)';

-- Each won deal's first win, with its creation and Amount: what the forecast's new business asks
-- of every past quarter (deals created and first won after the same day of that quarter as
-- as_of). Read through the Closed Won entries by time, each deal by primary key and its first
-- win by index, that cost 96k buffers and 57 ms a day at 1M leads (20k wins in the windows); this
-- table's index answers it alone (84k rows, 8 ms). One definition, analytics.first_wins; the
-- kept rows follow every write of the stage entries and the deal facts, in the same statement.
create view analytics.first_wins as
select d.id as deal_id, w.won_at, d.created_at, d.amount
from analytics.f_deals d
cross join lateral (select min(e.entered_at) as won_at from analytics.f_stage_entries e
  where e.deal_id = d.id and e.stage = 'Closed Won') w
where w.won_at is not null;
comment on view analytics.first_wins is
  'Each deal''s first Closed Won entry with its creation and Amount (kept in f_first_wins)';

create unlogged table analytics.f_first_wins (
  deal_id text primary key,
  won_at timestamptz not null,
  created_at timestamptz,
  amount numeric
);
comment on table analytics.f_first_wins is
  'analytics.first_wins kept: every won deal''s first win, creation and Amount';
create index f_first_wins_won_idx on analytics.f_first_wins (won_at) include (created_at, amount);
alter table analytics.f_first_wins enable row level security;
revoke all on analytics.f_first_wins from anon, authenticated;
grant select on analytics.f_first_wins to service_role;

-- A statement that wrote deal facts, or Closed Won entries, recomputes those deals' rows (a
-- deleted deal's row goes). Truncating either (the full rebuild) empties it; the rebuild's
-- inserts fill it again.
create or replace function analytics.keep_first_wins() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  ids text[];
begin
  if tg_op = 'TRUNCATE' then
    truncate analytics.f_first_wins;
    return null;
  end if;
  if tg_table_name = 'f_deals' then
    if tg_op = 'INSERT' then
      ids := array(select n.id from new_rows n);
    elsif tg_op = 'DELETE' then
      ids := array(select o.id from old_rows o);
    else
      ids := array(select n.id from new_rows n union select o.id from old_rows o);
    end if;
  elsif tg_op = 'INSERT' then
    ids := array(select distinct n.deal_id from new_rows n where n.stage = 'Closed Won');
  elsif tg_op = 'DELETE' then
    ids := array(select distinct o.deal_id from old_rows o where o.stage = 'Closed Won');
  else
    ids := array(select n.deal_id from new_rows n where n.stage = 'Closed Won'
      union select o.deal_id from old_rows o where o.stage = 'Closed Won');
  end if;
  -- (a deal fact deleted has no first win; the sync's replacement inserts it again next)
  if cardinality(ids) > 0 then
    perform analytics.keep_deal_rows('analytics.f_first_wins', 'analytics.first_wins', ids);
  end if;
  return null;
end
$$;
create trigger f_deals_first_wins_insert after insert on analytics.f_deals
  referencing new table as new_rows
  for each statement execute function analytics.keep_first_wins();
create trigger f_deals_first_wins_update after update on analytics.f_deals
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.keep_first_wins();
create trigger f_deals_first_wins_delete after delete on analytics.f_deals
  referencing old table as old_rows
  for each statement execute function analytics.keep_first_wins();
create trigger f_deals_first_wins_truncate after truncate on analytics.f_deals
  for each statement execute function analytics.keep_first_wins();
create trigger f_stage_entries_first_wins_insert after insert on analytics.f_stage_entries
  referencing new table as new_rows
  for each statement execute function analytics.keep_first_wins();
create trigger f_stage_entries_first_wins_update after update on analytics.f_stage_entries
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.keep_first_wins();
create trigger f_stage_entries_first_wins_delete after delete on analytics.f_stage_entries
  referencing old table as old_rows
  for each statement execute function analytics.keep_first_wins();
create trigger f_stage_entries_first_wins_truncate after truncate on analytics.f_stage_entries
  for each statement execute function analytics.keep_first_wins();
revoke all on function analytics.keep_first_wins() from public;

-- New business of the last p_quarters completed quarters: for each, the amount of the deals
-- created after the same day of that quarter as p_as_of is of its own, and won (first Closed Won
-- entry) before that quarter ended. Quarters before the company's first deal are left out.
create or replace function analytics.forecast_new_business(p_as_of date,
  p_quarters integer default 8)
returns table (quarter_start date, amount numeric)
language sql stable
as $$
  with q as (
    select (date_trunc('quarter', p_as_of::timestamp) - k * interval '3 months')::date as qs,
      p_as_of - date_trunc('quarter', p_as_of::timestamp)::date as off
    from generate_series(1, p_quarters) k
  ),
  -- materialized: evaluated once, not per joined row (analytics.time_zone() reads a table)
  b as materialized (
    select q.qs,
      ((q.qs + q.off + 1)::timestamp at time zone analytics.time_zone()) as from_t,
      (((q.qs + interval '3 months')::date)::timestamp at time zone analytics.time_zone()) as to_t
    from q
  ),
  first_deal as (select min(d.created_at) as at from analytics.f_deals d),
  -- The deals first won in each quarter's window and created in it (analytics.f_first_wins by
  -- its win's time, the index alone).
  w as (
    select b.qs, f.amount
    from b
    join analytics.f_first_wins f on f.won_at >= b.from_t and f.won_at < b.to_t
      and f.created_at >= b.from_t
  )
  select b.qs, coalesce(sum(w.amount), 0)
  from b
  cross join first_deal f
  left join w on w.qs = b.qs
  where f.at is not null
    and b.qs >= (f.at at time zone analytics.time_zone())::date
  group by b.qs
  order by b.qs
$$;
comment on function analytics.forecast_new_business(date, integer) is
  'Per completed quarter (last p_quarters): Amount of deals created after the same day of that '
  'quarter as p_as_of and won before its end (the business a quarter still makes from scratch)';
