-- pgTAP: analytics.source_anomalies, which counts the weeks' leads from the lead rollup
-- (analytics.r_leads, per created day and source), equals its definition over every lead (the
-- function before the rollup, below) on every day of four months, on generated leads with every
-- edge: no source and a source named '(none)' (one group, as before), deletions just before and
-- after a day's end, weeks whose counts rise and fall; then again after a fold, deletions, moved
-- and new leads. Tolerates other tests' facts: both sides read whatever the facts hold.
begin;
select plan(6);
-- As compute_snapshot runs them: the small fixture's default estimates (a settings table never
-- analyzed) price the plans high enough to JIT-compile each call, 1.5 s each.
set local jit = off;

\ir ../fixtures/company.psql

-- Source anomalies as defined before the rollup (20261209100004): every lead of the weeks read.
create function pg_temp.anomalies_direct(p_as_of date)
returns table (metric text, lead_source text, week_start date, value numeric,
  prev_value numeric, change numeric, change_pct numeric, baseline_median numeric,
  baseline_mad numeric, robust_z numeric, is_anomaly boolean, records integer,
  prev_records integer, scale numeric, expected_low numeric, expected_high numeric, label text)
language plpgsql stable
-- PL/pgSQL planned with its values (as ask.deal_risk): as a SQL function its one generic plan
-- could not see the weeks' date range and read every lead, 1.3 s on the 1M-lead demo against
-- 0.15-0.4 s planned for the day asked.
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
begin
  return query
  with cfg as (
    select s.anomaly_weeks as n, s.anomaly_threshold as k, s.anomaly_min_count as min_count,
      s.anomaly_min_deals as min_deals, (select analytics.day_end(p_as_of)) as t1
    from analytics.settings s
  ),
  weeks as (select w, p_as_of - 7 * w - 6 as ws from cfg, generate_series(0, cfg.n + 1) w),
  obs as (
    select 'leads' as metric, coalesce(f.lead_source, '(none)') as src,
      (p_as_of - f.created_day) / 7 as w, 1::numeric as v
    from analytics.f_leads f, cfg
    where f.created_day <= p_as_of and f.created_day > p_as_of - 7 * (cfg.n + 2)
      and analytics.alive_at(f.deleted_at, cfg.t1)
    union all
    select 'won_revenue', coalesce(f.lead_source, '(none)'), (p_as_of - f.closing_date) / 7,
      coalesce(f.amount, 0)
    from analytics.f_deals f, cfg
    where f.is_won and f.closing_date <= p_as_of and f.closing_date > p_as_of - 7 * (cfg.n + 2)
      and f.created_day <= p_as_of and analytics.alive_at(f.deleted_at, cfg.t1)
  ),
  -- One unit of each metric: a lead, or the median won deal of the window (all sources).
  unit as (
    select 'leads' as metric, 1::numeric as u
    union all
    select 'won_revenue', coalesce(analytics.median(array_agg(o.v)), 1)
    from obs o where o.metric = 'won_revenue' and o.v > 0
  ),
  -- Each source's week summed first: the grid then joins a few hundred rows, not every lead
  -- of the window (≈ 1.3 s → 0.1 s on the 1M-lead demo).
  agg as (
    select o.metric, o.src, o.w, sum(o.v) as v, count(*)::int as cnt
    from obs o group by o.metric, o.src, o.w
  ),
  grid as (
    select m.metric, m.src, wk.w, wk.ws, coalesce(a.v, 0) as v, coalesce(a.cnt, 0) as cnt
    from (select distinct metric, src from agg) m
    cross join weeks wk
    left join agg a on a.metric = m.metric and a.src = m.src and a.w = wk.w
  ),
  ch as (
    select g.*, lead(g.v) over (partition by g.metric, g.src order by g.w) as prev,
      lead(g.cnt) over (partition by g.metric, g.src order by g.w) as prev_cnt,
      g.v - lead(g.v) over (partition by g.metric, g.src order by g.w) as change
    from grid g
  ),
  base as (
    select c.metric, c.src,
      analytics.median(array_agg(c.change)) as med,
      avg(c.v) as level
    from ch c where c.w between 1 and (select n from cfg)
    group by c.metric, c.src
  ),
  mad as (
    select c.metric, c.src, b.med,
      analytics.median(array_agg(abs(c.change - b.med))) as mad,
      -- The scale has a floor: a tenth of the source's usual weekly level, and one unit. A
      -- source whose earlier weeks never moved (MAD 0) made a z of ~1,500 from one deal.
      greatest(1.4826 * analytics.median(array_agg(abs(c.change - b.med))),
        0.1 * b.level, u.u) as scale
    from ch c join base b on b.metric = c.metric and b.src = c.src
    join unit u on u.metric = c.metric
    where c.w between 1 and (select n from cfg)
    group by c.metric, c.src, b.med, b.level, u.u
  )
  select c.metric, c.src, c.ws, c.v, c.prev, c.change, analytics.pct(c.change, c.prev),
    m.med, m.mad,
    -- Capped at ±10: past that the size of z says nothing more than "far outside the range".
    greatest(-10, least(10, round((c.change - m.med) / m.scale, 2))),
    abs(c.change - m.med) / m.scale > cfg.k
      and greatest(c.cnt, c.prev_cnt) >= case c.metric when 'leads' then cfg.min_count
        else cfg.min_deals end,
    c.cnt, c.prev_cnt, round(m.scale, 2),
    greatest(0, round(c.prev + m.med - cfg.k * m.scale, 2)),
    round(c.prev + m.med + cfg.k * m.scale, 2),
    c.src || ' · ' || case c.metric when 'leads' then 'leads created' else 'won revenue' end
  from ch c
  join mad m on m.metric = c.metric and m.src = c.src
  cross join cfg
  where c.w = 0
  order by 1, 2;
