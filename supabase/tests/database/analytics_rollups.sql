-- pgTAP: the rollups (analytics/rollups.sql) stay the exact aggregates of f_leads / f_deals through
-- inserts, updates, deletes and truncates, and the KPIs that read them (leads_created, win_rate,
-- revenue, revenue_by_owner, revenue_by_month, source_roi) equal direct counts over the facts for
-- several days, periods and dimensions, with a deleted lead and deal on both sides of the end of
-- as_of and deals created after their closing date. Tolerates other tests' facts: rollups are
-- compared with the aggregate of whatever the facts hold, the KPIs with direct counts of them.
begin;
select plan(47);

-- The first day as of which an instant is past: the least d with x < day_end(d), searched.
create function pg_temp.past_from(x timestamptz) returns date language sql as $$
  select min(d)::date from generate_series((x at time zone analytics.time_zone())::date - 2,
    (x at time zone analytics.time_zone())::date + 2, interval '1 day') d
  where x < analytics.day_end(d::date)
$$;
-- The rollups recomputed from the facts, as the triggers should keep them; a lead ends its open
-- spell when converted or deleted, its untouched one also when first touched.
create function pg_temp.leads_agg() returns table (created_day date, dimension text, key text,
  owner_name text, deleted_at timestamptz, leads bigint)
language sql as $$
  select f.created_day, k.d, k.k, k.n, f.deleted_at, count(*) from analytics.f_leads f
  cross join lateral (values ('all', null, null), ('source', f.lead_source, null),
    ('owner', f.owner_id, f.owner_name), ('status', f.lead_status, null)) k(d, k, n)
  group by 1, 2, 3, 4, 5
  union all
  select greatest(f.created_day, x.e), x.d, null::text, null::text, null::timestamptz, count(*)
  from analytics.f_leads f
  cross join lateral (select case when f.converted then coalesce(f.converted_day, '-infinity')
    end as c) c
  cross join lateral (values
    ('exit_open', least(c.c, pg_temp.past_from(f.deleted_at))),
    ('exit_untouched', least(c.c, pg_temp.past_from(f.deleted_at),
      pg_temp.past_from(f.first_touch_at)))) x(d, e)
  where f.created_day is not null and x.e is not null
  group by 1, 2, 3, 4, 5
$$;
create function pg_temp.deals_agg() returns table (closing_date date, dimension text, key text,
  owner_name text, is_won boolean, created_late date, deleted_at timestamptz, deals bigint,
  amount numeric)
language sql as $$
  select f.closing_date, k.d, k.k, k.n, f.is_won,
    case when f.created_day <= f.closing_date then null
      else coalesce(f.created_day, 'infinity') end,
    f.deleted_at, count(*), coalesce(sum(f.amount), 0)
  from analytics.f_deals f
  cross join lateral (values ('all', null, null), ('source', f.lead_source, null),
    ('owner', f.owner_id, f.owner_name)) k(d, k, n)
  where (f.is_won or f.is_lost) and f.closing_date is not null
  group by 1, 2, 3, 4, 5, 6, 7
$$;
-- The views as their readers take them: rows summed per key, keys summing to 0 left out.
create function pg_temp.leads_summed() returns table (created_day date, dimension text,
  key text, owner_name text, deleted_at timestamptz, leads bigint)
language sql as $$
  select r.created_day, r.dimension, r.key, r.owner_name, r.deleted_at, sum(r.leads)::bigint
  from analytics.r_leads r group by 1, 2, 3, 4, 5 having sum(r.leads) <> 0
$$;
create function pg_temp.deals_summed() returns table (closing_date date, dimension text,
  key text, owner_name text, is_won boolean, created_late date, deleted_at timestamptz,
  deals bigint, amount numeric)
language sql as $$
  select r.closing_date, r.dimension, r.key, r.owner_name, r.is_won, r.created_late,
    r.deleted_at, sum(r.deals)::bigint, coalesce(sum(r.amount), 0)
  from analytics.r_deals_closed r group by 1, 2, 3, 4, 5, 6, 7 having sum(r.deals) <> 0
$$;
create function pg_temp.rollups_exact(what text) returns setof text language plpgsql as $$
begin
  return next bag_eq('select * from pg_temp.leads_summed()', 'select * from pg_temp.leads_agg()',
    'r_leads = f_leads counted per day and key ' || what);
  return next bag_eq('select * from pg_temp.deals_summed()', 'select * from pg_temp.deals_agg()',
    'r_deals_closed = closed f_deals counted and summed per day and key ' || what);
