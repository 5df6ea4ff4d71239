-- pgTAP: the pipeline waterfall (analytics/kpis_waterfall.sql) equals its plain definition on a
-- generated version history whose deals move their Closing_Date in and out of windows, change
-- stage and amount, close, reopen and are deleted: every deal's state at the period's first instant
-- and at the end of as_of, taken straight from its versions (its current record when it has none),
-- classified into the steps, with no prefilter by window and no reuse of what an index read
-- (every state current at an instant counts, as the waterfall has always counted them: a deal
-- whose versions overlap has two), and before a deal's first version the Stage_History stay then
-- current (its Stage, Closing_Date and Amount). On 42 days × 5 periods. The waterfall reads only
-- the deals whose states can count and looks up the states the Closing_Date index did not give
-- it: each of those shortcuts is checked here.
begin;
select plan(6);
set local jit = off;

update analytics.settings set time_zone = 'UTC';
delete from analytics.f_stage_entries;
delete from analytics.f_stage_history;
delete from analytics.f_deal_versions;
delete from analytics.f_deals;

create function pg_temp.h(i integer, salt integer) returns integer language sql immutable as $$
  select abs(hashint4(i * 53 + salt)) % 1000
$$;
-- 400 deals created over fifteen months, 1 to 6 versions each, 4 to 60 days apart (a third of them
-- at midnight, so some begin exactly at a period's first instant or at the end of an as_of); each
-- version's Closing_Date 5 to 124 days after it (so it crosses month and quarter bounds), its
-- stage and amount from a hash (one in fifteen without an amount); one deal in twenty ends
-- deleted (a deletion carries no stage, amount or Closing_Date).
create temp table gen_versions as
select x.i, x.deal_id, x.version, x.versions, x.stage, x.amount, x.closes_after,
  case when pg_temp.h(x.i * 10 + x.version, 6) % 3 = 0
    then date_trunc('day', x.t) else x.t end as valid_from
from (
  select i, 'wf-D' || i as deal_id, k as version, 1 + pg_temp.h(i, 5) % 6 as versions,
    timestamptz '2025-01-03T10:00:00Z' + (pg_temp.h(i, 0) % 450) * interval '1 day'
      + sum(case when k = 1 then 0 else 4 + pg_temp.h(i * 10 + k, 1) % 57 end)
        over (partition by i order by k) * interval '1 day' as t,
    (array['Qualification', 'Needs Analysis', 'Proposal/Price Quote', 'Negotiation/Review',
      'Closed Won', 'Closed Lost'])[1 + pg_temp.h(i * 10 + k, 2) % 6] as stage,
    case when pg_temp.h(i * 10 + k, 7) % 15 <> 0 then 1000 + 500 * (pg_temp.h(i * 10 + k, 3) % 40)
      end as amount,
    5 + pg_temp.h(i * 10 + k, 4) % 120 as closes_after
  from generate_series(1, 400) i, generate_series(1, 6) k
  where k <= 1 + pg_temp.h(i, 5) % 6
) x;
create temp table gen_all (deal_id text, version integer, change text, valid_from timestamptz,
  stage text, amount numeric, closing_date date);
insert into gen_all
select g.deal_id, g.version, v.change, g.valid_from,
  case when v.change <> 'delete' then g.stage end,
  case when v.change <> 'delete' then g.amount end,
  case when v.change <> 'delete' then (g.valid_from + g.closes_after * interval '1 day')::date end
from gen_versions g
cross join lateral (select case when g.version = g.versions and g.i % 20 = 0 then 'delete'
  when g.version = 1 then 'create' else 'update' end as change) v;
-- Deals whose versions begin exactly at instants the cases ask about: quarter, month and week
-- starts, and the end of an as_of (2025-03-12 is a case: its end is 2025-03-13 00:00).
insert into gen_all values
  ('wf-T1', 1, 'create', '2025-03-20T09:00:00Z', 'Qualification', 4000, '2025-05-10'),
  ('wf-T1', 2, 'update', '2025-04-01T00:00:00Z', 'Proposal/Price Quote', 6000, '2025-06-15'),
  ('wf-T1', 3, 'update', '2025-05-01T00:00:00Z', 'Closed Won', 6000, '2025-05-01'),
  ('wf-T2', 1, 'create', '2025-02-10T09:00:00Z', 'Needs Analysis', 3000, '2025-03-20'),
  ('wf-T2', 2, 'update', '2025-03-13T00:00:00Z', 'Needs Analysis', 3500, '2025-04-20'),
  ('wf-T3', 1, 'create', '2025-06-02T00:00:00Z', 'Qualification', 2500, '2025-06-30'),
  ('wf-T3', 2, 'update', '2025-07-01T00:00:00Z', 'Closed Lost', 2500, '2025-07-01'),
  ('wf-T4', 1, 'create', '2025-12-15T09:00:00Z', 'Negotiation/Review', 9000, '2026-01-20'),
  ('wf-T4', 2, 'update', '2026-01-01T00:00:00Z', 'Negotiation/Review', 9500, '2025-12-31'),
  -- in Q2 2025 as of 17 May (a case): the state from 1 Apr 00:00 closes in the quarter, the one at
  -- the end of as_of does not; and the reverse with a version beginning at 18 May 00:00
  ('wf-T5', 1, 'create', '2025-03-01T10:00:00Z', 'Qualification', 100, '2025-03-20'),
  ('wf-T5', 2, 'update', '2025-04-01T00:00:00Z', 'Qualification', 100, '2025-05-30'),
  ('wf-T5', 3, 'update', '2025-04-20T10:00:00Z', 'Qualification', 100, '2025-09-01'),
  ('wf-T6', 1, 'create', '2025-03-01T10:00:00Z', 'Qualification', 10, '2025-03-20'),
  ('wf-T6', 2, 'update', '2025-04-20T10:00:00Z', 'Qualification', 10, '2025-05-30'),
  ('wf-T6', 3, 'update', '2025-05-18T00:00:00Z', 'Qualification', 10, '2025-09-01'),
  -- first seen exactly at Q2's and April's first instant, closing after the quarter, then moved
  -- into it: moved in, not new, as of 25 Apr and 17 May (cases); and the same first seen a
  -- microsecond later, new
  ('wf-T7', 1, 'create', '2025-04-01T00:00:00Z', 'Qualification', 700, '2025-08-15'),
  ('wf-T7', 2, 'update', '2025-04-20T10:00:00Z', 'Qualification', 700, '2025-06-10'),
  ('wf-T9', 1, 'create', '2025-04-01T00:00:00.000001Z', 'Qualification', 900, '2025-08-15'),
  ('wf-T9', 2, 'update', '2025-04-20T10:00:00Z', 'Qualification', 900, '2025-06-10');
-- Deals whose intervals overlap: a deletion observed (valid_from = when we saw it) after the
-- Modified_Time of the restore that follows it, so the version before the deletion and the
-- restore are both current between the two.
insert into gen_all
select 'wf-O' || i, k,
  case k when 1 then 'create' when 2 then 'delete' else 'update' end,
  timestamptz '2025-02-05T10:00:00Z' + (i * 37) * interval '1 day'
    + case k when 1 then interval '0' when 2 then interval '30 days' else interval '12 days' end,
  case k when 2 then null when 1 then 'Proposal/Price Quote' else 'Negotiation/Review' end,
  case k when 2 then null else 1000 * i + 500 * k end,
  case k when 2 then null
    else (timestamptz '2025-02-05' + (i * 37 + 20 + case when k = 3 and i % 2 = 1 then 60 else 0
      end) * interval '1 day')::date
  end
from generate_series(1, 10) i, generate_series(1, 3) k;
-- And one whose two states at the start of Q3 2025 (the version before the deletion and the
-- restore, both closing after the quarter) are read by neither Closing_Date nor, since its state
-- at the end of 22 Jul closes inside it, seen at t0: its versions overlap, so its states at t0
-- are looked up whole (the first version not ended by t0 is only one of them).
insert into gen_all values
  ('wf-O11', 1, 'create', '2025-06-10T10:00:00Z', 'Qualification', 3000, '2025-10-15'),
  ('wf-O11', 2, 'delete', '2025-07-10T10:00:00Z', null, null, null),
  ('wf-O11', 3, 'update', '2025-06-22T10:00:00Z', 'Needs Analysis', 3500, '2025-10-20'),
  ('wf-O11', 4, 'update', '2025-07-20T10:00:00Z', 'Proposal/Price Quote', 4000, '2025-09-15');
-- Deals first observed after their history began (a first sync in the middle of a quarter):
-- one or two versions, and one to three Stage_History rows before the first of them (some
-- closed, with their own Closing_Date and Amount), some after it too (the observed moves again).
insert into gen_all
select 'wf-H' || i, k, case k when 1 then 'create' else 'update' end,
  timestamptz '2025-01-20T10:00:00Z' + (i * 8) * interval '1 day'
    + (k - 1) * (10 + pg_temp.h(i, 21) % 50) * interval '1 day',
  (array['Qualification', 'Needs Analysis', 'Proposal/Price Quote', 'Negotiation/Review',
    'Closed Won', 'Closed Lost'])[1 + pg_temp.h(i * 10 + k, 22) % 6],
  1000 + 250 * (pg_temp.h(i * 10 + k, 23) % 30),
  (timestamptz '2025-01-20T10:00:00Z' + (i * 8 + (k - 1) * 30 + 10 + pg_temp.h(i * 10 + k, 24) % 100)
    * interval '1 day')::date
from generate_series(1, 50) i, generate_series(1, 2) k
where k = 1 or i % 3 = 0;
insert into analytics.f_deal_versions (deal_id, version, change, valid_from, valid_to, stage,
  amount, closing_date)
select g.deal_id, g.version, g.change, g.valid_from,
  lead(g.valid_from) over (partition by g.deal_id order by g.version), g.stage, g.amount,
  g.closing_date
from gen_all g;
-- The current record of each deal: its last version's data (the last one with data when that is
-- a deletion, then deleted).
insert into analytics.f_deals (id, created_at, created_day, stage, amount, closing_date, is_won,
  is_lost, is_closed, deleted_at)
