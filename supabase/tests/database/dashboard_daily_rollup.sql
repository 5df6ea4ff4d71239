-- pgTAP: the dashboard's daily rows (dashboard.build) from the kept rollup of their grain
-- (analytics.r_dashboard_daily, analytics/rollups.sql) equal their definition over the facts (the
-- build before the rollup, below) on days before, between and after the rows' days, through
-- inserts, updates (first touch, owner and its name, source, outcome, amount, Closing_Date,
-- deletion), deletes, a fold and a truncate. Leads first touched after as_of (in its last week
-- and long before it), at the band edges, without a touch, a created time, a source or an owner,
-- deleted either side of as_of; deals created after their Closing_Date and after as_of, without
-- an amount or a created day, reopened, deleted.
begin;
select plan(11);

\ir ../fixtures/company.psql

-- The daily rows as dashboard.build defined them before the rollup (20261211090041).
create function pg_temp.daily_direct(p_as_of date)
returns table (day date, lead_source text, owner_id text, owner_name text, leads bigint,
  won bigint, won_amount numeric, lost bigint, lost_amount numeric, r1 bigint, r4 bigint,
  r24 bigint, r72 bigint, r168 bigint, rl bigint, untouched bigint)
language sql stable
as $$
  with c as (
    select (select min(p.start_day) from analytics.periods(p_as_of) p) as first_day,
      analytics.day_end(p_as_of) as t1
  )
  select x.day, x.src, x.owner, max(x.owner_name),
    count(*) filter (where x.kind = 'lead'),
    count(*) filter (where x.kind = 'won'),
    coalesce(sum(x.amount) filter (where x.kind = 'won'), 0),
    count(*) filter (where x.kind = 'lost'),
    coalesce(sum(x.amount) filter (where x.kind = 'lost'), 0),
    count(*) filter (where x.hours <= 1),
    count(*) filter (where x.hours > 1 and x.hours <= 4),
    count(*) filter (where x.hours > 4 and x.hours <= 24),
    count(*) filter (where x.hours > 24 and x.hours <= 72),
    count(*) filter (where x.hours > 72 and x.hours <= 168),
    count(*) filter (where x.hours > 168),
    count(*) filter (where x.kind = 'lead' and x.hours is null)
  from c, lateral (
    select 'lead' as kind, f.created_day as day, coalesce(f.lead_source, '(none)') as src,
      coalesce(f.owner_id, '(none)') as owner, f.owner_name, null::numeric as amount,
      case when f.first_touch_at < c.t1
        then round(greatest(extract(epoch from f.first_touch_at - f.created_at), 0) / 3600, 2)
      end as hours
    from analytics.f_leads f
    where f.created_day >= c.first_day and f.created_day <= p_as_of
      and (f.deleted_at is null or f.deleted_at >= c.t1)
    union all
    select case when d.is_won then 'won' else 'lost' end, d.closing_date,
      coalesce(d.lead_source, '(none)'), coalesce(d.owner_id, '(none)'), d.owner_name,
      d.amount, null
    from analytics.f_deals d
    where (d.is_won or d.is_lost) and d.closing_date >= c.first_day
      and d.closing_date <= p_as_of and d.created_day <= p_as_of
      and (d.deleted_at is null or d.deleted_at >= c.t1)
  ) x
  group by x.day, x.src, x.owner
$$;
-- Rows of a build of a snapshot of p_as_of (a snapshot row made here; the build reads its as_of).
create function pg_temp.daily_built(p_as_of date)
returns table (day date, lead_source text, owner_id text, owner_name text, leads bigint,
  won bigint, won_amount numeric, lost bigint, lost_amount numeric, r1 bigint, r4 bigint,
  r24 bigint, r72 bigint, r168 bigint, rl bigint, untouched bigint)
language plpgsql
as $$
declare
  sid uuid;
