-- pgTAP: Zoho's Stage_History merged with the versions we own. Raw rows are append-only and new
-- deal versions queue the deal's history read; the stage facts (entries, conversion, days in
-- stage, ageing, Closing_Date pushes) merge both sources with the expectations worked out below;
-- facts kept by the triggers equal a full rebuild.
begin;
select plan(30);

set local zoho.allow_purge = 'on';
delete from zoho.stage_history;
delete from zoho.stage_history_queue;
delete from zoho.record_versions;
delete from zoho.records;
update analytics.settings set time_zone = 'UTC';
select analytics.refresh_facts();

create function pg_temp.deal(id text, stage text, modified text, closing text)
returns void language sql as $$
  insert into zoho.records (module, id, data, content_hash, modified_time)
  select 'Deals', id, d, zoho.content_hash(d), modified::timestamptz
  from (select jsonb_build_object('id', id, 'Deal_Name', 'Deal ' || id,
    'Created_Time', '2026-01-01T00:00:00Z', 'Modified_Time', modified, 'Stage', stage,
    'Amount', 1000, 'Closing_Date', closing,
    'Owner', jsonb_build_object('id', '1', 'name', 'User 1')) d) x
$$;
create function pg_temp.ver(id text, v integer, stage text, modified text, closing text,
  change text default null)
returns void language sql as $$
  insert into zoho.record_versions (module, id, version, change, data, content_hash,
    modified_time)
  select 'Deals', id, v, coalesce(change, case when v = 1 then 'insert' else 'update' end), d,
    zoho.content_hash(d), modified::timestamptz
  from (select jsonb_build_object('id', id, 'Stage', stage, 'Modified_Time', modified,
    'Closing_Date', closing, 'Amount', 1000) d) x
$$;
-- A Stage_History row as the related list returns it (newest version n of row `row_id`).
create function pg_temp.hist(deal text, row_id text, stage text, modified text, closing text,
  v integer default 1, moved_to text default null)
returns void language sql as $$
  insert into zoho.stage_history (deal_id, row_id, version, data, content_hash, modified_time)
  select deal, row_id, v, d, zoho.content_hash(d), modified::timestamptz
  from (select jsonb_build_object('id', row_id, 'Stage', stage, 'Modified_Time', modified,
    'Closing_Date', closing, 'Amount', 1000, 'Moved_To__s', moved_to) d) x
$$;

-- The raw store: append-only; a new deal version queues the deal, a deletion does not.
select pg_temp.deal('H1', 'Negotiation/Review', '2026-02-11T00:00:00Z', '2026-03-31');
select pg_temp.deal('H2', 'Needs Analysis', '2026-02-20T00:00:00Z', '2026-04-30');
select pg_temp.deal('H3', 'Qualification', '2026-02-10T00:00:00Z', '2026-03-30');
select pg_temp.deal('H4', 'Closed Won', '2026-01-30T00:00:00Z', '2026-01-30');
select pg_temp.ver('H1', 1, 'Proposal/Price Quote', '2026-02-01T00:00:00Z', '2026-03-15');
select pg_temp.ver('H2', 1, 'Needs Analysis', '2026-02-20T00:00:00Z', '2026-04-30');
select pg_temp.ver('H3', 1, 'Qualification', '2026-02-01T00:00:00Z', '2026-03-30');
select pg_temp.ver('H4', 1, 'Closed Won', '2026-01-30T00:00:00Z', '2026-01-30');
select results_eq($$select deal_id, version from zoho.stage_history_queue order by deal_id$$,
  $$values ('H1', 1), ('H2', 1), ('H3', 1), ('H4', 1)$$,
  'every new deal version queues the deal''s Stage_History read');
