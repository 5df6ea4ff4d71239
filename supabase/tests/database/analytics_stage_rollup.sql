-- pgTAP: the stage stays rollup (analytics.r_stage_stays, analytics/rollups.sql) stays the exact
-- aggregate of analytics.f_stage_entries through the write-time triggers (deal versions in, new
-- versions relinking a deal's entries, updates, deletes, a fold, a truncate), and
-- analytics.stage_conversion, which reads it (whole months from its monthly sums,
-- r_stage_stays_month, kept equal to the daily rows per month by each fold), equals its definition
-- over the stays (the function
-- before the rollup, below) on many days and every period, with deals that have entries after
-- as_of and a time zone with DST changes at midnight. Two cases worked by hand: the median's two
-- middle ranks in two length buckets, and a stay still open as of a past day.
begin;
select plan(19);

set local zoho.allow_purge = 'on';
delete from zoho.stage_history;
delete from zoho.stage_history_queue;
delete from zoho.record_versions;
delete from zoho.records;
-- Chile: clocks back from 00:00 to 23:00 on 6 April 2025, forward at 00:00 on 7 September 2025.
update analytics.settings set time_zone = 'America/Santiago';
select analytics.refresh_facts();

-- The rollup recomputed from the stays, and the view as its reader takes it.
create function pg_temp.stays_agg() returns table (entered_day date, stage text,
  advanced boolean, bucket smallint, stays bigint, days_h bigint)
language sql as $$
  select (select min(d)::date from generate_series(
      (s.entered_at at time zone 'America/Santiago')::date - 2,
      (s.entered_at at time zone 'America/Santiago')::date + 2, interval '1 day') d
    where s.entered_at < analytics.day_end(d::date)),
    s.stage, coalesce(s.later_progress > s.progress, false),
    analytics.stay_bucket((round(analytics.days(s.left_at - s.entered_at), 2) * 100)::bigint),
    count(*), coalesce(sum((round(analytics.days(s.left_at - s.entered_at), 2) * 100)::bigint), 0)
  from analytics.f_stage_entries s
  join analytics.stage_settings t on t.stage = s.stage
  where t.is_open
  group by 1, 2, 3, 4
$$;
create function pg_temp.stays_summed() returns table (entered_day date, stage text,
  advanced boolean, bucket smallint, stays bigint, days_h bigint)
language sql as $$
  select r.entered_day, r.stage, r.advanced, r.bucket, sum(r.stays)::bigint, sum(r.days_h)::bigint
  from analytics.r_stage_stays r group by 1, 2, 3, 4 having sum(r.stays) <> 0
$$;

-- Stage conversion as it was defined before the rollup (20261206120300): every stay of the
-- window read.
create function pg_temp.stage_conversion_direct(p_as_of date, p_period text default 't12m')
returns table (stage text, stage_position integer, entered bigint, advanced bigint,
  conversion_pct numeric, completed_stays bigint, avg_days_in_stage numeric,
  median_days_in_stage numeric)
language plpgsql stable
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
declare
  v_t1 timestamptz := analytics.day_end(p_as_of);
  v_t0 timestamptz := (select w.start_day from analytics.periods(p_as_of) w
    where w.period = p_period)::timestamp at time zone analytics.time_zone();
begin
  return query
  with rank as (
    select s.stage, s.position,
      case when s.is_open or s.stage = 'Closed Won' then s.position end as progress
    from analytics.stage_settings s
  ),
  x as (
    -- Deals without entries after as_of: the stored history is the history up to as_of.
    select s.stage, s.progress, s.later_progress, s.entered_at, s.left_at
    from analytics.f_stage_entries s
    where s.entered_at >= v_t0 and s.last_entry_at < v_t1
    union all
    -- Deals with entries after as_of: the window over their entries up to as_of.
    select y.stage, y.progress, y.later_progress, y.entered_at, y.left_at
    from (
      select s.stage, s.progress, s.entered_at,
        max(s.progress) over (w rows between 1 following and unbounded following)
          as later_progress,
        lead(s.entered_at) over w as left_at
      from analytics.f_stage_entries s
      where s.last_entry_at >= v_t1 and s.entered_at < v_t1
      window w as (partition by s.deal_id order by s.seq)
    ) y
    where y.entered_at >= v_t0
  ),
  e as (
    select x.stage, x.progress, x.later_progress,
      round(analytics.days(x.left_at - x.entered_at), 2) as days,
      x.left_at is not null as done
    from x
  )
  select r.stage, r.position, count(e.stage),
    count(*) filter (where e.later_progress > e.progress),
    analytics.pct(count(*) filter (where e.later_progress > e.progress), count(e.stage)),
    count(*) filter (where e.done),
    round(avg(e.days) filter (where e.done), 2),
    round(analytics.median(array_agg(e.days) filter (where e.done)), 2)
  from rank r
  left join e on e.stage = r.stage
  where r.progress is not null and r.stage <> 'Closed Won'
  group by r.stage, r.position
  order by r.position;
end
$$;
create function pg_temp.conversion_direct(what text) returns setof text language plpgsql as $$
declare
  q text := $q$from (select d::date from generate_series('2025-01-20'::date, '2026-08-01',
      interval '23 days') d
    union all values ('2025-04-05'::date), ('2025-04-06'), ('2025-09-06'), ('2025-09-07'),
      ('2026-03-04')) v(d),
    (values ('day'), ('wtd'), ('mtd'), ('qtd'), ('ytd'), ('t12m')) p(per)$q$;
begin
  return next bag_eq(format('select v.d, p.per, c.* %s,
      analytics.stage_conversion(v.d, p.per) c', q),
    format('select v.d, p.per, c.* %s, pg_temp.stage_conversion_direct(v.d, p.per) c', q),
    'stage_conversion = its definition over every stay, 30 days x 6 periods, ' || what);
end $$;

-- Deals moving through the stages from January 2025 (as versions arrive from a sync): stays of
-- 7 hours to 375 days, skips, a move back, won, lost, deleted and still open deals. Deal i
-- enters at 2025-01-01 + 4.3 i days; version v is one stay later.
create function pg_temp.versions(p_after integer, p_last integer)
returns void language sql as $$
  insert into zoho.record_versions (module, id, version, change, data, content_hash,
    modified_time)
  select 'Deals', 'SR' || x.i, x.v, case when x.v = 1 then 'insert' else 'update' end, x.d,
    zoho.content_hash(x.d), x.t
  from (
    select y.i, y.v, y.t, jsonb_build_object('id', 'SR' || y.i, 'Stage', y.stage,
      'Modified_Time', to_char(y.t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
      'Amount', 1000) as d
    from (
      select i, v,
        '2025-01-01T12:00:00Z'::timestamptz + i * interval '4.3 days'
          + coalesce(sum((array[7, 24, 47.8, 60, 95.5, 98.4, 167.8, 168, 335.9, 336, 504, 700,
            1100, 2200, 4400, 9000])[1 + (i * 5 + w * 3) % 16] * interval '1 hour')
            filter (where w < v), interval '0') as t,
        case when v = 2 + i % 5 and i % 4 = 0 then 'Closed Won'
          when v = 2 + i % 5 and i % 4 = 1 then 'Closed Lost'
          when i % 5 = 0 and v = 3 then 'Qualification'
          else (array['Qualification', 'Needs Analysis', 'Value Proposition',
            'Id. Decision Makers', 'Perception Analysis', 'Proposal/Price Quote',
            'Negotiation/Review'])[least(v + (i % 3 = 0 and v > 1)::integer, 7)] end as stage
      from generate_series(1, 120) i, generate_series(1, 6) v, generate_series(1, 6) w
      where v <= 2 + i % 5
      group by i, v
    ) y
  ) x
  where x.v > p_after and x.v <= p_last
$$;
select pg_temp.versions(0, 3);
-- Two cases by hand, the week of 10 June 2024 (no other deal then): Q1-Q4 enter Qualification
-- on 10 June 12:00 UTC and stay 1.50, 3.98, 4.10 and 20.00 days before Needs Analysis.
insert into zoho.record_versions (module, id, version, change, data, content_hash, modified_time)
select 'Deals', x.id, x.v, case when x.v = 1 then 'insert' else 'update' end, x.d,
  zoho.content_hash(x.d), (x.d ->> 'Modified_Time')::timestamptz
from (
  select q.id, v.v, jsonb_build_object('id', q.id, 'Amount', 500,
    'Stage', case v.v when 1 then 'Qualification' else 'Needs Analysis' end,
    'Modified_Time', to_char(('2024-06-10T12:00:00Z'::timestamptz
      + case v.v when 1 then interval '0' else q.stay end) at time zone 'UTC',
      'YYYY-MM-DD"T"HH24:MI:SS"Z"')) as d
  from (values ('Q1', interval '36 hours'), ('Q2', interval '3.98 days'),
    ('Q3', interval '4.10 days'), ('Q4', interval '20 days')) q(id, stay),
    (values (1), (2)) v(v)
) x;

-- R1 goes back and forth (Needs Analysis 10 Jul 2024, Qualification 12 Jul, Needs Analysis again
-- 15 Jul): its first Needs Analysis stay reached no further stage, only the same one again.
insert into zoho.record_versions (module, id, version, change, data, content_hash, modified_time)
select 'Deals', 'R1', v.v, case when v.v = 1 then 'insert' else 'update' end, v.d,
  zoho.content_hash(v.d), (v.d ->> 'Modified_Time')::timestamptz
from (values
  (1, '{"id": "R1", "Stage": "Needs Analysis", "Modified_Time": "2024-07-10T12:00:00Z"}'::jsonb),
  (2, '{"id": "R1", "Stage": "Qualification", "Modified_Time": "2024-07-12T12:00:00Z"}'),
  (3, '{"id": "R1", "Stage": "Needs Analysis", "Modified_Time": "2024-07-15T12:00:00Z"}')) v(v, d);
select results_eq($$select entered, advanced from analytics.stage_conversion('2024-07-20', 'mtd')
    where stage = 'Needs Analysis'$$,
  $$values (2::bigint, 0::bigint)$$,
  'a stay followed only by the same stage again did not advance (R1''s two Needs Analysis stays)');
select bag_eq('select * from pg_temp.stays_summed()', 'select * from pg_temp.stays_agg()',
  'r_stage_stays = the stays counted per day, stage, advance and bucket after the first versions');
select ok((select count(*) from analytics.r_stage_stays_log) > 0,
  'the triggers appended to the log');
-- Every rank of 4 completed stays: 3.98 (bucket 3) and 4.10 (bucket 4) are the middle two.
select results_eq($$select entered, advanced, completed_stays, avg_days_in_stage,
    median_days_in_stage from analytics.stage_conversion('2024-07-01', 't12m')
    where stage = 'Qualification'$$,
  $$values (4::bigint, 4::bigint, 4::bigint, 7.40, 4.04)$$,
  'median of 1.50, 3.98, 4.10, 20.00 days = 4.04 (middle ranks in two buckets); mean 7.395');
-- As of 16 June Q4 is still in Qualification: entered, not advanced, not completed.
select results_eq($$select entered, advanced, completed_stays, avg_days_in_stage,
    median_days_in_stage from analytics.stage_conversion('2024-06-16', 'wtd')
    where stage = 'Qualification'$$,
  $$values (4::bigint, 3::bigint, 3::bigint, 3.19, 3.98)$$,
  'as of 16 June: Q4 (left on 30 June) still open; 1.50, 3.98, 4.10 → median 3.98');
select results_eq($$select entered, completed_stays from analytics.stage_conversion('2024-06-16',
    'wtd') where stage = 'Needs Analysis'$$,
  $$values (3::bigint, 0::bigint)$$, 'as of 16 June: Q1-Q3 in Needs Analysis, Q4 not yet');
select ok((select count(*) from analytics.f_stage_entries
    where last_entry_at >= analytics.day_end('2026-03-04')
      and entered_at < analytics.day_end('2026-03-04')) > 10,
  'the data has deals with entries after 4 March 2026 (stays corrected as of then)');
select * from pg_temp.conversion_direct('after the first versions');

-- The later versions and three deletions: each deal's entries relinked (deleted and inserted
-- again).
select pg_temp.versions(3, 6);
-- Deals deleted (observed at the deletion's sync).
insert into zoho.record_versions (module, id, version, change, data, content_hash, observed_at)
select 'Deals', r.id, r.version + 1, 'delete', r.data, r.content_hash,
  '2025-11-20T15:00:00Z'::timestamptz + (substr(r.id, 3)::integer) * interval '1 hour'
from zoho.record_versions r
where r.id in ('SR7', 'SR22', 'SR58') and r.version = (select max(version)
  from zoho.record_versions x where x.id = r.id);
select bag_eq('select * from pg_temp.stays_summed()', 'select * from pg_temp.stays_agg()',
  'r_stage_stays = the aggregate after every deal''s entries were relinked');
select * from pg_temp.conversion_direct('after the later versions');

-- Updates and deletes of the stays themselves.
update analytics.f_stage_entries set left_at = left_at + interval '9 days'
where deal_id in ('SR3', 'SR4', 'SR5') and left_at is not null;
update analytics.f_stage_entries set later_progress = null where deal_id = 'SR9';
delete from analytics.f_stage_entries where deal_id in ('SR10', 'SR11');
select bag_eq('select * from pg_temp.stays_summed()', 'select * from pg_temp.stays_agg()',
  'r_stage_stays = the aggregate after updates and deletes of stays');
select is((select count(*) from (select sum(stays) as n from analytics.r_stage_stays
    group by entered_day, stage, advanced, bucket) x where x.n < 0), 0::bigint,
  'no stage stays key sums below 0');

-- A fold: the view reads the same, the log is empty, the folded table alone is the aggregate.
select analytics.fold_rollups();
select is((select count(*) from analytics.r_stage_stays_log), 0::bigint,
  'a fold empties the stage stays log');
select bag_eq($q$select entered_day, stage, advanced, bucket, stays, days_h
    from analytics.r_stage_stays_folded$q$, 'select * from pg_temp.stays_agg()',
  'r_stage_stays_folded alone = the aggregate after a fold (no key at 0)');
-- The monthly rows (whole months of a window) are the daily folded rows summed per month.
create function pg_temp.months_summed() returns table (entered_month date, stage text,
  advanced boolean, bucket smallint, stays bigint, days_h bigint)
language sql as $$
  select date_trunc('month', r.entered_day)::date, r.stage, r.advanced, r.bucket,
    sum(r.stays)::bigint, sum(r.days_h)::bigint
  from analytics.r_stage_stays_folded r group by 1, 2, 3, 4
$$;
select bag_eq('select * from analytics.r_stage_stays_month', 'select * from pg_temp.months_summed()',
  'r_stage_stays_month = the daily rows per month after a fold (no key at 0)');
select * from pg_temp.conversion_direct('after updates, deletes and a fold');

-- A truncate of the facts (the full rebuild) empties the rollup; the rebuild fills it again.
truncate analytics.f_stage_entries;
select is((select count(*) from analytics.r_stage_stays)
    + (select count(*) from analytics.r_stage_stays_month), 0::bigint,
  'truncating the stays empties their rollup and its months');
select analytics.refresh_facts();
select bag_eq($q$select entered_day, stage, advanced, bucket, stays, days_h
    from analytics.r_stage_stays_folded$q$, 'select * from pg_temp.stays_agg()',
  'the full rebuild fills the rollup with the aggregate');
select bag_eq('select * from analytics.r_stage_stays_month', 'select * from pg_temp.months_summed()',
  'and its months');

select * from finish();
rollback;
