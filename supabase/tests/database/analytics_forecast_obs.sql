-- pgTAP: the forecast's kept training observations (analytics/forecast_keep.sql) equal their plain
-- definition (every Monday 00:00 against every open-stage stay) after the full build, after
-- edits of stays and deals settled, and after Mondays pass; a forecast read from them equals one
-- that computes them all, also while deals are marked stale (their observations are computed) or
-- the kept rows do not cover its day.
begin;
select plan(23);
set local jit = off;

-- A company in Chile (daylight saving changes at midnight), the 700 deals of the shared fixture
-- (as analytics_forecast_sim.sql), plus one won exactly at a local midnight.
update analytics.settings set time_zone = 'America/Santiago';
\set deal_prefix 'fo-D'
\ir ../fixtures/deal_history.psql
insert into analytics.f_stage_entries (deal_id, seq, entered_at, stage, left_at, last_entry_at)
values
  ('fo-M', 1, '2025-06-02 10:00-04', 'Qualification', '2025-06-16 00:00-04', '2025-06-16 00:00-04'),
  ('fo-M', 2, '2025-06-16 00:00-04', 'Closed Won', null, '2025-06-16 00:00-04');
insert into analytics.f_deals (id, created_at, created_day, stage, amount, closing_date, is_won,
  is_lost, is_closed)
values ('fo-M', '2025-06-02 10:00-04', '2025-06-02', 'Closed Won', 4000, '2025-07-06', true,
  false, true);
insert into analytics.facts_built select where not exists (select from analytics.facts_built);

-- The plain definition: every Monday 00:00 (company time) up to the kept `through` against every
-- stay in an open stage of a deal in the first p_k buckets; the bands by hand; the won day is the
-- local day of the first win, or the next one when the win is not at its 00:00.
create function pg_temp.obs_plain(p_k integer) returns table (deal_id text, monday date,
  stage text, bucket smallint, ds smallint, ag smallint, amount numeric, closing_date date,
  won_day date)
language sql as $$
  with z as (select analytics.time_zone() as tz),
  mondays as (
    select g::date as monday, (g::date::timestamp at time zone z.tz) as at
    from z, generate_series(date '2023-01-02',
      (select k.through from analytics.f_forecast_obs_kept k), interval '7 days') g
  ),
  won as (
    select w.deal_id, min(w.entered_at) as won_at from analytics.f_stage_entries w
    where w.stage = 'Closed Won' group by w.deal_id
  )
  select e.deal_id, m.monday, e.stage, (hashtext(e.deal_id) & 1023)::smallint,
    (case when m.at - e.entered_at < interval '15 days' then 0
      when m.at - e.entered_at < interval '46 days' then 1
      when m.at - e.entered_at < interval '91 days' then 2 else 3 end)::smallint,
    (case when d.created_at is null or m.at - d.created_at < interval '31 days' then 0
      when m.at - d.created_at < interval '91 days' then 1
      when m.at - d.created_at < interval '181 days' then 2 else 3 end)::smallint,
    d.amount, e.closing_date,
    case when w.won_at is null then null
      when ((w.won_at at time zone z.tz)::date::timestamp at time zone z.tz) >= w.won_at
        then (w.won_at at time zone z.tz)::date
      else (w.won_at at time zone z.tz)::date + 1 end
  from analytics.f_stage_entries e
  cross join z
  join analytics.stage_settings s on s.stage = e.stage and s.is_open
  join mondays m on m.at >= e.entered_at and (e.left_at is null or m.at < e.left_at)
  left join analytics.f_deals d on d.id = e.deal_id
  left join won w on w.deal_id = e.deal_id
  where (hashtext(e.deal_id) & 1023) < p_k
$$;

select analytics.build_forecast_obs();
select results_eq($$select k, through from analytics.f_forecast_obs_kept$$,
  $$select 1024, analytics.monday_of((now() at time zone 'America/Santiago')::date)$$,
  'a small company keeps every deal, up to this week''s Monday');
select bag_eq('select * from analytics.f_forecast_obs', 'select * from pg_temp.obs_plain(1024)',
  'the full build = every Monday against every open stay');
select ok((select count(*) > 3000 and count(distinct deal_id) > 400
  from analytics.f_forecast_obs), 'thousands of observations of hundreds of deals');
select is((select won_day from analytics.f_forecast_obs where deal_id = 'fo-M'
  and monday = '2025-06-09'), date '2025-06-16', 'a win at 00:00 is won on that day');

-- The forecast from the kept rows = the forecast computing them all (as when the kept buckets
-- do not cover its sample: k = 0).
create function pg_temp.days() returns table (d date) language sql as $$
  select unnest(array[date '2025-08-20', '2025-09-30', '2025-11-05', '2025-12-24',
    '2026-01-07', '2026-02-18', '2026-03-04', '2026-03-30'])