select l.deal_id, f.valid_from, f.valid_from::date, d.stage, d.amount, d.closing_date,
  d.stage = 'Closed Won', d.stage = 'Closed Lost', d.stage like 'Closed%',
  case when l.change = 'delete' then l.valid_from end
from analytics.f_deal_versions l
join analytics.f_deal_versions f on f.deal_id = l.deal_id and f.version = 1
cross join lateral (select v.stage, v.amount, v.closing_date from analytics.f_deal_versions v
  where v.deal_id = l.deal_id and v.change <> 'delete' order by v.version desc limit 1) d
where l.version = (select max(x.version) from analytics.f_deal_versions x
  where x.deal_id = l.deal_id);
insert into analytics.f_stage_history (deal_id, row_id, entered_at, stage, closing_date, amount)
select 'wf-H' || i, 'h' || i || '-' || k,
  f.valid_from - (15 + pg_temp.h(i * 10 + k, 31) % 60) * (4 - k) * interval '1 day'
    + case when k = 4 then (5 + pg_temp.h(i, 35) % 20) * interval '1 day' else interval '0' end
    + case when pg_temp.h(i * 10 + k, 36) % 4 = 0 then interval '0' else interval '7 hours' end,
  (array['Qualification', 'Needs Analysis', 'Proposal/Price Quote', 'Negotiation/Review',
    'Closed Won', 'Closed Lost'])[1 + pg_temp.h(i * 10 + k, 32) % 6],
  case when pg_temp.h(i * 10 + k, 33) % 9 <> 0 then (f.valid_from
    + (pg_temp.h(i * 10 + k, 34) % 150 - 60) * interval '1 day')::date end,
  case when pg_temp.h(i * 10 + k, 37) % 8 <> 0 then 500 + 100 * (pg_temp.h(i * 10 + k, 38) % 90)
    end
