-- pgTAP: the open deals rollup (analytics.r_open_deals, analytics/rollups.sql) stays the exact
-- aggregate of the open analytics.f_deals through inserts, updates (stage, closing, amount,
-- probability, owner and its name, closed, deleted), deletes, a fold and a truncate; and
-- analytics.pipeline, which reads it, equals its definition over the deals (the function before
-- the rollup, below) on days before, between and after the deals' creations, with deals created
-- after as_of, deleted either side of it, without a stage, a closing date, an owner, an amount,
-- a probability or a created day, a stage spelt '(none)', and one owner under two names.
begin;
select plan(12);

\ir ../fixtures/company.psql

-- The pipeline as it was defined before the rollup (20261211090028).
create function pg_temp.pipeline_direct(p_as_of date)
returns table (dimension text, key text, label text, stage_position integer, open_deals bigint,
  amount numeric, weighted_amount numeric)
language sql stable
as $$
  with o as (
    select f.*, s.position,
      to_char(date_trunc('month', f.closing_date::timestamp), 'YYYY-MM') as closing_month
    from analytics.f_deals f
    left join analytics.stage_settings s on s.stage = f.stage
    where not f.is_closed and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select
    case when grouping(stage) = 0 then 'stage' when grouping(closing_month) = 0
      then 'closing_month' when grouping(owner_id) = 0 then 'owner'
      when grouping(lead_source) = 0 then 'source' else 'all' end,
    case when grouping(stage) = 0 then coalesce(stage, '(none)')
      when grouping(closing_month) = 0 then coalesce(closing_month, '(none)')
      when grouping(owner_id) = 0 then coalesce(owner_id, '(none)')
      when grouping(lead_source) = 0 then coalesce(lead_source, '(none)') end,
    analytics.owner_label(grouping(owner_id), max(owner_name)),
    case when grouping(stage) = 0 then min(position) end,
    count(*), coalesce(sum(amount), 0),
    coalesce(sum(amount * probability / 100), 0)
  from o
  group by grouping sets ((), (stage), (closing_month), (owner_id), (lead_source))
$$;
-- The rollup recomputed from the deals, and the view as its readers sum it.
create function pg_temp.open_agg() returns table (dimension text, key text, owner_name text,
  deleted_at timestamptz, deals bigint, amount numeric, weighted numeric)
language sql as $$
  select k.d, k.k, k.n, f.deleted_at, count(*), sum(f.amount), sum(f.amount * f.probability / 100)
  from analytics.f_deals f
  cross join lateral (values ('all', null, null), ('stage', f.stage, null),
    ('closing_month', to_char(f.closing_date, 'YYYY-MM'), null),
    ('owner', f.owner_id, f.owner_name), ('source', f.lead_source, null)) k(d, k, n)
  where not f.is_closed and f.created_day is not null
  group by 1, 2, 3, 4
$$;
create function pg_temp.open_summed() returns table (dimension text, key text,
  owner_name text, deleted_at timestamptz, deals bigint, amount numeric, weighted numeric)
language sql as $$
  select r.dimension, r.key, r.owner_name, r.deleted_at, sum(r.deals)::bigint, sum(r.amount),
    sum(r.weighted)
  from analytics.r_open_deals r group by 1, 2, 3, 4 having sum(r.deals) <> 0
$$;
-- Days the rows of the two definitions differ on (either way, and the order the rows come in).
create function pg_temp.days_differ() returns bigint language sql as $$
  select count(*) from (values ('2026-03-06'::date), ('2026-03-05'), ('2026-03-04'),
      ('2026-03-03'), ('2026-02-28'), ('2026-02-01'), ('2026-01-10'), ('2025-06-30'),
      ('2020-01-01')) v(d)
  where exists (select * from pg_temp.pipeline_direct(v.d)
      except select * from analytics.pipeline(v.d))
    or exists (select * from analytics.pipeline(v.d)
      except select * from pg_temp.pipeline_direct(v.d))
    or (select count(*) from analytics.pipeline(v.d))
      <> (select count(*) from pg_temp.pipeline_direct(v.d))
$$;
create function pg_temp.order_differs() returns boolean language sql as $$
  select array(select row(p.dimension, p.key, p.stage_position)::text
      from analytics.pipeline('2026-03-04') p)
    is distinct from array(select row(p.dimension, p.key, p.stage_position)::text
      from pg_temp.pipeline_direct('2026-03-04') p
      order by p.dimension, p.stage_position nulls first, p.key nulls first)
$$;

select set_eq('select * from pg_temp.open_summed()', 'select * from pg_temp.open_agg()',
  'the rollup holds the fixture''s open deals');
select is(pg_temp.days_differ(), 0::bigint, 'pipeline equals its definition on the fixture');

-- Open deals of every shape, created from January to 6 March (after as_of 4 March).
insert into analytics.f_deals (id, created_day, owner_id, owner_name, stage, amount,
  probability, closing_date, lead_source, is_won, is_lost, is_closed, deleted_at)
select 'pr-D' || i, cd, o, n, st, amt, pr, close, src, false, coalesce(st like 'Closed Lost%', false),
  coalesce(st like 'Closed%', false), del
from (values
  (1, '2026-01-10'::date, 'pr-o1', 'PR One', 'Qualification', 1000.50, 10::numeric,
    '2026-03-20'::date, 'pr-web', null::timestamptz),
  (2, '2026-02-01', 'pr-o1', 'PR One (renamed)', 'Negotiation/Review', 333.33, 90, '2026-04-02',
    'pr-web', null),
  (3, '2026-03-05', 'pr-o2', 'PR Two', 'Qualification', 70, 10, '2026-03-30', 'pr-ads', null),
  (4, '2026-03-06', 'pr-o2', 'PR Two', 'Needs Analysis', 12.345, 20, null, null, null),
  (5, '2026-01-10', null, null, null, null, null, '2026-05-01', 'pr-web', null),
  (6, '2026-01-10', 'pr-o3', 'PR Three', '(none)', 5, null, '2026-03-01', '(none)', null),
  (7, null, 'pr-o3', 'PR Three', 'Qualification', 999, 10, '2026-03-10', 'pr-web', null),
  (8, '2026-01-10', 'pr-o3', 'PR Three', 'Qualification', 44, 10, '2026-03-10', 'pr-web',
    analytics.day_end('2026-03-04')),
  (9, '2026-01-10', 'pr-o3', 'PR Three', 'Qualification', 55, 10, '2026-03-10', 'pr-web',
    analytics.day_end('2026-03-04') - interval '1 second'),
  (10, '2026-01-10', 'pr-o3', 'PR Three', 'Closed Lost', 66, 0, '2026-03-10', 'pr-web', null)
) v(i, cd, o, n, st, amt, pr, close, src, del);
select set_eq('select * from pg_temp.open_summed()', 'select * from pg_temp.open_agg()',
  'inserted open deals are counted under each dimension value (the log, before a fold)');
select is(pg_temp.days_differ(), 0::bigint,
  'pipeline equals its definition after the inserts (created after as_of, deleted either side)');
select ok(not pg_temp.order_differs(), 'rows come in the definition''s order');
select ok((select p.open_deals from analytics.pipeline('2026-03-04') p where p.dimension = 'owner'
    and p.key = 'pr-o2') is null
  and (select p.open_deals from analytics.pipeline('2026-03-05') p where p.dimension = 'owner'
    and p.key = 'pr-o2') = 1,
  'a deal created on 5 March is in the pipeline from that day on');

-- Updates of everything the keys and sums read, deletes, then a fold.
update analytics.f_deals set stage = 'Value Proposition', probability = 30 where id = 'pr-D1';
update analytics.f_deals set owner_name = 'PR One' where id = 'pr-D2';
update analytics.f_deals set closing_date = '2026-06-15', amount = 12.3 where id = 'pr-D4';
update analytics.f_deals set amount = 10, probability = 50 where id = 'pr-D5';
update analytics.f_deals set stage = 'Closed Won', is_won = true, is_closed = true
  where id = 'pr-D6';
update analytics.f_deals set stage = 'Qualification', is_lost = false, is_closed = false
  where id = 'pr-D10';
update analytics.f_deals set deleted_at = analytics.day_end('2026-03-02') where id = 'pr-D3';
update analytics.f_deals set created_day = '2026-02-20' where id = 'pr-D7';
delete from analytics.f_deals where id = 'pr-D9';
select set_eq('select * from pg_temp.open_summed()', 'select * from pg_temp.open_agg()',
  'updates and deletes move the counts and sums (the log, before a fold)');
select is(pg_temp.days_differ(), 0::bigint, 'pipeline equals its definition after the updates');
select analytics.fold_rollups();
select set_eq('select dimension, key, owner_name, deleted_at, deals, amount, weighted
    from analytics.r_open_deals', 'select * from pg_temp.open_agg()',
  'a fold leaves one row per key with the exact sums');
select is(pg_temp.days_differ(), 0::bigint, 'pipeline equals its definition after the fold');

-- A truncate of the facts (the full rebuild) empties the rollup; the pipeline is one row of 0.
truncate analytics.f_deals;
select is_empty('select * from analytics.r_open_deals', 'a truncate empties the rollup');
select results_eq('select * from analytics.pipeline(''2026-03-04'')',
  $$values ('all', null::text, null::text, null::integer, 0::bigint, 0::numeric, 0::numeric)$$,
  'no deals: the all row with zeros, as before');

select * from finish();
rollback;
