-- pgTAP: the lead response rollup (analytics.r_lead_response, analytics/rollups.sql) stays the
-- exact aggregate of analytics.f_leads through the write-time triggers (inserts, updates of the
-- first touch, the source and the owner, deletes, a fold, a truncate), and analytics.lead_response,
-- which reads it (whole months from its monthly sums, r_lead_response_month, which a fold keeps
-- equal to the daily rows per month), equals its definition over the leads (the function before
-- the rollup, below)
-- on many days and every period, with leads touched after as_of (recent and after more than a
-- week), touched before they were created, deleted either side of as_of, no source or owner and
-- a source named '(none)'. Cases worked by hand: a median whose two middle ranks fall in two
-- buckets, the hour's edge, a lead touched after as_of. And a fold removes the folded keys it
-- brings to 0 in every rollup (it deletes them by row address, not by reading every row).
begin;
select plan(15);

\ir ../fixtures/company.psql

-- Lead response as it was defined before the rollup (20261208100000), with the plain median.
create function pg_temp.response_direct(p_as_of date, p_period text)
returns table (dimension text, key text, label text, leads bigint, touched bigint,
  untouched bigint, median_hours numeric, avg_hours numeric, within_1h_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  l as (
    select f.lead_source, f.owner_id, f.owner_name,
      case when f.first_touch_at < (select analytics.day_end(p_as_of))
        then round(greatest(extract(epoch from f.first_touch_at - f.created_at), 0) / 3600, 2)
      end as hours
    from analytics.f_leads f
    cross join p
    where f.created_day >= p.start_day and f.created_day < p.end_day
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select
    analytics.dimension(grouping(lead_source), grouping(owner_id)),
    analytics.dimension_key(grouping(lead_source), lead_source, grouping(owner_id), owner_id),
    analytics.owner_label(grouping(owner_id), max(owner_name)),
    count(*), count(hours), count(*) - count(hours),
    round(analytics.median(array_agg(hours)), 2),
    round(avg(hours), 2),
    analytics.pct(count(*) filter (where hours <= 1), count(hours))
  from l
  group by grouping sets ((), (lead_source), (owner_id))
$$;
-- The rollup recomputed from the facts with the buckets written out (a tenth of an hour each to
-- 1 h, an hour each to 24 h, then 48 h, 72 h, 168 h and later), and the view as readers take it.
create function pg_temp.response_agg() returns table (created_day date, dimension text,
  key text, owner_name text, deleted_at timestamptz, bucket smallint, leads bigint, hours_h bigint)
language sql as $$
  select f.created_day, k.d, k.k, k.n, f.deleted_at,
    (case when x.h is null then null when x.h <= 100 then ceil(greatest(x.h, 1) / 10.0) - 1
      when x.h <= 2400 then 9 + ceil(x.h / 100.0) - 1 when x.h <= 4800 then 33
      when x.h <= 7200 then 34 when x.h <= 16800 then 35 else 36 end)::smallint,
    count(*), coalesce(sum(x.h), 0)::bigint
  from analytics.f_leads f
  cross join lateral (select case when f.first_touch_at is not null then (round(greatest(
    extract(epoch from f.first_touch_at - f.created_at), 0) / 3600, 2) * 100)::bigint end as h) x
  cross join lateral (values ('all', null, null), ('source', f.lead_source, null),
    ('owner', f.owner_id, f.owner_name)) k(d, k, n)
  where f.created_day is not null
  group by 1, 2, 3, 4, 5, 6
$$;
create function pg_temp.response_summed() returns table (created_day date, dimension text,
  key text, owner_name text, deleted_at timestamptz, bucket smallint, leads bigint, hours_h bigint)
language sql as $$
  select r.created_day, r.dimension, r.key, r.owner_name, r.deleted_at, r.bucket,
    sum(r.leads)::bigint, sum(r.hours_h)::bigint
  from analytics.r_lead_response r group by 1, 2, 3, 4, 5, 6 having sum(r.leads) <> 0
$$;
-- Days: around the touches after as_of, month and quarter ends, a DST-free UTC company.
create function pg_temp.differs() returns bigint language sql as $$
  select count(*) from (values ('2026-03-04'::date), ('2026-03-01'), ('2026-02-28'),
      ('2026-02-20'), ('2026-01-31'), ('2025-12-31'), ('2025-11-15'), ('2025-09-30'),
      ('2025-06-30'), ('2025-03-10')) v(d),
    (values ('day'), ('wtd'), ('mtd'), ('qtd'), ('ytd'), ('t12m')) p(per)
  where exists (select * from analytics.lead_response(v.d, p.per)
      except all select * from pg_temp.response_direct(v.d, p.per))
    or exists (select * from pg_temp.response_direct(v.d, p.per)
      except all select * from analytics.lead_response(v.d, p.per))
$$;

-- 1,500 leads over 15 months, attributes from a hash of their number: 4 sources (one null, one
-- named '(none)'), 4 owners (one null, one with two names), answered within minutes, hours, days
-- or weeks (a few before they were created, a fifth never), a few deleted.
create function pg_temp.h(i integer, salt integer) returns integer language sql immutable as $$
  select abs(hashint4(i * 37 + salt)) % 1000
$$;
insert into analytics.f_leads (id, created_at, created_day, owner_id, owner_name, lead_source,
  lead_status, converted, deleted_at, first_touch_at)
select 'rr-L' || i, c.at, (c.at at time zone analytics.time_zone())::date,
  (array['rr-o1', 'rr-o2', null, 'rr-o3'])[1 + pg_temp.h(i, 1) % 4],
  case when pg_temp.h(i, 1) % 4 = 3 and pg_temp.h(i, 2) % 2 = 0 then 'RR Three' else 'RR Name' end,
  (array['rr-Web', null, '(none)', 'rr-Ads'])[1 + pg_temp.h(i, 3) % 4], 'New', false,
  case when pg_temp.h(i, 4) % 15 = 0 then analytics.day_end(
    (c.at at time zone analytics.time_zone())::date + pg_temp.h(i, 5) % 60)
    - case when pg_temp.h(i, 6) % 2 = 0 then interval '1 second' else interval '0' end end,
  case when pg_temp.h(i, 7) % 5 = 0 then null
    else c.at + case pg_temp.h(i, 8) % 10
      when 0 then -(pg_temp.h(i, 9) % 300) * interval '1 minute'
      when 1 then (pg_temp.h(i, 9) % 61) * interval '1 minute'
      when 2 then (pg_temp.h(i, 9) % 120) * interval '1 minute'
      when 3 then (pg_temp.h(i, 9) % 60) * interval '1 hour'
      when 4 then (pg_temp.h(i, 9) % 300) * interval '1 hour'
      when 5 then (pg_temp.h(i, 9) % 40) * interval '1 day'
      else (pg_temp.h(i, 9) % 1000) * interval '36 seconds' end end
from generate_series(1, 1500) i
cross join lateral (select timestamptz '2025-01-01T06:00:00Z'
  + (pg_temp.h(i, 0) % 430) * interval '1 day' + (pg_temp.h(i, 10) % 1440) * interval '1 minute'
  as at) c;

select ok((select count(*) filter (where first_touch_at < created_at) > 0
    and count(*) filter (where first_touch_at > created_at + interval '8 days') > 0
    and count(*) filter (where first_touch_at is null) > 0
    and count(*) filter (where deleted_at is not null) > 0
    and count(*) filter (where lead_source = '(none)') > 0
  from analytics.f_leads where id like 'rr-L%'), 'the generated leads have every edge');
select bag_eq('select * from pg_temp.response_summed()', 'select * from pg_temp.response_agg()',
  'r_lead_response = the leads counted per day, key and bucket (inserts)');
select is(pg_temp.differs(), 0::bigint,
  'lead response = its definition over every lead (10 days × 6 periods)');

-- Changes: first touches moved (earlier, later, removed, added), sources and owners changed,
-- leads deleted; then a fold.
update analytics.f_leads set first_touch_at = first_touch_at - interval '3 hours'
  where id like 'rr-L1__';
update analytics.f_leads set first_touch_at = created_at + interval '9 days'
  where id like 'rr-L2__';
update analytics.f_leads set first_touch_at = null where id like 'rr-L3_';
update analytics.f_leads set first_touch_at = created_at + interval '20 minutes'
  where id like 'rr-L4_' and first_touch_at is null;
update analytics.f_leads set lead_source = 'rr-Ads', owner_id = 'rr-o2' where id like 'rr-L5__';
delete from analytics.f_leads where id like 'rr-L6__';
select bag_eq('select * from pg_temp.response_summed()', 'select * from pg_temp.response_agg()',
  'r_lead_response = the leads counted after updates and deletes');
select is(pg_temp.differs(), 0::bigint, 'lead response = its definition after the changes');
select analytics.fold_rollups();
select bag_eq('select * from pg_temp.response_summed()', 'select * from pg_temp.response_agg()',
  'r_lead_response = the leads counted after a fold');
select is((select count(*) from analytics.r_lead_response_log), 0::bigint, 'the fold empties the log');
-- The monthly rows (whole months of a window) are the daily folded rows summed per month.
create function pg_temp.months_summed() returns table (created_month date, dimension text,
  key text, owner_name text, deleted_at timestamptz, bucket smallint, leads bigint, hours_h bigint)
language sql as $$
  select date_trunc('month', r.created_day)::date, r.dimension, r.key, r.owner_name, r.deleted_at,
    r.bucket, sum(r.leads)::bigint, sum(r.hours_h)::bigint
  from analytics.r_lead_response_folded r group by 1, 2, 3, 4, 5, 6
$$;
select bag_eq('select * from analytics.r_lead_response_month',
  'select * from pg_temp.months_summed()', 'r_lead_response_month = the daily rows per month');

-- Worked by hand (source rr-Hand, created 2 Mar 2026 08:00 UTC): touched after 0.5 h, 1.00 h,
-- 1.01 h and 3 h, one never, one on 5 Mar (after as_of 4 Mar). As of 4 Mar: 6 leads, 4
-- touched; the middle ranks are 1.00 h (bucket 9, the hour's last tenth) and 1.01 h (bucket 10):
-- median 1.005 → 1.01; mean 5.51 ÷ 4 = 1.3775 → 1.38; within the hour 2 of 4 = 50 %. As of 5
-- Mar the late one counts: 5 touched, median 1.01.
insert into analytics.f_leads (id, created_at, created_day, owner_id, lead_source, converted,
  first_touch_at)
select 'rr-H' || n, timestamptz '2026-03-02T08:00:00Z', '2026-03-02', 'rr-o9', 'rr-Hand', false,
  t
from (values (1, timestamptz '2026-03-02T08:30:00Z'), (2, '2026-03-02T09:00:00Z'),
  (3, '2026-03-02T09:00:36Z'), (4, '2026-03-02T11:00:00Z'), (5, null),
  (6, '2026-03-05T10:00:00Z')) v(n, t);
select results_eq($$select leads, touched, untouched, median_hours, avg_hours, within_1h_pct
  from analytics.lead_response('2026-03-04', 'mtd') where dimension = 'source'
    and key = 'rr-Hand'$$,
  $$values (6::bigint, 4::bigint, 2::bigint, 1.01::numeric, 1.38::numeric, 50.00::numeric)$$,
  'a source worked by hand: middle ranks in two buckets, the hour''s edge, a late touch');
select results_eq($$select touched, median_hours from analytics.lead_response('2026-03-05', 'mtd')
  where dimension = 'source' and key = 'rr-Hand'$$,
  $$values (5::bigint, 1.01::numeric)$$, 'the late touch counts from its day on');
select is(pg_temp.differs(), 0::bigint, 'lead response = its definition with them');

-- Folded keys brought to 0 by a later fold go (each rollup: its leads, deals or stays deleted).
select analytics.fold_rollups();
delete from analytics.f_leads where id like 'rr-L7__' or id like 'rr-H%';
delete from analytics.f_stage_entries;
delete from analytics.f_deals;
select analytics.fold_rollups();
select is((select count(*) from analytics.r_lead_response_folded where leads = 0)
    + (select count(*) from analytics.r_leads_folded where leads = 0)
    + (select count(*) from analytics.r_deals_closed_folded where deals = 0)
    + (select count(*) from analytics.r_stage_stays_folded where stays = 0)
    + (select count(*) from analytics.r_stage_stays_month where stays = 0)
    + (select count(*) from analytics.r_lead_response_month where leads = 0), 0::bigint,
  'a fold removes the folded rows it brings to 0, in every rollup and its months');
select bag_eq('select * from pg_temp.response_summed()', 'select * from pg_temp.response_agg()',
  'r_lead_response = the leads counted after a second fold');
select bag_eq('select * from analytics.r_lead_response_month',
  'select * from pg_temp.months_summed()',
  'r_lead_response_month = the daily rows per month after a second fold (keys at 0 gone)');

-- A truncate (the full rebuild's first step) empties the rollup with the facts.
truncate analytics.f_leads;
select is((select count(*) from analytics.r_lead_response)
    + (select count(*) from analytics.r_lead_response_month), 0::bigint,
  'a truncate of the facts empties the rollup, its log and its months');

select * from finish();
rollback;