$$;
create function pg_temp.computed() returns table (d date, deal_id text, p numeric,
  history_obs bigint, shocks double precision[])
language plpgsql as $$
declare
  v_k integer := (select k.k from analytics.f_forecast_obs_kept k);
begin
  update analytics.f_forecast_obs_kept set k = 0;
  -- another plan as well: what is computed must not depend on it (the order of float sums)
  perform set_config('enable_hashagg', 'off', true);
  return query select x.d, f.deal_id, f.p, f.history_obs, f.shocks
    from pg_temp.days() x, analytics.forecast_deals(x.d) f;
  perform set_config('enable_hashagg', 'on', true);
  update analytics.f_forecast_obs_kept set k = v_k;
end
$$;
create temp table fo_kept as
select x.d, f.deal_id, f.p, f.history_obs, f.shocks
from pg_temp.days() x, analytics.forecast_deals(x.d) f;
select bag_eq('select * from fo_kept', 'select * from pg_temp.computed()',
  'forecast_deals from the kept observations = computing them, on 8 days');
select ok((select count(distinct d) = 8 and min(history_obs) > 500 from fo_kept),
  'each day has learned chances');

-- Partial kept rows are read when their coverage says so (the test above can fail).
delete from analytics.f_forecast_obs where stage = 'Qualification';
select ok(exists (select from pg_temp.days() x
    cross join lateral analytics.forecast_deals(x.d) f
    join fo_kept k on k.d = x.d and k.deal_id = f.deal_id where k.p <> f.p),
  'the kept rows are what the forecast reads');
select analytics.build_forecast_obs();

-- Facts changed and not yet settled: the forecast computes the marked deals' observations.
update analytics.f_deals set amount = amount * 3
where id in (select 'fo-D' || i from generate_series(1, 300) i);
delete from analytics.f_stage_entries where deal_id in (select 'fo-D' || i
  from generate_series(301, 360) i) and seq > 2;
update analytics.f_stage_entries set left_at = null where deal_id in (select 'fo-D' || i
  from generate_series(301, 360) i) and seq = 2;
create temp table fo_marked as
select x.d, f.deal_id, f.p, f.history_obs, f.shocks
from pg_temp.days() x, analytics.forecast_deals(x.d) f;
select bag_eq('select * from fo_marked', 'select * from pg_temp.computed()',
  'deals marked and not settled: kept rows + the marked deals computed = computing them all');
-- The marks are what made it right: without them, the stale kept rows say otherwise.
create temp table fo_dirty as select * from analytics.f_forecast_obs_dirty;
delete from analytics.f_forecast_obs_dirty;
select ok(exists (select from pg_temp.days() x
    cross join lateral analytics.forecast_deals(x.d) f
    join fo_marked k on k.d = x.d and k.deal_id = f.deal_id where k.p <> f.p),
  'unmarked, the stale rows would have been read');
insert into analytics.f_forecast_obs_dirty select * from fo_dirty;
-- A training Monday after `through`: the forecast computes (the kept rows, broken here, are not
-- read).
delete from analytics.f_forecast_obs where stage = 'Qualification';
update analytics.f_forecast_obs_kept set through = '2026-01-26';
select bag_eq($$select * from fo_marked where d >= '2026-03-04'$$,
  $$select x.d, f.deal_id, f.p, f.history_obs, f.shocks
    from pg_temp.days() x, analytics.forecast_deals(x.d) f where x.d >= '2026-03-04'$$,
  'a training Monday after `through`: the forecast computes');

-- Settling: edits of stays and deals, written straight to the facts as the triggers write them,
-- are marked (only in the kept buckets) and recomputed; Mondays passed are added.
select analytics.build_forecast_obs();
update analytics.f_forecast_obs_kept set k = 512;
delete from analytics.f_forecast_obs where bucket >= 512;
update analytics.f_deals set amount = amount * 2 where id in ('fo-D1', 'fo-D2', 'fo-D3', 'fo-D4',
  'fo-D5', 'fo-D6', 'fo-D7', 'fo-D8');
delete from analytics.f_stage_entries where deal_id in ('fo-D10', 'fo-D11', 'fo-D12', 'fo-D13',
  'fo-D14', 'fo-D15') and seq > 1;
update analytics.f_stage_entries set left_at = null
where deal_id in ('fo-D10', 'fo-D11', 'fo-D12', 'fo-D13', 'fo-D14', 'fo-D15');
insert into analytics.f_stage_entries (deal_id, seq, entered_at, stage, last_entry_at)
values ('fo-NEW', 1, '2026-01-05 12:00Z', 'Needs Analysis', '2026-01-05 12:00Z');
insert into analytics.f_deals (id, created_at, created_day, stage, amount, is_won, is_lost,
  is_closed) values ('fo-NEW', '2026-01-01 12:00Z', '2026-01-01', 'Needs Analysis', 777, false,
  false, false);
