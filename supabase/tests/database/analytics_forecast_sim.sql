-- pgTAP: the forecast's simulation (analytics.forecast) equals its plain definition (below: each
-- trial compares its draws with the numeric chance, before each deal's chance per swing was
-- computed once) on a generated company whose history is long enough for learned chances and
-- quarter-wide swings, with more than 100 open deals (the drawn ones and the normal rest), on
-- days across three quarters. The whole JSON: percentiles, chance of target, drivers, path.
begin;
select plan(13);
set local jit = off;

-- The forecast as defined before 20261209100006.
create function pg_temp.forecast_direct(p_as_of date, p_quarters integer default 8,
  p_trials integer default 2000)
returns jsonb
language plpgsql stable
set jit = off
as $$
declare
  seed bigint := p_as_of - date '2000-01-01';
  out jsonb;
begin
  with o as materialized (select * from analytics.forecast_deals(p_as_of, p_quarters)),
  meta as (
    select coalesce(max(o.history_deals), 0) as deals, coalesce(max(o.history_obs), 0) as obs,
      coalesce((select o2.shocks from o o2 limit 1), '{}'::double precision[]) as shocks
    from o
  ),
  d as (
    select o.*, case when m.deals < 30 then o.zoho_p else o.p end as pp
    from o, meta m where coalesce(o.amount, 0) > 0
  ),
  ranked as materialized (
    select d.*, row_number() over (order by d.amount * sqrt(d.pp * (1 - d.pp)) desc,
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
  -- Each trial's quarter-wide swing (analytics.forecast_deals' shocks; none on a thin history).
  tr as materialized (
    select g as t, case when m.deals < 30 or cardinality(m.shocks) = 0 then 1::numeric
      else m.shocks[1 + floor(analytics.forecast_u(seed, 'sh:' || g)
        * cardinality(m.shocks))::integer]::numeric end as m
    from generate_series(1, p_trials) g, meta m
  ),
  top as materialized (select r.* from ranked r where r.rn <= 100),
  top_sim as (
    select tr.t, tr.m, coalesce(sum(r.amount) filter (
      where analytics.forecast_draw(r.h, tr.t) < least(1, r.pp * tr.m)), 0) as s
    from tr left join top r on true
    group by tr.t, tr.m
  ),
  trial as (
    select s.t, rev.won + s.s + greatest(0, s.m * rest.s1
        + sqrt(greatest(0, s.m * rest.s2 - s.m ^ 2 * rest.s3))
        * (sqrt(-2 * ln(analytics.forecast_u(seed, 'z1:' || s.t)))
        * cos(2 * pi() * analytics.forecast_u(seed, 'z2:' || s.t)))::numeric)
      + case when cardinality(nb.a) = 0 then 0
        else nb.a[1 + floor(analytics.forecast_u(seed, 'nb:' || s.t) * cardinality(nb.a))::integer]
        end as total
    from top_sim s, rev, rest, nb
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
    'open_deals', (select count(*) from d),
    'open_expected', round((select coalesce(sum(d.amount * d.pp), 0) from d), 2),
    'new_business_expected', round((select coalesce(avg(x), 0) from unnest(nb.a) x), 2),
    'new_business_quarters', cardinality(nb.a),
    'p10', round(dist.q[1], 2),
    'p50', round(dist.q[2], 2),
    'p90', round(dist.q[3], 2),
    'chance_of_target_pct', case when rev.target is not null
      then analytics.pct(dist.hits, dist.n) end,
    'gap_p50', round(rev.target - dist.q[2], 2),
    'weighted_baseline', round(rev.won + (select coalesce(sum(d.amount * d.zoho_p), 0) from d
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
    'stage_rates', coalesce((
      select jsonb_agg(to_jsonb(s)) from analytics.forecast_stage_rates(p_as_of, p_quarters) s),
      '[]'),
    -- The chart's path: won to date at each week's end up to as_of (analytics.revenue's rules),
    -- then straight lines from as_of's won to the quarter-end P10, P50 and P90.
    'path', (
      select jsonb_agg(jsonb_build_object('day', x.day,
        'won', case when x.day <= p_as_of then (
          select coalesce(sum(coalesce(f.amount, 0)), 0) from analytics.f_deals f
          where f.is_won and f.created_day <= p_as_of and f.closing_date >= per.start_day
            and f.closing_date <= x.day
            and analytics.alive_at(f.deleted_at, analytics.day_end(p_as_of))) end,
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
  )
  into out
  from dist, rev, per, nb, meta m;
  return out;
end
$$;

update analytics.settings set time_zone = 'UTC';
delete from analytics.revenue_targets;
insert into analytics.revenue_targets (quarter_start, amount)
select d::date, 400000 from generate_series(date '2025-01-01', date '2026-07-01',
  interval '3 months') d;
-- 700 deals over two and a half years (the shared fixture).
\set deal_prefix 'fs-D'
\ir ../fixtures/deal_history.psql

create function pg_temp.days() returns table (d date) language sql as $$
  select unnest(array[date '2025-08-20', '2025-09-30', '2025-11-05', '2025-12-24',
    '2026-01-07', '2026-02-18', '2026-03-04', '2026-03-30'])
$$;
-- The company has what the comparison needs on every day: learned chances, swings, and more
-- open deals than are drawn one by one.
select ok((select bool_and(f ->> 'method' = 'history' and (f ->> 'open_deals')::int > 100
    and (f ->> 'history_deals')::int >= 30)
  from pg_temp.days() d, analytics.forecast(d.d) f),
  'learned chances and over 100 open deals on every day compared');
select ok((select bool_or(cardinality(o.shocks) >= 3 and o.shocks[1] <> o.shocks[cardinality(o.shocks)])
  from pg_temp.days() d, lateral (select x.shocks from analytics.forecast_deals(d.d) x limit 1) o),
  'quarter-wide swings that differ');
select is((select count(*)::int from pg_temp.days() d
  where analytics.forecast(d.d) is distinct from pg_temp.forecast_direct(d.d)), 0,
  'the forecast = its plain definition (8 days, the whole JSON)');

-- The training's totals and quarter-wide swings as defined before 20261211090046 (each
-- observation joined to its stage's shrunk rate, every 13th Monday back grouped by quarter),
-- from the observations' own definition (analytics.forecast_obs_rows), against forecast_deals'
-- one pass per cell and quarter point over the kept ones, on the days above.
create function pg_temp.swings_direct(p_as_of date, p_quarters integer default 8)
returns table (deals bigint, obs bigint, shocks double precision[])
language sql stable
as $$
  with v as materialized (
    select x.*, analytics.monday_of(p_as_of + 1 - x.hd) as m0
    from (select w.full_end - (p_as_of + 1) as hd from analytics.periods(p_as_of) w
      where w.period = 'qtd') x
  ),
  t as materialized (
    select v.hd, v.m0, v.m0 - 91 * p_quarters as m_from, a.b1, a.b2,
      analytics.forecast_sample_k(a.deals) as k
    from v, analytics.deal_amount_terciles(analytics.day_end(p_as_of)) a
  ),
  obs as materialized (
    select o.deal_id, o.stage, (t.m0 - o.monday) / 7 as j,
      coalesce(o.won_day > o.monday and o.won_day <= o.monday + t.hd, false) as won
    from t, analytics.forecast_obs_rows(t.k, t.m_from, t.m0) o
  ),
  sp as (
    select o.stage, (count(*) filter (where o.won) + 5 * s.probability / 100.0)
      / (count(*) + 5) as p1
    from obs o join analytics.stage_settings s on s.stage = o.stage and s.is_open
    group by o.stage, s.probability
  ),
  qk as (
    select count(*) filter (where o.won)::double precision / sum(sp.p1)::double precision as r,
      (sum(sp.p1 * (1 - sp.p1)) / sum(sp.p1) ^ 2)::double precision as chance_var
    from obs o join sp on sp.stage = o.stage
    where o.j % 13 = 0
    group by o.j / 13
    having sum(sp.p1) > 0
  ),
  lam as (
    select case when count(*) < 3 or coalesce(var_samp(qk.r order by qk.r), 0) = 0 then 0
      else greatest(0, 1 - avg(qk.chance_var order by qk.chance_var)
        / var_samp(qk.r order by qk.r)) end as l
    from qk
  )
  select (select count(distinct o.deal_id) from obs o), (select count(*) from obs),
    (select coalesce(array_agg(1 + lam.l * (qk.r / m.r - 1) order by qk.r), '{}')
      from qk, lam, (select avg(q.r order by q.r) as r from qk q) m
      where m.r > 0)
$$;
-- (none on the quarter's last day: with no days left, nothing is won within the horizon)
select ok((select bool_and(x.obs > 0) and count(*) filter (where cardinality(x.shocks) >= 3) = 7
  from pg_temp.days() d, pg_temp.swings_direct(d.d) x),
  'observations on every day compared, three or more swings on seven of them');
select is((select count(*)::int from pg_temp.days() d, pg_temp.swings_direct(d.d) x,
    lateral (select f.history_deals, f.history_obs, f.shocks
      from analytics.forecast_deals(d.d) f limit 1) f
  where (f.history_deals, f.history_obs, f.shocks) is distinct from (x.deals, x.obs, x.shocks)), 0,
  'training deals, observations and swings = their plain definition (8 days)');

-- The stage rates take the sample forecast_deals drew (its sample_k) instead of counting deals
-- again: the same rates with this company's own sample (every bucket), fewer deals with less.
select is((select count(*)::int from pg_temp.days() d, lateral (
    (select * from analytics.forecast_stage_rates(d.d, 8, 1024)
      except all select * from analytics.forecast_stage_rates(d.d, 8))
    union all (select * from analytics.forecast_stage_rates(d.d, 8)
      except all select * from analytics.forecast_stage_rates(d.d, 8, 1024))) x), 0,
  'stage rates with the whole sample passed = counted');
select ok((select sum(a.deals) < sum(b.deals) and sum(a.deals) > 0
  from analytics.forecast_stage_rates('2026-03-04', 8, 300) a
  join analytics.forecast_stage_rates('2026-03-04', 8) b using (stage)),
  'a smaller sample passed reads fewer deals');

-- The stage rates as defined before 20261211090044 (the distinct (stage, deal) pairs hashed and
-- joined to the closed deals), against the one pass over each deal's entries, on the days above
-- with the whole sample, a part of it and the counted one, after adding deals that re-enter
-- stages, one whose stays carry no stage or one Zoho's settings do not know, one reopened after
-- a loss and won, one closed only before the window and one whose entries all come after as_of.
create function pg_temp.stage_rates_direct(p_as_of date,
  p_quarters integer default 8, p_sample_k integer default null)
returns table (stage text, deals bigint, won bigint, history_pct numeric, zoho_pct numeric)
language sql stable
as $$
  -- A large company: the same fixed sample of about 10,000 deals as analytics.forecast_deals
  -- (its sample_k when the caller has it: counting the deals again read all 200k at 1M, 50 ms).
  with t as (select analytics.day_end(p_as_of) as t_end),
  sample as (
    select coalesce(p_sample_k, (
      select analytics.forecast_sample_k(count(*))
      from analytics.f_deals d where d.created_at < t.t_end and d.amount > 0)) as k
    from t
  ),
  en as materialized (
    select e.deal_id, e.stage, e.entered_at
    from analytics.f_stage_entries e, t, sample
    where e.entered_at + interval '0 s' < t.t_end and (hashtext(e.deal_id) & 1023) < sample.k
  ),
  closed as (
    select e.deal_id, bool_or(e.stage = 'Closed Won') as won
    from en e
    where e.stage in (select s.stage from analytics.stage_settings s where not s.is_open)
    group by e.deal_id
  ),
  -- Each (stage, deal) entered in the window once, of the closed deals only, counted per stage by
  -- hashing (distinct pairs of every deal, then joined to the closed and sorted by stage: 113 → 75
  -- ms in the daily state at 1M leads, the same rows).
  x as (
    select e.stage, e.deal_id, c.won
    from en e join closed c on c.deal_id = e.deal_id, t
    where e.entered_at >= t.t_end - p_quarters * interval '13 weeks'
    group by e.stage, e.deal_id, c.won
  ),
  n as (
    select x.stage, count(*) as deals, count(*) filter (where x.won) as won
    from x group by x.stage
  )
  select s.stage, coalesce(n.deals, 0), coalesce(n.won, 0),
    analytics.pct(coalesce(n.won, 0), coalesce(n.deals, 0)), s.probability
  from analytics.stage_settings s
  left join n on n.stage = s.stage
  where s.is_open
  order by s.position
$$;

-- The forecast's kept data built (its sample: every deal) and the facts marked built, as the full
-- rebuild leaves them (the fixture writes the facts straight): the entries written next keep the
-- stage rates' rows (analytics.f_stage_rate_deals).
select analytics.build_forecast_obs();
insert into analytics.facts_built default values on conflict do nothing;
insert into analytics.f_stage_entries (deal_id, seq, entered_at, stage, left_at, last_entry_at)
values
  ('sr-1', 1, '2025-10-01 10:00Z', 'Qualification', '2025-10-05 10:00Z', '2025-11-01 10:00Z'),
  ('sr-1', 2, '2025-10-05 10:00Z', 'Needs Analysis', '2025-10-09 10:00Z', '2025-11-01 10:00Z'),
  ('sr-1', 3, '2025-10-09 10:00Z', 'Qualification', '2025-10-20 10:00Z', '2025-11-01 10:00Z'),
  ('sr-1', 4, '2025-10-20 10:00Z', 'Needs Analysis', '2025-11-01 10:00Z', '2025-11-01 10:00Z'),
  ('sr-1', 5, '2025-11-01 10:00Z', 'Closed Won', null, '2025-11-01 10:00Z'),
  ('sr-2', 1, '2025-09-01 10:00Z', null, '2025-09-10 10:00Z', '2025-12-01 10:00Z'),
  ('sr-2', 2, '2025-09-10 10:00Z', 'Stage Zoho added later', '2025-10-10 10:00Z',
    '2025-12-01 10:00Z'),
  ('sr-2', 3, '2025-10-10 10:00Z', 'Value Proposition', '2025-12-01 10:00Z', '2025-12-01 10:00Z'),
  ('sr-2', 4, '2025-12-01 10:00Z', 'Closed Lost', null, '2025-12-01 10:00Z'),
  ('sr-3', 1, '2025-06-01 10:00Z', 'Proposal/Price Quote', '2025-07-01 10:00Z',
    '2026-01-15 10:00Z'),
  ('sr-3', 2, '2025-07-01 10:00Z', 'Closed Lost', '2025-12-01 10:00Z', '2026-01-15 10:00Z'),
  ('sr-3', 3, '2025-12-01 10:00Z', 'Negotiation/Review', '2026-01-15 10:00Z',
    '2026-01-15 10:00Z'),
  ('sr-3', 4, '2026-01-15 10:00Z', 'Closed Won', null, '2026-01-15 10:00Z'),
  ('sr-4', 1, '2022-01-10 10:00Z', 'Qualification', '2022-02-10 10:00Z', '2022-02-10 10:00Z'),
  ('sr-4', 2, '2022-02-10 10:00Z', 'Closed Lost', null, '2022-02-10 10:00Z'),
  ('sr-5', 1, '2026-09-01 10:00Z', 'Qualification', '2026-09-05 10:00Z', '2026-09-05 10:00Z'),
  ('sr-5', 2, '2026-09-05 10:00Z', 'Closed Won', null, '2026-09-05 10:00Z'),
  -- entries into a stage before every window and after every as_of (none inside: not counted),
  -- and one with an entry inside too (counted): their entries are looked up
  ('sr-6', 1, '2023-01-10 10:00Z', 'Qualification', '2023-02-01 10:00Z', '2026-06-01 10:00Z'),
  ('sr-6', 2, '2023-02-01 10:00Z', 'Closed Lost', '2026-06-01 10:00Z', '2026-06-01 10:00Z'),
  ('sr-6', 3, '2026-06-01 10:00Z', 'Qualification', null, '2026-06-01 10:00Z'),
  ('sr-7', 1, '2023-01-10 10:00Z', 'Needs Analysis', '2024-06-01 10:00Z', '2026-06-01 10:00Z'),
  ('sr-7', 2, '2024-06-01 10:00Z', 'Closed Lost', '2024-07-01 10:00Z', '2026-06-01 10:00Z'),
  ('sr-7', 3, '2024-07-01 10:00Z', 'Needs Analysis', '2024-08-01 10:00Z', '2026-06-01 10:00Z'),
  ('sr-7', 4, '2024-08-01 10:00Z', 'Closed Won', '2026-06-01 10:00Z', '2026-06-01 10:00Z'),
  ('sr-7', 5, '2026-06-01 10:00Z', 'Needs Analysis', null, '2026-06-01 10:00Z');
-- An entry moved and a deal's entries deleted: the kept rows follow updates and deletions too.
update analytics.f_stage_entries set entered_at = entered_at - interval '1 day'
where deal_id = 'sr-1' and seq = 3;
create temp table sr_removed as select * from analytics.f_stage_rate_deals where deal_id = 'sr-4';
delete from analytics.f_stage_entries where deal_id = 'sr-4';
-- The facts built, the stage rates count the kept rows per deal and open stage
-- (analytics.f_stage_rate_deals, which follow the entries just written); not built, the entries.
select bag_eq('select * from analytics.f_stage_rate_deals',
  'select * from analytics.stage_rate_deals', 'kept stage rate rows = their definition');
select ok((select count(*) = 1 from sr_removed)
    and not exists (select from analytics.f_stage_rate_deals where deal_id = 'sr-4'),
  'a deal''s entries deleted: its kept row goes');
select is((select count(*)::int from pg_temp.days() d, unnest(array[1024, 300, 51, null]) k
  where array(select x::text from analytics.forecast_stage_rates(d.d, 8, k) x)
    is distinct from array(select x::text from pg_temp.stage_rates_direct(d.d, 8, k) x)), 0,
  'stage rates from the kept rows = their definition before the one pass (8 days, 4 samples)');
savepoint not_built;
delete from analytics.facts_built;
select is((select count(*)::int from pg_temp.days() d, unnest(array[1024, 300, 51, null]) k
  where array(select x::text from analytics.forecast_stage_rates(d.d, 8, k) x)
    is distinct from array(select x::text from pg_temp.stage_rates_direct(d.d, 8, k) x)), 0,
  'stage rates from the entries (facts not built) = the same definition');
rollback to savepoint not_built;
-- Kept for fewer buckets than the sample asked (a company that shrank since its full build): the
-- entries are counted for the wider sample.
savepoint narrower;
update analytics.f_forecast_obs_kept set k = 300;
delete from analytics.f_stage_rate_deals where bucket >= 300;
select is((select count(*)::int from pg_temp.days() d, unnest(array[1024, 300, 51]) k
  where array(select x::text from analytics.forecast_stage_rates(d.d, 8, k) x)
    is distinct from array(select x::text from pg_temp.stage_rates_direct(d.d, 8, k) x)), 0,
  'a sample wider than the kept one is counted from the entries');
rollback to savepoint narrower;
select ok((select sum(deals) > 100 and sum(won) > 0 and sum(won) < sum(deals)
  from pg_temp.days() d, analytics.forecast_stage_rates(d.d, 8, 1024)),
  'with deals and wins to compare');

select * from finish();
rollback;