-- H1 moved to Negotiation/Review; H3 moved twice (Qualification → Needs Analysis →
-- Qualification) between two syncs: one new version, same Stage, Modified_Time moved.
select pg_temp.ver('H1', 2, 'Negotiation/Review', '2026-02-11T00:00:00Z', '2026-03-31');
select pg_temp.ver('H3', 2, 'Qualification', '2026-02-10T00:00:00Z', '2026-03-30');
-- H4 deleted, seen on 10 Mar (after the as_of below): a deletion marker then.
insert into zoho.record_versions (module, id, version, change, data, content_hash, observed_at)
select 'Deals', 'H4', 2, 'delete', data, content_hash, '2026-03-10T00:00:00Z'
from zoho.record_versions where module = 'Deals' and id = 'H4' and version = 1;
select results_eq($$select deal_id, version from zoho.stage_history_queue order by deal_id$$,
  $$values ('H1', 2), ('H2', 1), ('H3', 2), ('H4', 1)$$,
  'a newer version moves the queue entry on; a deletion does not queue');
select pg_temp.hist('H1', '9001', 'Qualification', '2026-01-01T00:00:00Z', '2026-03-01');
select throws_ok($$update zoho.stage_history set data = '{}' where row_id = '9001'$$, '42501',
  'zoho.stage_history is append-only', 'history rows are never updated');

-- The history (related list newest first in Zoho; here by row id):
-- H1: 9001 Qualification 1 Jan (closing 1 Mar), 9002 Needs Analysis 11 Jan (1 Mar),
--     9003 Proposal/Price Quote 21 Jan (15 Mar: a push), 9004 Negotiation/Review 11 Feb (31 Mar:
--     a push; the move version 2 observed too). Version 1 (first sync, 1 Feb) repeats
--     Proposal/Price Quote: no entry.
-- H2: 9011 Qualification 5 Jan, 9012 Needs Analysis 15 Jan; version 1 (20 Feb) repeats it.
-- H3: 9021 Qualification 1 Feb (= version 1), 9022 Needs Analysis 5 Feb, 9023 Qualification
--     8 Feb: both moves between the two syncs are kept.
-- H4: 9031 Qualification 2 Jan, 9032 Proposal/Price Quote 12 Jan, 9033 Closed Won 30 Jan (=
--     version 1).
select pg_temp.hist('H1', '9002', 'Needs Analysis', '2026-01-11T00:00:00Z', '2026-03-01');
select pg_temp.hist('H1', '9003', 'Proposal/Price Quote', '2026-01-21T00:00:00Z', '2026-03-15');
select pg_temp.hist('H1', '9004', 'Negotiation/Review', '2026-02-11T00:00:00Z', '2026-03-31');
insert into zoho.stage_history (deal_id, row_id, data, content_hash, modified_time)
select d ->> 'deal', d ->> 'id', d - 'deal', zoho.content_hash(d - 'deal'),
  (d ->> 'Modified_Time')::timestamptz
from jsonb_array_elements($$[
  {"deal": "H2", "id": "9011", "Stage": "Qualification", "Modified_Time": "2026-01-05T00:00:00Z", "Closing_Date": "2026-04-30"},
  {"deal": "H2", "id": "9012", "Stage": "Needs Analysis", "Modified_Time": "2026-01-15T00:00:00Z", "Closing_Date": "2026-04-30"},
  {"deal": "H3", "id": "9021", "Stage": "Qualification", "Modified_Time": "2026-02-01T00:00:00Z", "Closing_Date": "2026-03-30"},
  {"deal": "H3", "id": "9022", "Stage": "Needs Analysis", "Modified_Time": "2026-02-05T00:00:00Z", "Closing_Date": "2026-03-30"},
  {"deal": "H3", "id": "9023", "Stage": "Qualification", "Modified_Time": "2026-02-08T00:00:00Z", "Closing_Date": "2026-03-30"},
  {"deal": "H4", "id": "9031", "Stage": "Qualification", "Modified_Time": "2026-01-02T00:00:00Z", "Closing_Date": "2026-01-30"},
  {"deal": "H4", "id": "9032", "Stage": "Proposal/Price Quote", "Modified_Time": "2026-01-12T00:00:00Z", "Closing_Date": "2026-01-30"},
  {"deal": "H4", "id": "9033", "Stage": "Closed Won", "Modified_Time": "2026-01-30T00:00:00Z", "Closing_Date": "2026-01-30"}
]$$::jsonb) d;
-- Zoho fills Moved To of a row when the deal moves on: a new version of the row, same facts.
select pg_temp.hist('H1', '9003', 'Proposal/Price Quote', '2026-01-21T00:00:00Z', '2026-03-15',
  2, 'Negotiation/Review');