delete from analytics.f_deals where id in ('fo-D20', 'fo-D21', 'fo-D22');
select is((select count(*) from analytics.f_forecast_obs_dirty
    where (hashtext(deal_id) & 1023) >= 512), 0::bigint,
  'marks only in the kept buckets');
select ok((select count(distinct deal_id) >= 5 from analytics.f_forecast_obs_dirty),
  'the edited deals are marked');
-- Three Mondays not yet seen.
delete from analytics.f_forecast_obs where monday > (select through - 21
  from analytics.f_forecast_obs_kept);
update analytics.f_forecast_obs_kept set through = through - 21;
select analytics.keep_forecast_obs();
select is((select count(*) from analytics.f_forecast_obs_dirty), 0::bigint,
  'the settle consumes the marks');
select bag_eq('select * from analytics.f_forecast_obs', 'select * from pg_temp.obs_plain(512)',
  'after edits and Mondays passed: kept = the plain definition');
select is((select through from analytics.f_forecast_obs_kept),
  analytics.monday_of((now() at time zone 'America/Santiago')::date), 'up to this week''s Monday');

-- analytics.settle_facts (each sync slice's end) does it.
update analytics.f_deals set amount = 1 where id = 'fo-D30';
select analytics.settle_facts();
select bag_eq('select * from analytics.f_forecast_obs', 'select * from pg_temp.obs_plain(512)',
  'settle_facts keeps them');

-- The first wins kept for new business (analytics.f_first_wins) follow each write of the deals
-- and their Closed Won entries in the same statement: an Amount edited, a won deal deleted, a
-- win deleted, a new win.
create function pg_temp.first_wins_plain() returns table (deal_id text, won_at timestamptz,
  created_at timestamptz, amount numeric)
language sql as $$
  select d.id, min(e.entered_at), d.created_at, d.amount from analytics.f_deals d
  join analytics.f_stage_entries e on e.deal_id = d.id and e.stage = 'Closed Won'
  group by d.id, d.created_at, d.amount
$$;
create temp table fw_before as select * from analytics.f_first_wins;
create temp table fw_edit as select deal_id, row_number() over (order by deal_id) as i
  from analytics.f_first_wins where deal_id like 'fo-D%' order by deal_id limit 3;
update analytics.f_deals set amount = amount + 1000
where id = (select deal_id from fw_edit where i = 1);
create temp table fw_deleted as
select * from analytics.f_deals where id = (select deal_id from fw_edit where i = 2);
delete from analytics.f_deals where id = (select deal_id from fw_edit where i = 2);
delete from analytics.f_stage_entries
where deal_id = (select deal_id from fw_edit where i = 3) and stage = 'Closed Won';
insert into analytics.f_stage_entries (deal_id, seq, entered_at, stage, last_entry_at)
values ('fo-NEW', 2, '2026-02-01 12:00Z', 'Closed Won', '2026-02-01 12:00Z');
select bag_eq('select * from analytics.f_first_wins', 'select * from pg_temp.first_wins_plain()',
  'kept first wins = each deal''s first Closed Won entry, after the edits');
select is((select count(*) from (
    (select * from analytics.f_first_wins except select * from fw_before)
    union all (select * from fw_before except select * from analytics.f_first_wins)) x),
  5::bigint, 'the edits differ in five rows: one changed (old and new), two gone, one new');
select ok((select count(*) > 100 from analytics.f_first_wins), 'hundreds of won deals kept');
-- The deal written again (the sync replaces a deal's fact by a delete and an insert): kept again.
insert into analytics.f_deals select * from fw_deleted;
select ok(exists (select from analytics.f_first_wins f join fw_deleted d on d.id = f.deal_id
    and f.amount is not distinct from d.amount)
  and not exists (select * from analytics.f_first_wins
    except select * from pg_temp.first_wins_plain()),
  'a deal fact inserted again is kept again');
-- A win rewritten as a loss (an update of the entry): its deal's first win is the next win, or none.
update analytics.f_stage_entries set stage = 'Closed Lost'
where stage = 'Closed Won' and deal_id = (select f.deal_id from analytics.f_first_wins f
  where f.deal_id like 'fo-D%' order by f.deal_id desc limit 1);
select bag_eq('select * from analytics.f_first_wins', 'select * from pg_temp.first_wins_plain()',
  'a win updated into a loss: kept = the plain definition');
savepoint before_truncates;
truncate analytics.f_deals;
select is((select count(*) from analytics.f_first_wins), 0::bigint,
  'truncating the deal facts (the full rebuild) empties them');
rollback to savepoint before_truncates;
truncate analytics.f_stage_entries;
select is((select count(*) from analytics.f_first_wins), 0::bigint,
  'truncating the stage entries (the full rebuild) empties them');

select * from finish();
rollback;
