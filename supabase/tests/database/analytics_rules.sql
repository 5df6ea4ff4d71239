-- pgTAP: the shared rules of supabase/schemas/analytics/rules.sql and crm.picklist: what each
-- says, and that Postgres inlines them (the plan is the one of the expression written out, so
-- saying a rule once costs the KPI queries nothing).
begin;
select plan(24);

-- alive_at: deleted_at null = never deleted; deleted at the instant itself still counts.
select is(analytics.alive_at(null, '2026-03-05 00:00+00'), true, 'never deleted: alive');
select is(analytics.alive_at('2026-03-04 23:59+00', '2026-03-05 00:00+00'), false,
  'deleted before t: not alive at t');
select is(analytics.alive_at('2026-03-05 00:00+00', '2026-03-05 00:00+00'), true,
  'deleted at t: still alive at t');
select is(analytics.alive_at('2026-03-06 00:00+00', '2026-03-05 00:00+00'), true,
  'deleted after t: alive at t');

select is(analytics.days(interval '1 day 12 hours'), 1.5::numeric, 'days: 36 h = 1.5 days');
select is(analytics.days(timestamptz '2026-03-05 00:00+00' - timestamptz '2026-03-04 18:00+00'),
  0.25::numeric, 'days: a difference of instants');

select is(crm.picklist('-None-'), null, 'picklist: -None- is no value');
select is(crm.picklist(''), null, 'picklist: empty is no value');
select is(crm.picklist('Web Download'), 'Web Download', 'picklist: a value stays');

select is(array[analytics.dimension(0), analytics.dimension(1), analytics.dimension(1, 0),
  analytics.dimension(1, 1)], array['source', 'all', 'owner', 'all'],
  'dimension: source, owner or all from grouping()');
select is(array[analytics.dimension_key(0, null), analytics.dimension_key(0, 'Web'),
  analytics.dimension_key(1, 'Web', 0, 'u1'), analytics.dimension_key(1, 'Web', 1, 'u1')],
  array['(none)', 'Web', 'u1', null], 'dimension_key: the grouped value, (none) when empty');

select is(array[analytics.owner_label(0, 'Asha'), analytics.owner_label(1, 'Asha')],
  array['Asha', null], 'owner_label: the name on owner rows only');

-- The plan of a query through each rule, as EXPLAIN VERBOSE prints it.
create function pg_temp.plan_of(q text) returns text language plpgsql as $$
declare
  line text;
  plan text := '';
begin
  for line in execute 'explain (verbose, costs off) ' || q loop
    plan := plan || line || E'\n';
  end loop;
  return plan;
end
$$;

select is(
  pg_temp.plan_of($$select count(*) from analytics.f_deals f
    where analytics.alive_at(f.deleted_at, (select analytics.day_end('2026-03-04')))$$),
  pg_temp.plan_of($$select count(*) from analytics.f_deals f
    where (f.deleted_at is null or f.deleted_at >= (select analytics.day_end('2026-03-04')))$$),
  'alive_at is inlined: same plan as the predicate written out');
select is(
  pg_temp.plan_of($$select round(analytics.days(f.modified_at - f.created_at), 2)
    from analytics.f_deals f$$),
  pg_temp.plan_of($$select round(extract(epoch from f.modified_at - f.created_at) / 86400, 2)
    from analytics.f_deals f$$),
  'days is inlined: same plan as the expression written out');
select is(
  pg_temp.plan_of($$select crm.picklist(f.lead_source) from analytics.f_deals f$$),
  pg_temp.plan_of($$select nullif(nullif(f.lead_source, ''), '-None-') from analytics.f_deals f$$),
  'picklist is inlined: same plan as the expression written out');

select is(
  pg_temp.plan_of($$select analytics.dimension(grouping(lead_source), grouping(owner_id)),
      analytics.dimension_key(grouping(lead_source), lead_source, grouping(owner_id), owner_id),
      analytics.owner_label(grouping(owner_id), max(owner_name))
    from analytics.f_deals group by grouping sets ((), (lead_source), (owner_id))$$),
  pg_temp.plan_of($$select
      case when grouping(lead_source) = 0 then 'source' when grouping(owner_id) = 0 then 'owner'
        else 'all' end,
      case when grouping(lead_source) = 0 then coalesce(lead_source, '(none)')
        when grouping(owner_id) = 0 then coalesce(owner_id, '(none)') end,
      case when grouping(owner_id) = 0 then max(owner_name) end
    from analytics.f_deals group by grouping sets ((), (lead_source), (owner_id))$$),
  'dimension, dimension_key and owner_label are inlined: same plan as the cases written out');