select is((select count(*) from zoho.stage_history where deal_id = 'H1' and row_id = '9003'),
  2::bigint, 'a changed history row is kept as a new version');

select results_eq($$select seq, stage, entered_at, left_at, version, row_id
    from analytics.f_stage_entries where deal_id = 'H1' order by seq$$,
  $$values (1, 'Qualification', '2026-01-01T00:00:00Z'::timestamptz, '2026-01-11T00:00:00Z'::timestamptz, null::integer, '9001'),
           (2, 'Needs Analysis', '2026-01-11T00:00:00Z', '2026-01-21T00:00:00Z', null, '9002'),
           (3, 'Proposal/Price Quote', '2026-01-21T00:00:00Z', '2026-02-11T00:00:00Z', null, '9003'),
           (4, 'Negotiation/Review', '2026-02-11T00:00:00Z', null, 2, '9004')$$,
  'H1: history entries before the first sync; the first version repeats its stage (no entry); the move listed and observed counts once');
select results_eq($$select seq, closing_date from analytics.f_stage_entries
    where deal_id = 'H1' order by seq$$,
  $$values (1, '2026-03-01'::date), (2, '2026-03-01'), (3, '2026-03-15'), (4, '2026-03-31')$$,
  'H1: each entry carries the Closing_Date its history row showed');
select is((select count(*)::int from analytics.f_stage_entries e
    where e.closing_date is distinct from coalesce(
      (select h.closing_date from analytics.f_stage_history h
        where h.deal_id = e.deal_id and h.row_id = e.row_id),
      (select v.closing_date from analytics.f_deal_versions v
        where v.deal_id = e.deal_id and v.version = e.version))), 0,
  'every entry''s Closing_Date is its history row''s, else its version''s');
select results_eq($$select seq, stage, entered_at, version, row_id
    from analytics.f_stage_entries where deal_id = 'H3' order by seq$$,
  $$values (1, 'Qualification', '2026-02-01T00:00:00Z'::timestamptz, 1, '9021'),
           (2, 'Needs Analysis', '2026-02-05T00:00:00Z', null, '9022'),
           (3, 'Qualification', '2026-02-08T00:00:00Z', null, '9023')$$,
  'H3: a deal moved twice between two syncs keeps both moves');
select is((select count(*) from analytics.stage_entries('2026-03-04')), 12::bigint,
  'stage_entries: 4 + 2 + 3 + 3 merged entries');

-- Stage conversion t12m as of 4 Mar (later progress: Qualification 1, Needs Analysis 2,
-- Proposal/Price Quote 6, Negotiation/Review 7, Closed Won 8):
-- Qualification: H1 (10 d, advanced), H2 (10 d, adv.), H3 1 Feb (4 d, adv. to Needs Analysis),
--   H3 8 Feb (open), H4 (10 d, adv.) → 5 entered, 4 advanced = 80 %; stays 4, 10, 10, 10 →
--   median 10, average 8.5.
-- Needs Analysis: H1 (10 d, adv.), H2 (open), H3 (3 d, back to Qualification: no advance) →
--   3, 1 = 33.33 %; stays 3, 10 → median 6.5.
-- Proposal/Price Quote: H1 (21 d), H4 (18 d), both advanced → 100 %, median 19.5.
-- Negotiation/Review: H1, open → 0 %.
select results_eq($$select stage, entered, advanced, conversion_pct, completed_stays,
    avg_days_in_stage, median_days_in_stage
    from analytics.stage_conversion('2026-03-04', 't12m') where entered > 0 order by stage_position$$,
  $$values ('Qualification', 5::bigint, 4::bigint, 80.00::numeric, 4::bigint, 8.50::numeric, 10.00::numeric),
           ('Needs Analysis', 3::bigint, 1::bigint, 33.33::numeric, 2::bigint, 6.50::numeric, 6.50::numeric),
           ('Proposal/Price Quote', 2::bigint, 2::bigint, 100.00::numeric, 2::bigint, 19.50::numeric, 19.50::numeric),
           ('Negotiation/Review', 1::bigint, 0::bigint, 0.00::numeric, 0::bigint, null::numeric, null::numeric)$$,
  'stage conversion and days in stage from history merged with versions');