from generate_series(1, 50) i, generate_series(1, 4) k,
  analytics.f_deal_versions f
where f.deal_id = 'wf-H' || i and f.version = 1 and k <= 1 + pg_temp.h(i, 30) % 4;
-- Two history rows at one instant (the first stay lasts no time: the second is the state then),
-- and a third, before a first version in the second quarter of 2025.
insert into analytics.f_deal_versions (deal_id, version, change, valid_from, stage, amount,
  closing_date)
values ('wf-HT', 1, 'create', '2025-05-10T10:00:00Z', 'Negotiation/Review', 7000, '2025-06-20');
insert into analytics.f_deals (id, created_at, created_day, stage, amount, closing_date, is_won,
  is_lost, is_closed)
values ('wf-HT', '2025-05-10T10:00:00Z', '2025-05-10', 'Negotiation/Review', 7000, '2025-06-20',
  false, false, false);
insert into analytics.f_stage_history (deal_id, row_id, entered_at, stage, closing_date, amount)
values ('wf-HT', 'ht-1', '2025-03-15T09:00:00Z', 'Qualification', '2025-07-10', 5000),
  ('wf-HT', 'ht-2', '2025-03-15T09:00:00Z', 'Needs Analysis', '2025-06-15', 5500),
  ('wf-HT', 'ht-3', '2025-04-20T09:00:00Z', 'Proposal/Price Quote', '2025-06-18', 6000);
select analytics.relink_stage_entries(array(select distinct h.deal_id
  from analytics.f_stage_history h));
-- The versions linked as the sync links them (analytics.relink_deal_versions: valid_to as above,
-- and each version's first_from, its deal's first valid_from), but for one deal in four, whose
-- first_from stays unknown (null: not linked), so that the lookups the waterfall skips (deals whose
-- first version began after t0) and the ones it makes when it cannot tell are both compared.
select analytics.relink_deal_versions(array(select distinct v.deal_id
  from analytics.f_deal_versions v where abs(hashtext(v.deal_id)) % 4 <> 0));
