-- pgTAP: the pipeline waterfall (analytics/kpis_waterfall.sql) equals its plain definition on a
-- generated version history whose deals move their Closing_Date in and out of windows, change
-- stage and amount, close, reopen and are deleted: every deal's state at the period's first instant
-- and at the end of as_of, taken straight from its versions (its current record when it has none),
-- classified into the steps, with no prefilter by window and no reuse of what an index read. On
-- 42 days × 5 periods. The waterfall reads only the deals whose states can count and looks up the
-- states the Closing_Date index did not give it: each of those shortcuts is checked here.
begin;
select plan(3);
set local jit = off;

update analytics.settings set time_zone = 'UTC';
delete from analytics.f_deal_versions;
delete from analytics.f_deals;

create function pg_temp.h(i integer, salt integer) returns integer language sql immutable as $$
  select abs(hashint4(i * 53 + salt)) % 1000
$$;
-- 400 deals created over fifteen months, 1 to 6 versions each, 4 to 60 days apart; each version's
-- Closing_Date 5 to 124 days after it (so it crosses month and quarter bounds), its stage and
-- amount from a hash; one deal in twenty ends deleted.
create temp table gen_versions as
select i, 'wf-D' || i as deal_id, k as version,
  timestamptz '2025-01-03T10:00:00Z' + (pg_temp.h(i, 0) % 450) * interval '1 day'
    + sum(case when k = 1 then 0 else 4 + pg_temp.h(i * 10 + k, 1) % 57 end)
      over (partition by i order by k) * interval '1 day' as valid_from,
  (array['Qualification', 'Needs Analysis', 'Proposal/Price Quote', 'Negotiation/Review',
    'Closed Won', 'Closed Lost'])[1 + pg_temp.h(i * 10 + k, 2) % 6] as stage,
  1000 + 500 * (pg_temp.h(i * 10 + k, 3) % 40) as amount,
  5 + pg_temp.h(i * 10 + k, 4) % 120 as closes_after,
  1 + pg_temp.h(i, 5) % 6 as versions
from generate_series(1, 400) i, generate_series(1, 6) k
where k <= 1 + pg_temp.h(i, 5) % 6;
insert into analytics.f_deal_versions (deal_id, version, change, valid_from, valid_to, stage,
  amount, closing_date)
select g.deal_id, g.version,
  case when g.version = g.versions and g.i % 20 = 0 then 'delete'
    when g.version = 1 then 'create' else 'update' end,
  g.valid_from, lead(g.valid_from) over (partition by g.deal_id order by g.version),
  g.stage, g.amount, (g.valid_from + g.closes_after * interval '1 day')::date
from gen_versions g;
-- The current record of each deal: its last version (deleted when that is a deletion).
insert into analytics.f_deals (id, created_at, created_day, stage, amount, closing_date, is_won,
  is_lost, is_closed, deleted_at)
select v.deal_id, f.valid_from, f.valid_from::date, v.stage, v.amount, v.closing_date,
  v.stage = 'Closed Won', v.stage = 'Closed Lost', v.stage like 'Closed%',
  case when v.change = 'delete' then v.valid_from end
from analytics.f_deal_versions v
join analytics.f_deal_versions f on f.deal_id = v.deal_id and f.version = 1
where v.valid_to is null;
-- And 20 deals with no version of their own (their record stands as their one state).
insert into analytics.f_deals (id, created_at, created_day, stage, amount, closing_date, is_won,
  is_lost, is_closed)
select 'wf-N' || i, timestamptz '2025-02-01T12:00:00Z' + (i * 19) * interval '1 day',
  (timestamptz '2025-02-01T12:00:00Z' + (i * 19) * interval '1 day')::date,
  case when i % 3 = 0 then 'Closed Won' else 'Proposal/Price Quote' end, 2000 + 100 * i,
  date '2025-02-20' + i * 23, i % 3 = 0, false, i % 3 = 0
from generate_series(1, 20) i;