-- As of 6 Feb (end 7 Feb 00:00 UTC): H1 and H3 have later entries, so only their entries up to
-- then count. Qualification: H1, H2, H3 (adv. to Needs Analysis 5 Feb), H4 → 4 of 4, median 10.
-- Needs Analysis: H1 (10 d, adv.), H2 (open), H3 (open as of then) → 1 of 3, one stay of 10.
-- Proposal/Price Quote: H1 (open as of then), H4 (18 d, adv.) → 1 of 2 = 50 %, median 18.
select results_eq($$select stage, entered, advanced, conversion_pct, completed_stays, median_days_in_stage
    from analytics.stage_conversion('2026-02-06', 't12m') where entered > 0 order by stage_position$$,
  $$values ('Qualification', 4::bigint, 4::bigint, 100.00::numeric, 4::bigint, 10.00::numeric),
           ('Needs Analysis', 3::bigint, 1::bigint, 33.33::numeric, 1::bigint, 10.00::numeric),
           ('Proposal/Price Quote', 2::bigint, 1::bigint, 50.00::numeric, 1::bigint, 18.00::numeric)$$,
  'stage conversion as of 6 Feb reads the merged path up to then');

-- Ageing (end of 4 Mar = 5 Mar 00:00 UTC): H1 in Negotiation/Review since 11 Feb = 22 days;
-- H2 in Needs Analysis since 15 Jan (history), not since its first version (20 Feb) = 49 days;
-- H3 back in Qualification since 8 Feb = 25 days. Pushes: H1's Closing_Date 1 Mar → 15 Mar
-- (history row 9003) → 31 Mar (9004 and version 2) = 2; the versions alone show one.
select results_eq($$select deal_id, stage_entered_at, days_in_stage, close_date_pushes
    from analytics.open_deal_health('2026-03-04') order by deal_id$$,
  $$values ('H1', '2026-02-11T00:00:00Z'::timestamptz, 22.00::numeric, 2::bigint),
           ('H2', '2026-01-15T00:00:00Z', 49.00, 0),
           ('H3', '2026-02-08T00:00:00Z', 25.00, 0)$$,
  'days in stage and Closing_Date pushes from history merged with versions');
-- As of 3 Feb (end 4 Feb 00:00 UTC) each age comes from the entries made by then: H1 was in
-- Proposal/Price Quote, not the stage it is in now (aged from its creation, 1 Jan: 34 days); H2's
-- last entry (15 Jan) was made (20 days); H3 has moved since, and its latest entry by then is the
-- Qualification of 1 Feb (3 days), not the Qualification stay it is in now (8 Feb).
select results_eq($$select deal_id, stage_entered_at, days_in_stage
    from analytics.open_deal_health('2026-02-03') order by deal_id$$,
  $$values ('H1', '2026-01-01T00:00:00Z'::timestamptz, 34.00::numeric),
           ('H2', '2026-01-15T00:00:00Z', 20.00),
           ('H3', '2026-02-01T00:00:00Z', 3.00)$$,
  'days in stage as of an earlier day: the entries up to then, not the deals'' stays now');