select is(
  (select count(*)::int from analytics.win_rate('2026-03-04', 't12m') where dimension = 'all'
    and key is null), 1, 'win_rate keeps one all row keyed null');

-- The median: exact (mean of the two middle values), nulls ignored, null when empty.
select is(analytics.median(array[3, 1, 2]::numeric[]), 2::numeric, 'median of an odd count');
select is(analytics.median(array[1, 2, 3, 10]::numeric[]), 2.5, 'median of an even count: mean');
select is(analytics.median(array[0.1, null, 0.2]::numeric[]), 0.15, 'median ignores nulls, exact');
select is(analytics.median(array[]::numeric[]), null, 'median of nothing is null');
-- The same median from percentile_disc at analytics.middle_fractions (deal size's): on 600
-- generated sets of 0 to 299 values (odd and even counts, ties, nulls, numeric and integer).
create temp table mf_sets as
select s, v, (abs(hashint4(s * 1000 + i)) % 97)::numeric / (1 + s % 3) as x,
  case when abs(hashint4(s * 7 + i)) % 11 = 0 then null else abs(hashint4(i + s)) % 50 end as k
from generate_series(1, 600) s, generate_series(1, s % 300) i, lateral (select i as v) l;
select is((select count(*)::int from (
    select s, analytics.median(array_agg(x)) as m1, analytics.median(array_agg(k)) as k1,
      (percentile_disc(analytics.middle_fractions()) within group (order by x)) as q,
      (percentile_disc(analytics.middle_fractions()) within group (order by k)) as r
    from mf_sets group by s) g
  where g.m1 is distinct from analytics.middle_mean(g.q)
    or g.k1 is distinct from analytics.middle_mean(g.r)), 0,
  'percentile_disc at the middle fractions gives analytics.median exactly (600 sets)');

-- Whole months inside a window of days [from, to): a window starting on the 1st keeps its first
-- month, one starting later skips it; the month holding `to` is never whole (to is exclusive);
-- no whole month gives to, to. Checked against counting the months day by day on 400 windows.
select results_eq($$select m.* from (values (date '2025-03-05', date '2026-03-05'),
    ('2025-03-01', '2026-03-05'), ('2026-03-01', '2026-03-05'), ('2026-02-10', '2026-03-01'),
    ('2026-02-01', '2026-03-01'), ('2025-12-31', '2026-01-01')) v(a, b),
    analytics.whole_months(v.a, v.b) m$$,
  $$values (date '2025-04-01', date '2026-03-01'), ('2025-03-01', '2026-03-01'),
    ('2026-03-05', '2026-03-05'), ('2026-03-01', '2026-03-01'), ('2026-02-01', '2026-03-01'),
    ('2026-01-01', '2026-01-01')$$,
  'whole months of a window: edges on the 1st, the month of the exclusive end, none');
select is((select count(*) from (select a::date as a, (a + n * interval '1 day')::date as b
      from generate_series(date '2024-01-01', date '2025-12-31', interval '37 days') a,
        generate_series(0, 400, 21) n) w
    cross join analytics.whole_months(w.a, w.b) m
    -- the days of the window whose whole month lies inside it: the first and the day after the last
    cross join lateral (select coalesce(min(d), w.b) as m0, coalesce(max(d) + 1, w.b) as m1
      from (select d::date as d from generate_series(w.a, w.b - 1, interval '1 day') d
        where date_trunc('month', d) >= w.a
          and (date_trunc('month', d) + interval '1 month')::date <= w.b) x) e
    where (m.m0, m.m1) is distinct from (e.m0, e.m1)),
  0::bigint, 'whole months = the days whose whole month is inside the window, on 400 windows');

select * from finish();
rollback;