-- The plain definition: every deal's state at t0 and at t1, classified as the waterfall's comment
-- says (start = open and closing in the window at t0, end = the same at t1; entries and exits by
-- what changed between them).
create function pg_temp.waterfall_plain(p_as_of date, p_period text)
returns table (step text, ord integer, deals bigint, amount numeric)
language sql stable as $$
  with p as (
    select w.start_day, w.full_end, w.start_day::timestamp at time zone 'UTC' as t0,
      analytics.day_end(p_as_of) as t1
    from analytics.periods(p_as_of) w where w.period = p_period
  ),
  st as (
    select v.deal_id, v.valid_from, v.valid_to, v.change = 'delete' as gone, v.stage,
      coalesce(v.amount, 0) as amount, v.closing_date
    from analytics.f_deal_versions v
    union all
    select d.id, coalesce(d.created_at, '-infinity'), d.deleted_at, false, d.stage,
      coalesce(d.amount, 0), d.closing_date
    from analytics.f_deals d
    where not exists (select from analytics.f_deal_versions x where x.deal_id = d.id)
  ),
  cls as (
    select st.*, not st.gone and st.stage not like 'Closed%' and st.closing_date >= p.start_day
        and st.closing_date < p.full_end as in_window,
      not st.gone and st.stage = 'Closed Won' as won,
      not st.gone and st.stage like 'Closed Lost%' as lost
    from st, p
  ),
  a as (select c.* from cls c, p where c.valid_from <= p.t0 and (c.valid_to is null or c.valid_to > p.t0)),
  b as (select c.* from cls c, p where c.valid_from < p.t1 and (c.valid_to is null or c.valid_to >= p.t1)),
  j as (
    select coalesce(a.deal_id, b.deal_id) as deal_id,
      coalesce(a.in_window, false) as in0, coalesce(b.in_window, false) as in1,
      a.deal_id is null or a.gone as absent0, a.won or a.lost as closed0,
      coalesce(a.amount, 0) as a0, coalesce(b.amount, 0) as a1,
      b.deal_id is null or b.gone as absent1, coalesce(b.won, false) as won1,
      coalesce(b.lost, false) as lost1,
      b.closing_date >= p.start_day and b.closing_date < p.full_end as closes_in_window
    from a full join b on b.deal_id = a.deal_id, p
  ),
  k as (
    select j.*,
      case when in0 then null when in1 or (closes_in_window and (won1 or lost1)
        and not coalesce(closed0, false)) then case when absent0 then 'new' else 'moved_in' end
      end as entry,
      case when in1 then null
        when in0 and absent1 then 'removed'
        when (in0 or closes_in_window) and won1 and not coalesce(closed0, false) then 'won'
        when (in0 or closes_in_window) and lost1 and not coalesce(closed0, false) then 'lost'
        when in0 then 'moved_out' end as exit
    from j
  ),
  steps as (
    select 'start' as step, deal_id, a0 as amount from k where in0
    union all select entry, deal_id, a1 from k where entry is not null
    union all select 'changed', deal_id, a1 - a0 from k
      where in0 and exit is distinct from 'removed' and a1 <> a0
    union all select exit, deal_id, case when exit = 'removed' then a0 else a1 end from k
      where exit is not null and (in0 or entry is not null)
    union all select 'end', deal_id, a1 from k where in1
  )
  select n.step, n.ord, count(s.deal_id), coalesce(sum(s.amount), 0)
  from (values ('start', 1), ('new', 2), ('moved_in', 3), ('changed', 4), ('won', 5),
    ('lost', 6), ('moved_out', 7), ('removed', 8), ('end', 9)) n(step, ord)
  left join steps s on s.step = n.step
  group by n.step, n.ord
  order by n.ord
$$;

create temp table cases as
select d::date as as_of, per
from generate_series(date '2025-03-01', date '2026-05-31', interval '11 days') d,
  unnest(array['wtd', 'mtd', 'qtd', 'ytd', 't12m']) per;

-- The history has what the shortcuts could get wrong: deals moving into and out of windows, and
-- deals whose one state closes in the window while the other does not.
select ok((select count(*) filter (where w.step = 'moved_in' and w.deals > 0) >= 20
    and count(*) filter (where w.step = 'moved_out' and w.deals > 0) >= 20
    and count(*) filter (where w.step = 'removed' and w.deals > 0) >= 5
    and count(*) filter (where w.step = 'changed' and w.deals > 0) >= 20
  from cases c, pg_temp.waterfall_plain(c.as_of, c.per) w),
  'the generated history moves deals in and out of windows, changes amounts and deletes deals');
select is((select count(*)::int from cases), 210, '42 days × 5 periods');
select is((select count(*)::int from cases c
  where exists (
    (select * from analytics.pipeline_waterfall(c.as_of, c.per)
      except all select * from pg_temp.waterfall_plain(c.as_of, c.per))
    union all
    (select * from pg_temp.waterfall_plain(c.as_of, c.per)
      except all select * from analytics.pipeline_waterfall(c.as_of, c.per)))), 0,
  'the waterfall = its plain definition on every case');

select * from finish();
rollback;