-- Medians: Needs Analysis 6.5 d → H2 (49 d) past it; Qualification 10 d → H3 (25 d) past it.
select results_eq($$select stage, open_deals, past_median, pushed, pushes
    from analytics.deal_risks('2026-03-04') order by stage_position, stage nulls first$$,
  $$values (null::text, 3::bigint, 2::bigint, 1::bigint, 2::bigint),
           ('Qualification', 1, 1, 0, 0), ('Needs Analysis', 1, 1, 0, 0),
           ('Negotiation/Review', 1, 0, 1, 2)$$,
  'deal risks from the merged stage medians');

-- Without history the same deals have the versions' entries only (what the sync saw).
create temp table with_history as select * from analytics.f_stage_entries;
delete from zoho.stage_history where deal_id = 'H2';
select results_eq($$select seq, stage, entered_at, version, row_id
    from analytics.f_stage_entries where deal_id = 'H2'$$,
  $$values (1, 'Needs Analysis', '2026-02-20T00:00:00Z'::timestamptz, 1, null::text)$$,
  'a purged history leaves the versions'' entries');
select is((select count(*) from analytics.f_stage_history where deal_id = 'H2'), 0::bigint,
  'a purged history leaves the history facts');
select is((select days_in_stage from analytics.open_deal_health('2026-03-04') where deal_id = 'H2'),
  13.00::numeric, 'without history H2 ages from its first version (20 Feb → 5 Mar)');
select pg_temp.hist('H2', '9011', 'Qualification', '2026-01-05T00:00:00Z', '2026-04-30');
select pg_temp.hist('H2', '9012', 'Needs Analysis', '2026-01-15T00:00:00Z', '2026-04-30');
select bag_eq('select * from with_history', 'select * from analytics.f_stage_entries',
  'history arriving after the versions gives the same entries');

-- Same time, same stage: counted once even when Zoho's row and the version tie exactly.
select is((select count(*) from analytics.f_stage_entries where deal_id = 'H4'
  and stage = 'Closed Won'), 1::bigint, 'a move listed and observed at the same time counts once');
select is((select count(*) from analytics.f_stage_entries where deal_id = 'H4' and stage is null),
  1::bigint, 'a deletion stays a marker after the history');

-- Trigger-kept facts equal a full rebuild.
create temp table inc_history as select * from analytics.f_stage_history;
create temp table inc_entries as select * from analytics.f_stage_entries;
select analytics.refresh_facts();
select bag_eq('select * from inc_history', 'select * from analytics.f_stage_history',
  'f_stage_history: incremental = full rebuild');
select bag_eq('select * from inc_entries', 'select * from analytics.f_stage_entries',
  'f_stage_entries: incremental = full rebuild');
select is((select count(*) from analytics.f_stage_history), 12::bigint,
  'one history fact per row (the newest version), 12 rows');

-- Closing_Date pushes of H5, a deal we never stored as a record: history 9051 Qualification
-- 10 Jan (closing 1 Mar), 9052 Needs Analysis 20 Jan (10 Mar: a push), and version 1 observed at
-- the same instant with 20 Mar (a push after the history row: history rows come first at equal
-- times); then a deletion seen on 15 Feb carrying 30 Apr (a deletion is no push) → 2 pushes.
select pg_temp.hist('H5', '9051', 'Qualification', '2026-01-10T00:00:00Z', '2026-03-01');
select pg_temp.hist('H5', '9052', 'Needs Analysis', '2026-01-20T00:00:00Z', '2026-03-10');
select pg_temp.ver('H5', 1, 'Needs Analysis', '2026-01-20T00:00:00Z', '2026-03-20');
insert into zoho.record_versions (module, id, version, change, data, content_hash, observed_at)
select 'Deals', 'H5', 2, 'delete', d, zoho.content_hash(d), '2026-02-15T00:00:00Z'
from (select jsonb_build_object('id', 'H5', 'Stage', 'Needs Analysis', 'Closing_Date',
  '2026-04-30', 'Amount', 1000) d) x;