end $$;

-- Direct counts over the facts: the definitions the KPIs had before the rollups (each KPI below
-- is compared with them on 4 days × 6 periods).
create function pg_temp.leads_direct(p_as_of date, p_period text)
returns table (dimension text, key text, label text, leads bigint, prev_leads bigint)
language sql as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  l as (
    select f.*, f.created_day >= p.start_day as cur from analytics.f_leads f, p
    where f.created_day >= p.prev_start and f.created_day < p.end_day
      and (f.created_day >= p.start_day or f.created_day < p.prev_end)
      and (f.deleted_at is null or f.deleted_at >= analytics.day_end(p_as_of))
  )
  select case when grouping(lead_source) = 0 then 'source' when grouping(owner_id) = 0
      then 'owner' when grouping(lead_status) = 0 then 'status' else 'all' end,
    case when grouping(lead_source) = 0 then coalesce(lead_source, '(none)')
      when grouping(owner_id) = 0 then coalesce(owner_id, '(none)')
      when grouping(lead_status) = 0 then coalesce(lead_status, '(none)') end,
    case when grouping(owner_id) = 0 then max(owner_name) end,
    count(*) filter (where cur), count(*) filter (where not cur)
  from l group by grouping sets ((), (lead_source), (owner_id), (lead_status))
$$;
create function pg_temp.closed_direct(p_as_of date, p_period text)
returns table (dimension text, key text, label text, won bigint, lost bigint,
  won_amount numeric, lost_amount numeric)
language sql as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  d as (
    select f.* from analytics.f_deals f, p
    where (f.is_won or f.is_lost) and f.closing_date >= p.start_day
      and f.closing_date < p.end_day and f.created_day <= p_as_of
      and (f.deleted_at is null or f.deleted_at >= analytics.day_end(p_as_of))
  )
  select case when grouping(lead_source) = 0 then 'source' when grouping(owner_id) = 0
      then 'owner' else 'all' end,
    case when grouping(lead_source) = 0 then coalesce(lead_source, '(none)')
      when grouping(owner_id) = 0 then coalesce(owner_id, '(none)') end,
    case when grouping(owner_id) = 0 then max(owner_name) end,
    count(*) filter (where is_won), count(*) filter (where is_lost),
    coalesce(sum(amount) filter (where is_won), 0), coalesce(sum(amount) filter (where is_lost), 0)
  from d group by grouping sets ((), (lead_source), (owner_id))
$$;
-- Sales velocity as it grouped every alive deal by source (a source with no deal open or closed
-- in the window still has its row of zeros).
create function pg_temp.velocity_direct(p_as_of date)
returns table (dimension text, key text, open_deals bigint, won bigint, closed bigint,
  win_rate_pct numeric, avg_deal_size numeric, avg_cycle_days numeric, velocity_per_day numeric)
language sql as $$
  with p as (select * from analytics.periods(p_as_of) where period = 't12m'),
  alive as (
    select f.* from analytics.f_deals f
    where f.created_day <= p_as_of
      and (f.deleted_at is null or f.deleted_at >= analytics.day_end(p_as_of))
  ),
  g as (
    select case when grouping(a.lead_source) = 0 then 'source' else 'all' end as dimension,
      case when grouping(a.lead_source) = 0 then coalesce(a.lead_source, '(none)') end as key,
      count(*) filter (where not a.is_closed) as open_deals,
      count(*) filter (where a.is_won and a.closing_date >= p.start_day
        and a.closing_date < p.end_day) as won,
      count(*) filter (where (a.is_won or a.is_lost) and a.closing_date >= p.start_day
        and a.closing_date < p.end_day) as closed,
      avg(a.amount) filter (where a.is_won and a.closing_date >= p.start_day
        and a.closing_date < p.end_day) as size,
      avg(a.closing_date - a.created_day) filter (where a.is_won
        and a.closing_date >= p.start_day and a.closing_date < p.end_day) as cycle
    from alive a, p
    group by grouping sets ((), (a.lead_source))
  )
  select dimension, key, open_deals, won, closed, analytics.pct(won, closed), round(size, 2),
    round(cycle, 2),
    round(open_deals * (won::numeric / nullif(closed, 0)) * size / nullif(cycle, 0), 2)
  from g