begin
  insert into analytics.snapshots (as_of, period_start, period_end, time_zone, content_hash,
    kpis, brief, created_at)
  values (p_as_of, p_as_of, p_as_of, analytics.time_zone(), 'test', '{}', '{}',
    clock_timestamp())
  returning id into sid;
  perform dashboard.build(sid);
  return query select d.day, d.lead_source, d.owner_id, d.owner_name, d.leads::bigint,
    d.won::bigint, d.won_amount, d.lost::bigint, d.lost_amount, d.response_1h::bigint,
    d.response_4h::bigint, d.response_24h::bigint, d.response_72h::bigint,
    d.response_168h::bigint, d.response_later::bigint, d.untouched::bigint
  from dashboard.daily d where d.snapshot_id = sid;
end
$$;
-- Rows the two differ by (either way, duplicates counted), summed over the days.
create function pg_temp.days_differ() returns bigint language plpgsql as $$
declare
  d date;
  n bigint := 0;
begin
  foreach d in array array['2026-03-07', '2026-03-06', '2026-03-05', '2026-03-04', '2026-03-03',
    '2026-02-28', '2026-02-01', '2026-01-10', '2025-06-30', '2020-01-01']::date[] loop
    create temp table b on commit drop as select * from pg_temp.daily_built(d);
    n := n + (select count(*) from (
      (select * from pg_temp.daily_direct(d) except all select * from b)
      union all
      (select * from b except all select * from pg_temp.daily_direct(d))) x);
    drop table b;
  end loop;
  return n;
end
$$;
-- The rollup recomputed from the facts, and the view as dashboard.build sums it.
create function pg_temp.rollup_agg() returns table (day date, kind smallint, lead_source text,
  owner_id text, owner_name text, band smallint, created_late date, deleted_at timestamptz,
  n bigint, amount numeric)
language sql as $$
  select k.day, k.kind, k.lead_source, k.owner_id, k.owner_name, k.band, k.created_late,
    k.deleted_at, count(*), null::numeric
  from analytics.f_leads f, analytics.dashboard_lead_key(f) k
  group by 1, 2, 3, 4, 5, 6, 7, 8
  union all
  select k.day, k.kind, k.lead_source, k.owner_id, k.owner_name, k.band, k.created_late,
    k.deleted_at, count(*), sum(k.amount)
  from analytics.f_deals f, analytics.dashboard_deal_key(f) k
  group by 1, 2, 3, 4, 5, 6, 7, 8
$$;
create function pg_temp.rollup_summed() returns table (day date, kind smallint,
  lead_source text, owner_id text, owner_name text, band smallint, created_late date,
  deleted_at timestamptz, n bigint, amount numeric)
language sql as $$
  select r.day, r.kind, r.lead_source, r.owner_id, r.owner_name, r.band, r.created_late,
    r.deleted_at, sum(r.n)::bigint, sum(r.amount)
  from analytics.r_dashboard_daily r
  group by 1, 2, 3, 4, 5, 6, 7, 8
  having sum(r.n) <> 0
$$;

select set_eq('select * from pg_temp.rollup_summed()', 'select * from pg_temp.rollup_agg()',
  'the rollup holds the fixture''s leads and closed deals');
select is(pg_temp.days_differ(), 0::bigint, 'the daily rows equal their definition on the fixture');

-- Leads (Asia/Kolkata; as_of 4 March ends at 5 March 00:00 +05:30) and deals of every shape.
insert into analytics.f_leads (id, created_at, created_day, owner_id, owner_name, lead_source,
  converted, deleted_at, first_touch_at)
