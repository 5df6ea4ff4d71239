-- pgTAP: the quarter forecast (analytics/forecast.sql) on a tiny history whose chances are worked
-- out by hand, its fallback when history is thin, and its determinism.
begin;
select plan(20);

-- A company of three deals, UTC, as of Tue 2026-03-10: the quarter ends 1 Apr, so the horizon h
-- is 21 days (11 Mar 00:00 → 1 Apr 00:00), and the training instants are the Mondays 00:00 whose
-- horizon ended by then: 16 Feb (→ 9 Mar) and every week before it.
--   A: Qualification from 20 Jan 10:00, Closed Won 10 Feb 10:00, 5,000
--   B: Qualification from 20 Jan 10:00, Closed Lost 10 Feb 10:00, 3,000
--   C: Qualification from 25 Jan 10:00, still open, 10,000, no Closing_Date
update analytics.settings set time_zone = 'UTC';
delete from analytics.revenue_targets;
insert into analytics.revenue_targets (quarter_start, amount) values ('2026-01-01', 10000);
delete from analytics.f_stage_entries;
delete from analytics.f_stage_history;
delete from analytics.f_deal_versions;
delete from analytics.f_deals;
insert into analytics.f_deals (id, created_at, created_day, stage, amount, closing_date, is_won,
  is_lost, is_closed) values
  ('A', '2026-01-20 10:00Z', '2026-01-20', 'Closed Won', 5000, '2026-02-10', true, false, true),
  ('B', '2026-01-20 10:00Z', '2026-01-20', 'Closed Lost', 3000, '2026-02-10', false, true, true),
  ('C', '2026-01-25 10:00Z', '2026-01-25', 'Qualification', 10000, null, false, false, false);
insert into analytics.f_stage_entries (deal_id, seq, entered_at, stage, left_at, last_entry_at)
values
  ('A', 1, '2026-01-20 10:00Z', 'Qualification', '2026-02-10 10:00Z', '2026-02-10 10:00Z'),
  ('A', 2, '2026-02-10 10:00Z', 'Closed Won', null, '2026-02-10 10:00Z'),
  ('B', 1, '2026-01-20 10:00Z', 'Qualification', '2026-02-10 10:00Z', '2026-02-10 10:00Z'),
  ('B', 2, '2026-02-10 10:00Z', 'Closed Lost', null, '2026-02-10 10:00Z'),
  ('C', 1, '2026-01-25 10:00Z', 'Qualification', null, '2026-01-25 10:00Z');