$$;
-- Data quality's lead checks as they read every lead before the exit rollups.
create function pg_temp.quality_direct(p_as_of date) returns table (check_id text, n bigint,
  total bigint)
language sql as $$
  with l as (
    select count(*) as open_leads,
      count(*) filter (where not coalesce(f.first_touch_at < analytics.day_end(p_as_of), false))
        as never,
      count(*) filter (where f.created_day > p_as_of - s.untouched_after_days) as recent,
      count(*) filter (where f.created_day > p_as_of - s.untouched_after_days
        and not coalesce(f.first_touch_at < analytics.day_end(p_as_of), false)) as recent_never
    from analytics.f_leads f, analytics.settings s
    where f.created_day <= p_as_of and not (f.converted and f.converted_day <= p_as_of)
      and (f.deleted_at is null or f.deleted_at >= analytics.day_end(p_as_of))
  )
  select 'leads_never_touched', l.never, l.open_leads from l
  union all select 'recent_leads_untouched', l.recent_never, l.recent from l
$$;
create function pg_temp.kpis_direct(what text) returns setof text language plpgsql as $$
declare
  q text;
begin
  -- days around the test data and the deletions' instants; every period kind
  q := $q$from (values ('2026-03-04'::date), ('2026-03-05'), ('2026-02-28'), ('2025-12-31'))
    v(d), (values ('day'), ('wtd'), ('mtd'), ('qtd'), ('ytd'), ('t12m')) p(per)$q$;
  return next bag_eq(format('select v.d, p.per, l.dimension, l.key, l.label, l.leads,
      l.prev_leads %s, analytics.leads_created(v.d, p.per) l', q),
    format('select v.d, p.per, l.* %s, pg_temp.leads_direct(v.d, p.per) l', q),
    'leads_created = direct counts of f_leads ' || what);
  return next bag_eq(format('select v.d, p.per, w.dimension, w.key, w.label, w.won, w.lost,
      w.won_amount, w.lost_amount %s, analytics.win_rate(v.d, p.per) w', q),
    format('select v.d, p.per, w.* %s, pg_temp.closed_direct(v.d, p.per) w', q),
    'win_rate = direct counts and sums of closed f_deals ' || what);
  return next bag_eq(format('select v.d, r.period, r.revenue, r.won_deals %s,
      analytics.revenue(v.d) r where p.per = r.period', q),
    format('select v.d, p.per, c.won_amount, c.won %s, pg_temp.closed_direct(v.d, p.per) c
      where c.dimension = ''all'' and p.per not in (''t12m'')', q),
    'revenue = Σ Amount of won f_deals per period ' || what);
  return next bag_eq(format('select v.d, s.lead_source, s.leads, s.won_deals, s.revenue %s,
      analytics.source_roi(v.d, p.per) s where s.leads > 0 or s.won_deals > 0', q),
    format($q$select v.d, s.* %s cross join lateral (
        select coalesce(l.key, w.key) as src, coalesce(l.leads, 0) as leads,
          coalesce(w.won, 0) as won, coalesce(w.won_amount, 0) as revenue
        from (select * from pg_temp.leads_direct(v.d, p.per) x
          where x.dimension = 'source' and x.leads > 0) l
        full join (select * from pg_temp.closed_direct(v.d, p.per) x
          where x.dimension = 'source' and x.won > 0) w on w.key = l.key) s$q$, q),
    'source_roi leads, won deals and revenue = direct counts per source ' || what);
  return next bag_eq(format('select v.d, coalesce(o.owner_id, ''(none)''), o.label, o.revenue,
      o.won_deals %s, analytics.revenue_by_owner(v.d) o
      where p.per = ''qtd'' and o.won_deals > 0', q),
    format('select v.d, c.key, c.label, c.won_amount, c.won %s, pg_temp.closed_direct(v.d, p.per) c
      where p.per = ''qtd'' and c.dimension = ''owner'' and c.won > 0', q),
    'revenue_by_owner = direct sums of won f_deals per owner this quarter ' || what);
  return next bag_eq(format('select v.d, m.* %s, analytics.revenue_by_month(v.d, 3) m
      where p.per = ''day'' ', q),
    format($q$select v.d, date_trunc('month', f.closing_date::timestamp)::date as month,
        case when grouping(f.lead_source) = 0 then 'source' else 'all' end as dimension,
        case when grouping(f.lead_source) = 0 then coalesce(f.lead_source, '(none)') end as key,
        coalesce(sum(f.amount), 0) as revenue, count(*) as won_deals
      %s, analytics.f_deals f
      where p.per = 'day' and f.is_won and f.closing_date <= v.d and f.created_day <= v.d
        and f.closing_date >= (date_trunc('month', v.d::timestamp) - interval '2 months')::date
        and (f.deleted_at is null or f.deleted_at >= analytics.day_end(v.d))
      group by grouping sets ((1, 2), (1, 2, f.lead_source))$q$, q),
    'revenue_by_month = direct sums of won f_deals per month and source ' || what);
  return next bag_eq(format('select v.d, q.check_id, q.count, q.total %s,
      analytics.data_quality(v.d) q where p.per = ''day'' and q.check_id like ''%%leads%%''', q),
    format('select v.d, q.* %s, pg_temp.quality_direct(v.d) q where p.per = ''day''', q),
    'data_quality open and untouched leads = direct counts of f_leads ' || what);
  return next bag_eq(format('select v.d, x.* %s, analytics.sales_velocity(v.d) x
      where p.per = ''day''', q),
    format('select v.d, x.* %s, pg_temp.velocity_direct(v.d) x where p.per = ''day''', q),
    'sales_velocity = every alive deal grouped by source ' || what);
end $$;

-- Test data, all of source / owner 'rollup-test' so the exact figures below are ours.
-- Day boundaries in the company time zone: deletions 1 s before and at the end of 4 March.
-- Conversions and first touches on both sides of the end of 4 March (data quality's exits).
insert into analytics.f_leads (id, created_at, created_day, owner_id, owner_name, lead_source,
  lead_status, converted, converted_day, deleted_at, first_touch_at)
select 'rt-L' || i, null, d, o, 'RT ' || o, s, st, cd is not null or i = 11, cd, del, ft
from (values
  (1, '2026-03-04'::date, 'rt-o1', 'rollup-test', 'New', null::timestamptz, null::date,
    null::timestamptz),
  (2, '2026-03-04', 'rt-o1', 'rollup-test', 'New', null, null, null),
  (3, '2026-03-03', 'rt-o2', 'rollup-test', 'Contacted', null, null,
    analytics.day_end('2026-03-04') - interval '1 second'),
  (4, '2026-02-03', 'rt-o2', 'rollup-test', null, null, null, analytics.day_end('2026-03-04')),
  (5, '2026-03-02', 'rt-o1', 'rollup-test', 'New', analytics.day_end('2026-03-04') - interval '1 second', null, null),
  (6, '2026-03-02', 'rt-o1', 'rollup-test', 'New', analytics.day_end('2026-03-04'), null, null),
  (7, '2026-03-04', 'rt-o2', null, 'New', null, null, null),
  (8, '2026-02-20', 'rt-o1', 'rollup-test', 'Converted', null, '2026-03-04', null),
  (9, '2026-02-20', 'rt-o1', 'rollup-test', 'Converted', null, '2026-03-05', null),
  -- converted on no known day, and touched before it was created
  (11, '2026-02-21', 'rt-o2', 'rollup-test', 'Converted', null, null, null),
  (12, '2026-02-10', 'rt-o2', 'rollup-test', 'New', null, null, '2026-02-01T00:00:00Z')
) v(i, d, o, s, st, del, cd, ft);
insert into analytics.f_deals (id, created_day, owner_id, owner_name, stage, amount, closing_date,
  lead_source, is_won, is_lost, is_closed, deleted_at)
select 'rt-D' || i, cd, o, 'RT ' || o, st, amt, close, 'rollup-test', st = 'Closed Won',
  st like 'Closed Lost%', st like 'Closed%', del
from (values
  (1, '2026-01-10'::date, 'rt-o1', 'Closed Won', 1000.50, '2026-03-02'::date, null::timestamptz),
  (2, '2026-01-10', 'rt-o1', 'Closed Lost', 400, '2026-03-03', null),
  -- created after its closing date: counts from its created day on
  (3, '2026-03-04', 'rt-o2', 'Closed Won', 250.25, '2026-03-01', null),
  (4, '2026-03-05', 'rt-o2', 'Closed Won', 99, '2026-03-01', null),
  (5, null, 'rt-o2', 'Closed Won', 7, '2026-03-01', null),
  (6, '2026-01-10', 'rt-o1', 'Closed Won', null, '2026-03-03', null),
  (7, '2026-01-10', 'rt-o1', 'Closed Lost', 60, '2026-03-04', analytics.day_end('2026-03-04')),
  (8, '2026-01-10', 'rt-o2', 'Closed Won', 10, '2026-03-04',
    analytics.day_end('2026-03-04') - interval '1 second'),
  (9, '2026-01-10', 'rt-o2', 'Qualification', 500, '2026-03-04', null)
) v(i, cd, o, st, amt, close, del);

-- Sales velocity's rows (owner rt-o3): a source whose only deal closed two years ago (its row of
-- zeros), no source and the text '(none)' (two rows), a closed stage neither won nor lost, a
-- source whose deal is created on 5 March, one whose deal is deleted on 3 March.
insert into analytics.f_deals (id, created_day, owner_id, owner_name, stage, amount, closing_date,
  lead_source, is_won, is_lost, is_closed, deleted_at)
select 'rt-D' || i, cd, 'rt-o3', 'RT rt-o3', st, amt, close, src, st = 'Closed Won',
  st like 'Closed Lost%', st like 'Closed%', del
from (values
  (21, '2024-01-10'::date, 'Closed Won', 300, '2024-06-01'::date, 'rt-old', null::timestamptz),
  (22, '2026-01-10', 'Negotiation/Review', 100, '2026-04-01', null, null),
  (23, '2026-01-10', 'Closed Won', 50, '2026-02-01', '(none)', null),
  (24, '2026-01-10', 'Closed Other', 70, '2026-02-02', 'rt-other', null),
  (25, '2026-03-05', 'Qualification', 10, '2026-04-01', 'rt-late', null),
  (26, '2026-01-10', 'Qualification', 10, '2026-04-01', 'rt-gone',
    analytics.day_end('2026-03-03'))
) v(i, cd, st, amt, close, src, del);
select results_eq($$select key, open_deals, won, closed from analytics.sales_velocity('2026-03-04')
    where key in ('rt-old', 'rt-other', 'rt-late', 'rt-gone') order by key$$,
  $$values ('rt-old', 0::bigint, 0::bigint, 0::bigint), ('rt-other', 0, 0, 0)$$,
  'sales velocity: a source with no deal open or closed in the window keeps its row of zeros');
select * from pg_temp.rollups_exact('after inserts');
-- 4 Mar: L1, L2 and L6 (deleted at the end of the day: still there), not L5; L7 has no source.
select results_eq($$select leads, prev_leads from analytics.leads_created('2026-03-04', 'mtd')
    where dimension = 'source' and key = 'rollup-test'$$,
  $$values (4::bigint, 1::bigint)$$, 'leads mtd of the source: L1, L2, L3, L6 vs L4');
select results_eq($$select key, label, leads from analytics.leads_created('2026-03-04', 'day')
    where dimension = 'owner' and key like 'rt-%' order by key$$,
  $$values ('rt-o1', 'RT rt-o1', 2::bigint), ('rt-o2', 'RT rt-o2', 1::bigint)$$,
  'leads today per owner, deleted L5 excluded, L7 (no source) counted');
-- mtd as of 4 Mar: won D1 1000.50, D3 250.25 (created 4 Mar), D6 (no amount); D4 is created
-- later, D5 never; D8 deleted before the end of the day. Lost: D2 400, D7 60 (deleted at the end).
select results_eq($$select won, lost, won_amount, lost_amount, win_rate_count_pct,
    win_rate_value_pct from analytics.win_rate('2026-03-04', 'mtd')
    where dimension = 'source' and key = 'rollup-test'$$,
  $$values (3::bigint, 2::bigint, 1250.75, 460::numeric, 60.00, 73.11)$$,
  'win rate mtd of the source: late-created, undated and deleted deals as direct counts');
select results_eq($$select won, won_amount from analytics.win_rate('2026-03-05', 'mtd')
    where dimension = 'owner' and key = 'rt-o2'$$,
  $$values (2::bigint, 349.25)$$, 'as of 5 Mar the deal created that day counts (D3 + D4)');
select * from pg_temp.kpis_direct('after inserts');

-- Updates: a lead moves source and is deleted, one is touched, one converted; a deal changes
-- amount, outcome and closing date.
update analytics.f_leads set lead_source = 'rollup-test-2' where id = 'rt-L2';
update analytics.f_leads set first_touch_at = analytics.day_end('2026-03-03') where id = 'rt-L1';
update analytics.f_leads set converted = true, converted_day = '2026-02-28' where id = 'rt-L12';
update analytics.f_leads set deleted_at = analytics.day_end('2026-03-03') where id = 'rt-L3';
update analytics.f_deals set amount = 1200 where id = 'rt-D1';
update analytics.f_deals set stage = 'Closed Lost', is_won = false, is_lost = true,
  closing_date = '2026-03-04' where id = 'rt-D6';
update analytics.f_deals set stage = 'Closed Won', is_won = true, is_lost = false,
  is_closed = true where id = 'rt-D9';
select * from pg_temp.rollups_exact('after updates');
select results_eq($$select won, lost, won_amount, lost_amount from analytics.win_rate(
    '2026-03-04', 'mtd') where dimension = 'source' and key = 'rollup-test'$$,
  $$values (3::bigint, 3::bigint, 1950.25, 460::numeric)$$,
  'win rate after updates: D1 1200, D6 lost, D9 won 500');
select * from pg_temp.kpis_direct('after updates');

-- Deletes remove keys whose count falls to 0.
delete from analytics.f_leads where id in ('rt-L1', 'rt-L2', 'rt-L6');
delete from analytics.f_deals where id in ('rt-D3', 'rt-D5');
select * from pg_temp.rollups_exact('after deletes');
select is((select count(*) from (select sum(leads) as n from analytics.r_leads
    group by created_day, dimension, key, owner_name, deleted_at) x where x.n < 0)
  + (select count(*) from (select sum(deals) as n from analytics.r_deals_closed
    group by closing_date, dimension, key, owner_name, is_won, created_late, deleted_at) x
    where x.n < 0), 0::bigint,
  'no rollup key sums below 0');
select * from pg_temp.kpis_direct('after deletes');

-- A fold moves the log into the folded tables: the views read the same, the log is empty, and
-- the folded tables alone are the aggregates.
create temp table before_fold_l as select * from pg_temp.leads_summed();
create temp table before_fold_d as select * from pg_temp.deals_summed();
select ok((select count(*) from analytics.r_leads_log) > 0, 'the triggers appended to the log');
select analytics.fold_rollups();
select is((select count(*) from analytics.r_leads_log) + (select count(*) from analytics.r_deals_closed_log),
  0::bigint, 'a fold empties the logs');
select bag_eq('select * from pg_temp.leads_summed()', 'select * from before_fold_l',
  'the leads view sums the same after a fold');
select bag_eq('select * from pg_temp.deals_summed()', 'select * from before_fold_d',
  'the closed deals view sums the same after a fold');
select bag_eq('select * from analytics.r_leads_folded', 'select * from pg_temp.leads_agg()',
  'r_leads_folded alone = f_leads counted per day and key after a fold (no key at 0)');
-- After the fold, an amount change alone (count unchanged) still reaches the folded table.
update analytics.f_deals set amount = amount + 1 where id = 'rt-D9';
select analytics.fold_rollups();
select * from pg_temp.rollups_exact('after an amount change and a fold');
select bag_eq($q$select closing_date, dimension, key, owner_name, is_won, created_late,
    deleted_at, deals, coalesce(amount, 0) from analytics.r_deals_closed_folded$q$,
  'select * from pg_temp.deals_agg()', 'r_deals_closed_folded alone = the aggregate after it');

-- The first day after an instant stays exact where a DST change falls at midnight (Chile, 2026:
-- clocks back from 00:00 to 23:00 on 5 April, forward from 00:00 to 01:00 on 6 September).
select is((select count(*)::int from (
    select generate_series('2026-04-03T00:00:00Z'::timestamptz, '2026-04-08T00:00:00Z',
      interval '10 minutes')
    union all select generate_series('2026-09-04T00:00:00Z'::timestamptz,
      '2026-09-09T00:00:00Z', interval '10 minutes')) i(x)
  where analytics.first_day_after(i.x, 'America/Santiago') is distinct from (
    select min(d)::date from generate_series(i.x::date - 3, i.x::date + 3, interval '1 day') d
    where i.x < ((d::date + 1)::timestamp at time zone 'America/Santiago'))), 0,
  'first_day_after(x) = the least day whose end is after x, across the DST changes');

-- A truncate of the facts (the full rebuild) empties the rollups.
truncate analytics.f_leads, analytics.f_deals;
select is((select count(*) from analytics.r_leads) + (select count(*) from analytics.r_deals_closed),
  0::bigint, 'truncating the facts empties the rollups');

select * from finish();
rollback;