select 'dd-L' || i, ca, cd, o, n, src, false, del, ft
from (values
  (1, '2026-03-02 10:00+05:30'::timestamptz, '2026-03-02'::date, 'dd-o1', 'DD One', 'dd-web',
    null::timestamptz, '2026-03-02 10:30+05:30'::timestamptz),
  (2, '2026-03-02 11:00+05:30', '2026-03-02', 'dd-o1', 'DD One (old)', 'dd-web', null,
    '2026-03-02 17:00+05:30'),
  -- touched the day after as_of: untouched on 4 March (the last week's leads)
  (3, '2026-03-04 10:00+05:30', '2026-03-04', 'dd-o2', 'DD Two', 'dd-ads', null,
    '2026-03-05 10:00+05:30'),
  -- touched a month after creation, after as_of: untouched on 4 March (the slowest answers)
  (4, '2026-02-01 10:00+05:30', '2026-02-01', 'dd-o2', 'DD Two', 'dd-ads', null,
    '2026-03-05 12:00+05:30'),
  (5, '2026-02-20 09:00+05:30', '2026-02-20', null, null, null, null, null),
  (6, '2026-01-15 09:00+05:30', '2026-01-15', 'dd-o1', 'DD One', 'dd-web',
    analytics.day_end('2026-03-04'), '2026-01-20 09:00+05:30'),
  (7, '2026-01-15 09:00+05:30', '2026-01-15', 'dd-o1', 'DD One', 'dd-web',
    analytics.day_end('2026-03-04') - interval '1 second', null),
  (8, '2026-01-15 09:00+05:30', null, 'dd-o1', 'DD One', 'dd-web', null, null),
  (9, null, '2026-02-25', 'dd-o1', 'DD One', 'dd-web', null, '2026-02-26 09:00+05:30'),
  -- band edges: 3,617 s rounds to 1.00 h, 3,618 s to 1.01 h; 4 h, 24 h, 72 h, 168 h exactly
  (10, '2026-02-10 09:00+05:30', '2026-02-10', 'dd-o3', 'DD Three', 'dd-web', null,
    '2026-02-10 09:00+05:30'::timestamptz + interval '3617 s'),
  (11, '2026-02-10 09:00+05:30', '2026-02-10', 'dd-o3', 'DD Three', 'dd-web', null,
    '2026-02-10 09:00+05:30'::timestamptz + interval '3618 s'),
  (12, '2026-02-10 09:00+05:30', '2026-02-10', 'dd-o3', 'DD Three', 'dd-web', null,
    '2026-02-10 13:00+05:30'),
  (13, '2026-02-10 09:00+05:30', '2026-02-10', 'dd-o3', 'DD Three', 'dd-web', null,
    '2026-02-11 09:00+05:30'),
  (14, '2026-02-10 09:00+05:30', '2026-02-10', 'dd-o3', 'DD Three', 'dd-web', null,
    '2026-02-13 09:00+05:30'),
  (15, '2026-02-10 09:00+05:30', '2026-02-10', 'dd-o3', 'DD Three', 'dd-web', null,
    '2026-02-17 09:00+05:30'),
  (16, '2026-02-10 09:00+05:30', '2026-02-10', 'dd-o3', 'DD Three', 'dd-web', null,
    '2026-02-17 09:00:36+05:30'),
  -- touched before it was created (a negative wait counts as 0)
  (17, '2026-02-10 09:00+05:30', '2026-02-10', 'dd-o3', 'DD Three', 'dd-web', null,
    '2026-02-10 08:00+05:30'),
  (18, '2026-03-06 09:00+05:30', '2026-03-06', 'dd-o1', 'DD One', 'dd-web', null, null)
) v(i, ca, cd, o, n, src, del, ft);
insert into analytics.f_deals (id, created_day, owner_id, owner_name, stage, amount,
  closing_date, lead_source, is_won, is_lost, is_closed, deleted_at)
select 'dd-D' || i, cd, o, n, st, amt, close, src, st = 'Closed Won', st like 'Closed Lost%',
  st like 'Closed%', del
from (values
  (1, '2026-02-01'::date, 'dd-o1', 'DD One', 'Closed Won', 100.50, '2026-03-02'::date, 'dd-web',
    null::timestamptz),
  (2, '2026-02-01', 'dd-o2', 'DD Two', 'Closed Lost', 999, '2026-03-03', 'dd-ads', null),
  (3, '2026-02-01', 'dd-o1', 'DD One', 'Closed Won', null, '2026-03-01', 'dd-web', null),
  -- created after its Closing_Date, and after as_of 4 March
  (4, '2026-03-05', 'dd-o1', 'DD One', 'Closed Won', 40, '2026-03-02', 'dd-web', null),
  (5, null, 'dd-o1', 'DD One', 'Closed Won', 50, '2026-02-10', 'dd-web', null),
  (6, '2026-02-01', 'dd-o1', 'DD One', 'Qualification', 60, '2026-03-02', 'dd-web', null),
  (7, '2026-02-01', null, null, 'Closed Lost', 70, '2026-02-27', null,
    analytics.day_end('2026-03-04')),
  (8, '2026-02-01', 'dd-o2', 'DD Two', 'Closed Lost', 80, null, 'dd-ads', null),
  (9, '2026-02-01', 'dd-o1', 'DD One', 'Closed Won', 90, '2026-03-02', 'dd-web',
    analytics.day_end('2026-03-02'))
) v(i, cd, o, n, st, amt, close, src, del);
select set_eq('select * from pg_temp.rollup_summed()', 'select * from pg_temp.rollup_agg()',
  'inserted leads and deals are counted under their keys (the log, before a fold)');
select is(pg_temp.days_differ(), 0::bigint,
  'the daily rows equal their definition after the inserts');
select results_eq($$select untouched, r24 from pg_temp.daily_built('2026-03-04')
    where lead_source = 'dd-ads' and day = '2026-03-04'$$,
  $$values (1::bigint, 0::bigint)$$, 'a lead first touched the day after as_of is untouched then');

-- Updates of everything the keys read, deletes, then a fold.
update analytics.f_leads set first_touch_at = '2026-03-04 11:00+05:30' where id = 'dd-L3';
update analytics.f_leads set owner_name = 'DD One' where id = 'dd-L2';
update analytics.f_leads set lead_source = 'dd-ads', owner_id = 'dd-o2' where id = 'dd-L9';
update analytics.f_leads set deleted_at = analytics.day_end('2026-03-03') where id = 'dd-L5';
update analytics.f_leads set first_touch_at = null where id = 'dd-L10';
update analytics.f_deals set amount = 12.34 where id = 'dd-D1';
update analytics.f_deals set stage = 'Closed Lost', is_won = false, is_lost = true
  where id = 'dd-D3';
update analytics.f_deals set stage = 'Qualification', is_lost = false, is_closed = false
  where id = 'dd-D2';
update analytics.f_deals set stage = 'Closed Won', is_won = true, is_closed = true
  where id = 'dd-D6';
update analytics.f_deals set closing_date = '2026-02-28' where id = 'dd-D4';
delete from analytics.f_leads where id = 'dd-L11';
delete from analytics.f_deals where id = 'dd-D9';
select set_eq('select * from pg_temp.rollup_summed()', 'select * from pg_temp.rollup_agg()',
  'updates and deletes move the counts and sums (the log, before a fold)');
select is(pg_temp.days_differ(), 0::bigint,
  'the daily rows equal their definition after the updates');
select analytics.fold_rollups();
select set_eq('select day, kind, lead_source, owner_id, owner_name, band, created_late,
    deleted_at, n, amount from analytics.r_dashboard_daily',
  'select * from pg_temp.rollup_agg()', 'a fold leaves one row per key with the exact sums');
select is(pg_temp.days_differ(), 0::bigint, 'the daily rows equal their definition after the fold');

-- A truncate of the facts (the full rebuild) empties the rollup; the build has no daily rows.
truncate analytics.f_leads, analytics.f_deals;
select is_empty('select * from analytics.r_dashboard_daily', 'a truncate empties the rollup');
select is_empty($$select * from pg_temp.daily_built('2026-03-04')$$,
  'no facts: no daily rows, as before');

select * from finish();
rollback;