select results_eq($$select pushed_at from analytics.f_deal_pushes where deal_id = 'H5'$$,
  $$values ('2026-01-20T00:00:00Z'::timestamptz), ('2026-01-20T00:00:00Z')$$,
  'H5: the history row and the version at the same instant both push; the deletion does not');
-- The pushes kept per deal (analytics.f_deal_pushes) are the pushes of each deal's timeline (the
-- history rows and versions in time order, as open deal health ordered them itself before) up to
-- the end of each day from 1 Jan to 31 Mar.
select is((select count(*)::int
  from (select v.deal_id as id from analytics.f_deal_versions v
    union select h.deal_id from analytics.f_stage_history h) d,
    generate_series('2026-01-01'::date, '2026-03-31', '1 day') v(day)
  where (select count(*) from analytics.f_deal_pushes p
      where p.deal_id = d.id and p.pushed_at < analytics.day_end(v.day::date))
    is distinct from (
      select count(*) filter (where c.at < analytics.day_end(v.day::date) and not c.gone
        and c.closing_date > c.before)
      from (
        select p.at, p.gone, p.closing_date,
          lag(p.closing_date) over (order by p.at, p.ord) as before
        from (
          select h.entered_at as at, 0 as ord, false as gone, h.closing_date
          from analytics.f_stage_history h where h.deal_id = d.id
          union all
          select v.valid_from, v.version, v.change = 'delete', v.closing_date
          from analytics.f_deal_versions v where v.deal_id = d.id
        ) p
      ) c)), 0, 'pushes kept per deal = each timeline''s pushes up to as_of, every day of Q1');

-- Open deal health counts each deal's pushes and takes its last touch up to the end of as_of from
-- its kept signals (analytics.f_open_deal_signals), and by index on a day before its last push:
-- every day of Q1, the same as counting f_deal_pushes and reading f_touches then (H1's pushes
-- on 21 Jan and 11 Feb: 0, 1 and 2 on the days between).
insert into analytics.f_touches (parent_module, parent_id, first_at, last_at)
values ('Deals', 'H2', '2026-01-20T00:00:00Z', '2026-02-25T00:00:00Z');
create temp table health_q1 as
select v.day::date as day, h.deal_id, h.close_date_pushes, h.last_change_at
from generate_series('2026-01-01'::date, '2026-03-31', '1 day') v(day),
  analytics.open_deal_health(v.day::date) h;
select is((select count(*)::int from health_q1 h join analytics.f_deals d on d.id = h.deal_id
  where h.close_date_pushes is distinct from (select count(*) from analytics.f_deal_pushes p
      where p.deal_id = h.deal_id and p.pushed_at < analytics.day_end(h.day))
    or h.last_change_at is distinct from greatest(d.modified_at, (select t.last_at
      from analytics.f_touches t where t.parent_module = 'Deals' and t.parent_id = h.deal_id
        and t.last_at < analytics.day_end(h.day)))), 0,
  'pushes and last touch up to as_of from the kept signals, every day of Q1');
select results_eq($$select array_agg(distinct close_date_pushes order by close_date_pushes)
    from health_q1 where deal_id = 'H1'$$, $$values ('{0,1,2}'::bigint[])$$,
  'H1 shows 0, 1 and 2 pushes over Q1');
select ok(exists (select from health_q1 h join analytics.f_deals d on d.id = h.deal_id
    where h.deal_id = 'H2' and h.last_change_at > d.modified_at),
  'H2''s touch is its last change on some days of Q1');

create temp table inc_pushes as select * from analytics.f_deal_pushes;
select analytics.refresh_facts();
select bag_eq('select * from inc_pushes', 'select * from analytics.f_deal_pushes',
  'f_deal_pushes: incremental = full rebuild');
select bag_eq('select * from analytics.f_open_deal_signals',
  'select * from analytics.open_deal_signals',
  'kept open deal signals = their definition after the rebuild');

select * from finish();
rollback;