-- Observations (deal-weeks in Qualification at the Mondays 26 Jan, 2, 9 and 16 Feb; won when
-- Closed Won came within 21 days):
--   A at 26 Jan (5.6 days in stage: band 0-14), 2 Feb (13.6), 9 Feb (20.6: band 15-45): won ×3
--   B at the same three Mondays: not won ×3
--   C at 26 Jan (0.6 days), 2 Feb (7.6), 9 Feb (14.6) and 16 Feb (21.6: band 15-45): not won ×4
-- Stage: n 10, won 3 → p1 = (3 + 5 × 0.10) ÷ (10 + 5) = 3.5 ÷ 15 (Zoho's Qualification is 10%).
-- Closing date unknown for all: same cell → p2 = (3 + 5 p1) ÷ 15.
-- C today has 44.6 days in stage (band 15-45): that cell holds A and B at 9 Feb and C at 16 Feb,
-- n 3, won 1 → p3 = (1 + 5 p2) ÷ 8. Its age (44.6 days: band 31-90) cell is empty (all were under
-- 31 days old then), so p4 = p5 = p3.
select is((select deal_id || ' ' || stage from analytics.forecast_deals('2026-03-10')),
  'C Qualification', 'the one deal open at the end of as_of is scored');
select is((select round(p, 10) from analytics.forecast_deals('2026-03-10')),
  round((1 + 5 * ((3 + 5 * (3.5 / 15)) / 15)) / 8, 10),
  'C''s chance: the hand-computed shrinkage (0.2986111111)');
select is((select round(p, 10) from analytics.forecast_deals('2026-03-10')), 0.2986111111,
  'the same as a number');
select results_eq($$select history_deals, history_obs, days_in_stage, age_days
  from analytics.forecast_deals('2026-03-10')$$,
  $$values (3::bigint, 10::bigint, 44, 44)$$, 'three deals, ten deal-weeks of history');

-- Too little history (3 deals < 30): the chances are Zoho's, and the forecast says so.
select is(analytics.forecast('2026-03-10') ->> 'method', 'stage_probabilities',
  'thin history falls back to the stage probabilities');
select ok(analytics.forecast('2026-03-10') ->> 'note' like 'Only 3 deals of history%',
  'and says so in its note');
-- Won so far = analytics.revenue's qtd (A, 5,000); C wins with Zoho's 10%: 5,000 or 15,000.
select results_eq($$select (f ->> 'won_to_date')::numeric, (f ->> 'p10')::numeric,
    (f ->> 'p50')::numeric, (f ->> 'target')::numeric, (f ->> 'gap_p50')::numeric,
    (f ->> 'weighted_baseline')::numeric, (f ->> 'new_business_quarters')::integer
  from analytics.forecast('2026-03-10') f$$,
  $$values (5000::numeric, 5000::numeric, 5000::numeric, 10000::numeric, 5000::numeric,
    5000::numeric, 0)$$,
  'won to date, P10 and P50 without C, gap at P50, no new business before the first deal');
select ok((analytics.forecast('2026-03-10') ->> 'p90')::numeric in (5000, 15000),
  'P90 is one of the two outcomes');
-- 2,000 seeded draws of a 10% chance: 200 expected, 4.5 standard deviations either side.
select ok((analytics.forecast('2026-03-10') ->> 'chance_of_target_pct')::numeric between 7 and 13,
  'chance of the 10,000 target ≈ C''s 10%');
select is(analytics.forecast('2026-03-10'), analytics.forecast('2026-03-10'),
  'the same answer on every run');
select is((analytics.forecast('2026-03-10', 8, 500) ->> 'trials')::integer, 500,
  'the number of simulated quarters is a parameter');
-- Stage history against Zoho: of the deals that entered Qualification and closed, A won, B lost.
select results_eq($$select deals, won, history_pct, zoho_pct from analytics.forecast_stage_rates('2026-03-10')
  where stage = 'Qualification'$$,
  $$values (2::bigint, 1::bigint, 50.00::numeric, 10::numeric)$$, 'stage rate 1 of 2 vs Zoho 10%');
-- The drivers: C, with the chance the forecast used.
select results_eq($$select d ->> 'deal_id', (d ->> 'chance_pct')::numeric, (d ->> 'zoho_pct')::numeric
  from jsonb_array_elements(analytics.forecast('2026-03-10') -> 'drivers') d$$,
  $$values ('C', 10.0, 10.0)$$, 'the deal that moves the forecast');
-- The chart's path ends at as_of's won on as_of, then the range to the quarter's last day.
select results_eq($$select (x ->> 'won')::numeric, (x ->> 'p50')::numeric
  from jsonb_array_elements(analytics.forecast('2026-03-10') -> 'path') x
  where x ->> 'day' = '2026-03-10'$$,
  $$values (5000::numeric, 5000.00::numeric)$$, 'the path meets the actual at as_of');
-- A deal not yet open at an earlier as_of is not scored then (what was known that day).
select is((select count(*) from analytics.forecast_deals('2026-01-22')), 2::bigint,
  'as of 22 Jan only A and B were open');

-- The training sample: every deal up to 10,000 deals, then about 10,000 (1,024 × 10,000 ÷ n
-- buckets, rounded down), the same formula in forecast_deals, its stage rates and its kept rows.
select results_eq($$select analytics.forecast_sample_k(n) from unnest(array[0, 3, 10000, 10001,
    20000, 200000, 2000000]::bigint[]) n$$,
  $$values (1024), (1024), (1024), (1023), (512), (51), (5)$$,
  'the sample: all deals up to 10,000, then about 10,000 (51 buckets at 200,000 deals)');

-- New business of past quarters, as of 4 Mar 2026 (each quarter's window starts the same 62 days
-- in: from 2 Sep and from 2 Dec 00:00, to the quarter's end). N0 (created 15 Jun 2025, never
-- won) is the first deal: quarters from July 2025 count.
--   Q3 2025: N5 (created 10 Sep, won 25 Sep, 900) and N6 (created 5 Sep, won 20 Sep, 250; won
--     again on 15 Dec after a reopening: its first win counts, in Q3 only) = 1,150.
--   Q4 2025: N2 (created 5 Dec, won 20 Dec, 700), N3 (created 4 Dec, won 10 Dec and again 28 Dec:
--     once, 400) = 1,100; N1 (created 20 Nov, before the window) and N4 (won 5 Jan, after it) not.
insert into analytics.f_deals (id, created_at, created_day, stage, amount, is_won, is_lost,
  is_closed) values
  ('N0', '2025-06-15 10:00Z', '2025-06-15', 'Qualification', 100, false, false, false),
  ('N1', '2025-11-20 10:00Z', '2025-11-20', 'Closed Won', 111, true, false, true),
  ('N2', '2025-12-05 10:00Z', '2025-12-05', 'Closed Won', 700, true, false, true),
  ('N3', '2025-12-04 10:00Z', '2025-12-04', 'Closed Won', 400, true, false, true),
  ('N4', '2025-12-06 10:00Z', '2025-12-06', 'Closed Won', 333, true, false, true),
  ('N5', '2025-09-10 10:00Z', '2025-09-10', 'Closed Won', 900, true, false, true),
  ('N6', '2025-09-05 10:00Z', '2025-09-05', 'Closed Won', 250, true, false, true);
insert into analytics.f_stage_entries (deal_id, seq, entered_at, stage, left_at, last_entry_at)
values
  ('N1', 1, '2025-12-15 10:00Z', 'Closed Won', null, '2025-12-15 10:00Z'),
  ('N2', 1, '2025-12-20 10:00Z', 'Closed Won', null, '2025-12-20 10:00Z'),
  ('N3', 1, '2025-12-10 10:00Z', 'Closed Won', '2025-12-12 10:00Z', '2025-12-28 10:00Z'),
  ('N3', 2, '2025-12-12 10:00Z', 'Negotiation/Review', '2025-12-28 10:00Z', '2025-12-28 10:00Z'),
  ('N3', 3, '2025-12-28 10:00Z', 'Closed Won', null, '2025-12-28 10:00Z'),
  ('N4', 1, '2026-01-05 10:00Z', 'Closed Won', null, '2026-01-05 10:00Z'),
  ('N5', 1, '2025-09-25 10:00Z', 'Closed Won', null, '2025-09-25 10:00Z'),
  ('N6', 1, '2025-09-20 10:00Z', 'Closed Won', '2025-10-01 10:00Z', '2025-12-15 10:00Z'),
  ('N6', 2, '2025-10-01 10:00Z', 'Negotiation/Review', '2025-12-15 10:00Z', '2025-12-15 10:00Z'),
  ('N6', 3, '2025-12-15 10:00Z', 'Closed Won', null, '2025-12-15 10:00Z');
select results_eq($$select quarter_start, amount
    from analytics.forecast_new_business('2026-03-04') order by quarter_start$$,
  $$values ('2025-07-01'::date, 1150::numeric), ('2025-10-01', 1100)$$,
  'new business per past quarter: deals created in its window whose first win falls in it');
-- The definition before the wins were read by time (every deal's first win against every
-- quarter), on 40 days.
create function pg_temp.new_business_direct(p_as_of date) returns table (quarter_start date,
  amount numeric)
language sql as $$
  with b as (
    select q.qs, ((q.qs + q.off + 1)::timestamp at time zone analytics.time_zone()) as from_t,
      (((q.qs + interval '3 months')::date)::timestamp at time zone analytics.time_zone()) as to_t
    from (select (date_trunc('quarter', p_as_of::timestamp) - k * interval '3 months')::date as qs,
        p_as_of - date_trunc('quarter', p_as_of::timestamp)::date as off
      from generate_series(1, 8) k) q
  ),
  w as (
    select d.created_at, d.amount, x.won_at
    from (select e.deal_id, min(e.entered_at) as won_at from analytics.f_stage_entries e
      where e.stage = 'Closed Won' group by e.deal_id) x
    join analytics.f_deals d on d.id = x.deal_id
  )
  select b.qs, coalesce(sum(w.amount), 0)
  from b
  cross join (select min(d.created_at) as at from analytics.f_deals d) f
  left join w on w.created_at >= b.from_t and w.won_at >= b.from_t and w.won_at < b.to_t
  where f.at is not null and b.qs >= (f.at at time zone analytics.time_zone())::date
  group by b.qs
$$;
select bag_eq($$select d.d, n.* from generate_series('2025-06-01'::date, '2026-10-01',
    interval '12 days') d(d), analytics.forecast_new_business(d.d::date) n$$,
  $$select d.d, n.* from generate_series('2025-06-01'::date, '2026-10-01', interval '12 days')
    d(d), pg_temp.new_business_direct(d.d::date) n$$,
  'forecast_new_business = every deal''s first win against every quarter, on 41 days');

-- A deal that entered a stage twice counts once for it: D entered Qualification on 1 and 8 Feb
-- (Needs Analysis between) and won on 12 Feb. Qualification: A, B and D, two won.
insert into analytics.f_deals (id, created_at, created_day, stage, amount, closing_date, is_won,
  is_lost, is_closed) values
  ('D', '2026-02-01 10:00Z', '2026-02-01', 'Closed Won', 700, '2026-02-12', true, false, true);
insert into analytics.f_stage_entries (deal_id, seq, entered_at, stage, left_at, last_entry_at)
values
  ('D', 1, '2026-02-01 10:00Z', 'Qualification', '2026-02-05 10:00Z', '2026-02-12 10:00Z'),
  ('D', 2, '2026-02-05 10:00Z', 'Needs Analysis', '2026-02-08 10:00Z', '2026-02-12 10:00Z'),
  ('D', 3, '2026-02-08 10:00Z', 'Qualification', '2026-02-12 10:00Z', '2026-02-12 10:00Z'),
  ('D', 4, '2026-02-12 10:00Z', 'Closed Won', null, '2026-02-12 10:00Z');
select results_eq($$select stage, deals, won from analytics.forecast_stage_rates('2026-03-10')
    where stage in ('Qualification', 'Needs Analysis') order by stage$$,
  $$values ('Needs Analysis', 1::bigint, 1::bigint), ('Qualification', 3, 2)$$,
  'a deal that entered a stage twice counts once in its rate');

-- More closed stages than open ones, named as a company names its loss reasons (closed is what
-- the settings say, not the name): E entered Qualification and was lost in "Lost (6)", one of
-- nine closed stages. Qualification: A, B, D and E, two won.
insert into analytics.stage_settings (stage, position, probability, is_open)
select 'Lost (' || g || ')', 10 + g, 0, false from generate_series(1, 6) g;
insert into analytics.f_stage_entries (deal_id, seq, entered_at, stage, left_at, last_entry_at)
values
  ('E', 1, '2026-02-02 10:00Z', 'Qualification', '2026-02-09 10:00Z', '2026-02-09 10:00Z'),
  ('E', 2, '2026-02-09 10:00Z', 'Lost (6)', null, '2026-02-09 10:00Z');
select results_eq($$select stage, deals, won from analytics.forecast_stage_rates('2026-03-10')
    where stage in ('Qualification', 'Needs Analysis') order by stage$$,
  $$values ('Needs Analysis', 1::bigint, 1::bigint), ('Qualification', 4, 2)$$,
  'a closed stage is what the settings say, however many and however named');

select * from finish();
rollback;