update analytics.f_deals d set created_at = h.at, created_day = h.at::date
from (select h.deal_id, min(h.entered_at) as at from analytics.f_stage_history h group by 1) h
where h.deal_id = d.id;
-- And 20 deals with no version of their own (their record stands as their one state): some
-- deleted, some without a Created_Time or an Amount.
insert into analytics.f_deals (id, created_at, created_day, stage, amount, closing_date, is_won,
  is_lost, is_closed, deleted_at)
select 'wf-N' || i,
  case when i % 7 <> 0 then timestamptz '2025-02-01T12:00:00Z' + (i * 19) * interval '1 day' end,
  case when i % 7 <> 0 then (timestamptz '2025-02-01T12:00:00Z' + (i * 19) * interval '1 day')::date
    end,
  case when i % 3 = 0 then 'Closed Won' else 'Proposal/Price Quote' end,
  case when i % 5 <> 0 then 2000 + 100 * i end,
  date '2025-02-20' + i * 23, i % 3 = 0, false, i % 3 = 0,
  case when i % 4 = 0 then timestamptz '2025-03-01T12:00:00Z' + (i * 21) * interval '1 day' end
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
    union all
    -- before a deal's first version: its Stage_History stays, the last ending at that version
    select e.deal_id, e.entered_at, least(e.left_at, f.first_from), false, e.stage,
      coalesce(h.amount, 0), e.closing_date
    from analytics.f_stage_entries e
    join (select x.deal_id, min(x.valid_from) as first_from from analytics.f_deal_versions x
      group by x.deal_id) f on f.deal_id = e.deal_id
    left join analytics.f_stage_history h on h.deal_id = e.deal_id and h.row_id = e.row_id
    where e.row_id is not null and e.entered_at < f.first_from
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
select ok((select count(*) filter (where x.valid_to < x.valid_from) from analytics.f_deal_versions x)
    = 11 and (select count(*) from analytics.f_deal_versions x, cases c, analytics.periods(c.as_of) w
    where w.period = c.per and (x.valid_from = w.start_day::timestamp at time zone 'UTC'
      or x.valid_from = analytics.day_end(c.as_of))) >= 20,
  'the history has overlapping intervals and versions beginning exactly at t0 or t1');
select ok((select count(*) filter (where w.step = 'moved_in' and w.deals > 0) >= 20
    and count(*) filter (where w.step = 'moved_out' and w.deals > 0) >= 20
    and count(*) filter (where w.step = 'removed' and w.deals > 0) >= 5
    and count(*) filter (where w.step = 'changed' and w.deals > 0) >= 20
  from cases c, pg_temp.waterfall_plain(c.as_of, c.per) w),
  'the generated history moves deals in and out of windows, changes amounts and deletes deals');
select is((select count(*)::int from cases), 210, '42 days × 5 periods');
select ok((select count(*) from analytics.f_stage_entries e where e.row_id is not null
    and e.entered_at < (select min(x.valid_from) from analytics.f_deal_versions x
      where x.deal_id = e.deal_id)) >= 60
  and (select count(*) from analytics.f_stage_entries e where e.deal_id = 'wf-HT'
    and e.entered_at = e.left_at) = 1
  and (select count(*) from analytics.f_stage_entries e where e.row_id is not null
    and e.stage in ('Closed Won', 'Closed Lost')) >= 10,
  'the history has Stage_History stays before first versions, closed ones among them, and '
  'a stay that lasts no time');
select is((select count(*)::int from cases c
  where exists (
    (select * from analytics.pipeline_waterfall(c.as_of, c.per)
      except all select * from pg_temp.waterfall_plain(c.as_of, c.per))
    union all
    (select * from pg_temp.waterfall_plain(c.as_of, c.per)
      except all select * from analytics.pipeline_waterfall(c.as_of, c.per)))), 0,
  'the waterfall = its plain definition on every case');
-- Without the Stage_History stays those deals begin at their first version: the stays must move
-- figures (a deal there at t0 is in start, or moved in rather than new).
create temp table with_history as
select c.as_of, c.per, w.* from cases c, analytics.pipeline_waterfall(c.as_of, c.per) w;
delete from analytics.f_stage_entries e where e.row_id is not null;
select ok((select count(*) from cases c where exists (
    select from with_history h join analytics.pipeline_waterfall(c.as_of, c.per) w
      on w.step = h.step and (w.deals, w.amount) is distinct from (h.deals, h.amount)
    where h.as_of = c.as_of and h.per = c.per and h.step in ('start', 'moved_in'))) >= 20,
  'the stays before first versions move start and moved_in on at least 20 cases');

select * from finish();
rollback;
