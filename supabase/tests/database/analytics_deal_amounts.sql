-- pgTAP: the deal amounts rollup (analytics.r_deal_amounts, analytics/rollups.sql) stays the exact
-- count of analytics.f_deals per amount bucket through inserts, updates, deletes, a fold and a
-- truncate; the buckets follow the amounts' order (analytics.amount_bucket) and start where
-- analytics.amount_bucket_floor says; and analytics.deal_amount_terciles equals the count and the
-- percentile_cont terciles it replaces, over amounts spread so that the terciles interpolate,
-- below 1, sharing a bucket, 'NaN', with deals created after the end, without a Created_Time,
-- deleted, and on the path where more than a tenth came after the end.
begin;
select plan(14);

\ir ../fixtures/company.psql

-- The rollup recomputed from the deals, and the view as its readers sum it.
create function pg_temp.amounts_agg() returns table (bucket integer, deals bigint)
language sql as $$
  select analytics.amount_bucket(d.amount), count(*) from analytics.f_deals d
  where d.amount > 0 and d.created_at is not null group by 1
$$;
create function pg_temp.amounts_summed() returns table (bucket integer, deals bigint)
language sql as $$
  select r.bucket, sum(r.deals)::bigint from analytics.r_deal_amounts r
  group by 1 having sum(r.deals) <> 0
$$;
-- What forecast_deals computed before the rollup (20261211090026), and the function beside it.
create function pg_temp.terciles_direct(p_end timestamptz) returns text language sql as $$
  select row(count(*), coalesce(percentile_cont(1 / 3.0) within group (order by d.amount), 0),
    coalesce(percentile_cont(2 / 3.0) within group (order by d.amount), 0))::text
  from analytics.f_deals d where d.created_at < p_end and d.amount > 0
$$;
create function pg_temp.terciles_kept(p_end timestamptz) returns text language sql as $$
  select row(t.deals, t.b1, t.b2)::text from analytics.deal_amount_terciles(p_end) t
$$;
-- Ends before, between and after the deals' creations (the last few: more than a tenth of the
-- deals came after the end, so the amounts are sorted).
create function pg_temp.terciles_differ() returns table (p_end timestamptz, direct text, kept text)
language sql as $$
  select e, pg_temp.terciles_direct(e), pg_temp.terciles_kept(e)
  from (values ('2030-01-01'::timestamptz), ('2026-03-05'), ('2026-03-04 12:00'),
    ('2026-03-01'), ('2026-02-15'), ('2026-01-15'), ('2025-06-01'), ('2000-01-01')) v(e)
  where pg_temp.terciles_direct(e) is distinct from pg_temp.terciles_kept(e)
$$;

-- Buckets: each amount's bucket starts at or below it, ends before the next bucket's floor, and a
-- larger amount never has an earlier bucket.
select is_empty($$
  with a(x) as (values (0.01::numeric), (0.5), (0.999), (1), (1.5), (7), (9.99), (10), (42.9),
    (99.99), (100), (123.45), (999.99), (1000), (1234.5), (1239.99), (1240), (12345), (99999),
    (100000), (100099.99), (100100), (1e12), (123456789012345678901234567890.5),
    ('Infinity'), ('NaN')),
  b as (select x, analytics.amount_bucket(x) as b,
    lag(analytics.amount_bucket(x)) over (order by x) as prev from a)
  select x, b, prev, analytics.amount_bucket_floor(b) from b
  where b < prev or analytics.amount_bucket_floor(b) > x
    or analytics.amount_bucket(analytics.amount_bucket_floor(b)) is distinct from b
    and analytics.amount_bucket_floor(b) > 0
$$, 'amount buckets follow the amounts'' order and start at their floor');
select is(array[analytics.amount_bucket(0), analytics.amount_bucket(-5),
    analytics.amount_bucket(null)], array[null, null, null]::integer[],
  'no bucket for an amount that is not above 0');
select is(array[analytics.amount_bucket(0.5), analytics.amount_bucket(7),
    analytics.amount_bucket(42.9), analytics.amount_bucket(12345)], array[1000, 1007, 2042, 5123],
  'buckets worked by hand: digits before the point × 1,000 + the first three');

-- The fixture's deals.
select set_eq('select * from pg_temp.amounts_summed()', 'select * from pg_temp.amounts_agg()',
  'the rollup counts the fixture''s deals per bucket');

-- 600 deals with amounts spread over six decades (a few sharing an amount and a bucket), created
-- over two years; some without a Created_Time, without an amount, at 0, below 0, below 1.
insert into analytics.f_deals (id, created_at, created_day, stage, amount, is_won, is_lost,
  is_closed)
select 'da-' || i, c, (c at time zone analytics.time_zone())::date, 'Qualification', a, false,
  false, false
from generate_series(1, 600) i
cross join lateral (select timestamptz '2024-03-01' + (i * 7919 % 730) * interval '1 day'
  + (i * 31 % 24) * interval '1 hour' as c0) c0
cross join lateral (select case when i % 97 = 0 then null else c0.c0 end as c) c
cross join lateral (select case when i % 89 = 0 then null when i % 83 = 0 then 0
  when i % 79 = 0 then -12.5 when i % 50 = 0 then 1250
  else round(((i * 104729) % 1000003) / 10.0 ^ (i % 6), 2) end as a) a;
select set_eq('select * from pg_temp.amounts_summed()', 'select * from pg_temp.amounts_agg()',
  'inserted deals are counted in their buckets (the log, before a fold)');
select is_empty('select * from pg_temp.terciles_differ()',
  'count and terciles equal percentile_cont''s at ends before, between and after creations');
select ok((select count(distinct analytics.amount_bucket(d.amount)) > 50
    from analytics.f_deals d where d.id like 'da-%'),
  'the amounts fall in many buckets');
select isnt(pg_temp.terciles_kept('2030-01-01'), pg_temp.terciles_kept('2026-01-15'),
  'the terciles move with the end');

-- Updates (amounts moved across buckets, to 0, from null; a Created_Time moved past the ends and
-- removed), deletes, 'NaN', then a fold.
update analytics.f_deals set amount = amount * 1000 where id in ('da-1', 'da-2', 'da-3');
update analytics.f_deals set amount = 0 where id in ('da-4', 'da-5');
update analytics.f_deals set amount = 77.7 where id = 'da-89';
update analytics.f_deals set created_at = '2026-03-10' where id in ('da-6', 'da-7');
update analytics.f_deals set created_at = null where id = 'da-8';
update analytics.f_deals set amount = 'NaN' where id = 'da-9';
update analytics.f_deals set deleted_at = '2026-01-01' where id = 'da-10';
delete from analytics.f_deals where id in ('da-11', 'da-12', 'da-13');
select set_eq('select * from pg_temp.amounts_summed()', 'select * from pg_temp.amounts_agg()',
  'updates and deletes move the counts (the log, before a fold)');
select is_empty('select * from pg_temp.terciles_differ()',
  'terciles equal percentile_cont''s after the updates, with a NaN amount and a deleted deal');
select analytics.fold_rollups();
select set_eq('select * from analytics.r_deal_amounts', 'select * from pg_temp.amounts_agg()',
  'a fold leaves one row per bucket, the exact count');
select is_empty('select * from pg_temp.terciles_differ()', 'terciles equal after the fold');

-- A truncate of the facts (the full rebuild) empties the rollup.
truncate analytics.f_deals;
select is_empty('select * from analytics.r_deal_amounts', 'a truncate empties the rollup');
select is(pg_temp.terciles_kept('2030-01-01'), '(0,0,0)', 'no deals: none counted, terciles 0');

select * from finish();
rollback;