end
$$;

-- 2,400 leads over 20 weeks from 12 Oct 2025, attributes from a hash of their number: five
-- sources (one null, one named '(none)'), one whose volume doubles in its last weeks, a few
-- deleted just before or at a day's end; and won deals, so both metrics are compared.
create function pg_temp.h(i integer, salt integer) returns integer language sql immutable as $$
  select abs(hashint4(i * 37 + salt)) % 1000
$$;
insert into analytics.f_leads (id, created_at, created_day, owner_id, owner_name, lead_source,
  lead_status, converted, deleted_at)
select 'an-L' || i, c.at, (c.at at time zone analytics.time_zone())::date, 'an-o', 'AN',
  case when i > 2200 then 'an-Surge'
    else (array['an-Web', 'an-Ads', null, '(none)', 'an-Event'])[1 + pg_temp.h(i, 1) % 5] end,
  'New', false,
  case when pg_temp.h(i, 6) % 15 = 0 then analytics.day_end(
    (c.at at time zone analytics.time_zone())::date + pg_temp.h(i, 7) % 40)
    - case when pg_temp.h(i, 8) % 2 = 0 then interval '1 second' else interval '0' end end
from generate_series(1, 2400) i
cross join lateral (select timestamptz '2025-10-12T08:00:00Z'
  + case when i > 2200 then 112 + pg_temp.h(i, 0) % 28 else pg_temp.h(i, 0) % 140 end
    * interval '1 day' + (pg_temp.h(i, 9) % 24) * interval '1 hour' as at) c;
insert into analytics.f_deals (id, created_at, created_day, owner_id, owner_name, stage, amount,
  closing_date, lead_source, is_won, is_lost, is_closed, deleted_at)
select 'an-D' || i, timestamptz '2025-09-01T00:00:00Z', '2025-09-01', 'an-o', 'AN', 'Closed Won',
  100 * (1 + pg_temp.h(i, 2) % 20), date '2025-10-12' + pg_temp.h(i, 3) % 140,
  (array['an-Web', 'an-Ads', null])[1 + pg_temp.h(i, 4) % 3], true, false, true,
  case when pg_temp.h(i, 5) % 20 = 0 then analytics.day_end('2026-01-15') end
from generate_series(1, 300) i;

create function pg_temp.differs(p_as_of date) returns boolean language sql as $$
  select exists (select * from analytics.source_anomalies(p_as_of)
      except all select * from pg_temp.anomalies_direct(p_as_of))
    or exists (select * from pg_temp.anomalies_direct(p_as_of)
      except all select * from analytics.source_anomalies(p_as_of))
$$;
select is((select count(*)::int from generate_series(date '2025-11-15', date '2026-03-15',
    interval '1 day') d where pg_temp.differs(d::date)),
  0, 'source anomalies = their definition over every lead (121 days)');
-- The comparison is not empty: leads of every kind of source, and an anomaly among them.
select ok((select count(*) filter (where metric = 'leads' and lead_source = '(none)') = 1
    and count(*) filter (where metric = 'leads' and lead_source = 'an-Web') = 1
    and count(*) filter (where metric = 'won_revenue') > 0
  from analytics.source_anomalies('2026-02-20')),
  'the compared weeks hold leads of the null and ''(none)'' sources as one, and won revenue');
select ok((select bool_or(a.is_anomaly)
    from generate_series(date '2026-02-01', date '2026-03-01', interval '1 day') d,
    analytics.source_anomalies(d::date) a
    where a.metric = 'leads' and a.lead_source = 'an-Surge'),
  'the doubling source is an anomaly on some day compared');

-- After a fold, deletions, moved and new leads, again (the rollup's log and folded rows). The
-- two leads of an-Gone are deleted after the fold: their weeks net to 0 in the rollup, and the
-- source has no row, as it had no lead.
insert into analytics.f_leads (id, created_at, created_day, owner_id, lead_source, converted)
values ('an-G1', timestamptz '2026-01-05T12:00:00Z', '2026-01-05', 'an-o', 'an-Gone', false),
  ('an-G2', timestamptz '2026-01-12T12:00:00Z', '2026-01-12', 'an-o', 'an-Gone', false);
select analytics.fold_rollups();
update analytics.f_leads set deleted_at = analytics.day_end('2026-01-20')
  where id in ('an-G1', 'an-G2');
delete from analytics.f_leads where id in ('an-L5', 'an-L6', 'an-L7', 'an-L2201');
update analytics.f_leads set lead_source = 'an-Ads', created_day = created_day - 9,
  created_at = created_at - interval '9 days' where id like 'an-L1__';
update analytics.f_leads set deleted_at = analytics.day_end('2026-02-10')
  where id like 'an-L23_';
insert into analytics.f_leads (id, created_at, created_day, owner_id, lead_source, converted)
select 'an-N' || i, timestamptz '2026-02-12T12:00:00Z', '2026-02-12', 'an-o', 'an-Web', false
from generate_series(1, 40) i;
select is((select count(*)::int from generate_series(date '2025-12-01', date '2026-03-15',
    interval '2 days') d where pg_temp.differs(d::date)),
  0, 'the same after a fold, deletions, moved and new leads (53 days)');
select is((select count(*)::int from analytics.source_anomalies('2026-02-01')
  where lead_source = 'an-Gone'), 0, 'a source whose every lead was deleted has no row');
select analytics.fold_rollups();
select is((select count(*)::int from generate_series(date '2026-01-01', date '2026-03-15',
    interval '3 days') d where pg_temp.differs(d::date)),
  0, 'and after folding those changes (25 days)');

select * from finish();
rollback;
