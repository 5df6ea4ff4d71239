-- pgTAP: every KPI on a small hand-made company; the expected values are worked out in comments.
begin;
select plan(64);

\ir ../fixtures/company.psql

-- Facts equal the typed views they stand for (same JSON paths as crm.leads / crm.deals).
-- bag_eq compares both ways: a fact row missing from the view fails as well as an extra one.
select bag_eq(
  $$select id, created_at, owner_id, lead_source, converted, converted_at, converted_deal_id,
    deleted_at from analytics.f_leads$$,
  $$select id, created_at, owner_id, lead_source, converted, converted_at, converted_deal_id,
    deleted_at from crm.leads$$,
  'f_leads rows equal crm.leads');
select bag_eq(
  $$select id, stage, amount, closing_date, lead_source, is_won, is_lost, deleted_at
    from analytics.f_deals$$,
  $$select id, stage, amount, closing_date, lead_source, is_won, is_lost, deleted_at
    from crm.deals$$,
  'f_deals rows equal crm.deals');

-- Leads created. mtd = 1–4 Mar local: L1, L2, L3 = 3 (L4 is 5 Mar local, L8 deleted);
-- previous equal period 1–4 Feb: L5 = 1 → growth (3 − 1) ÷ 1 = 200 %.
select results_eq($$select leads, prev_leads, growth_pct from analytics.leads_created('2026-03-04', 'mtd') where dimension = 'all'$$,
  $$values (3::bigint, 1::bigint, 200.00::numeric)$$, 'leads mtd 3 vs 1 → +200 %');
-- wtd = Mon 2 – Wed 4 Mar: 3; previous 23–25 Feb: L6, L7 = 2 → +50 %.
select results_eq($$select leads, prev_leads, growth_pct from analytics.leads_created('2026-03-04', 'wtd') where dimension = 'all'$$,
  $$values (3::bigint, 2::bigint, 50.00::numeric)$$, 'leads wtd 3 vs 2 → +50 %');
-- day: 4 Mar L3 = 1; 3 Mar L2 = 1 (L8 deleted) → 0 %.
select results_eq($$select leads, prev_leads, growth_pct from analytics.leads_created('2026-03-04', 'day') where dimension = 'all'$$,
  $$values (1::bigint, 1::bigint, 0.00::numeric)$$, 'leads day 1 vs 1');
-- by source mtd: Facebook 2 vs 0 (growth null), Website 0 vs 1 (−100 %).
select results_eq($$select key, leads, prev_leads, growth_pct from analytics.leads_created('2026-03-04', 'mtd') where dimension = 'source' order by key$$,
  $$values ('Facebook', 2::bigint, 0::bigint, null::numeric), ('Google Ads', 1::bigint, 0::bigint, null::numeric), ('Website', 0::bigint, 1::bigint, -100.00::numeric)$$,
  'leads mtd by source');
select results_eq($$select key, label, leads from analytics.leads_created('2026-03-04', 'mtd') where dimension = 'owner' order by key$$,
  $$values ('1', 'User 1', 2::bigint), ('2', 'User 2', 1::bigint)$$, 'leads mtd by owner');
select results_eq($$select key, leads from analytics.leads_created('2026-03-04', 'mtd') where dimension = 'status'$$,
  $$values ('Contacted', 3::bigint)$$, 'leads mtd by status');

-- Win rate qtd (closed 1 Jan – 4 Mar): won D1 1000, D2 3000, D4 0; lost D3 2000; D8 deleted.
-- count 3 ÷ 4 = 75 %; value 4000 ÷ 6000 = 66.67 %.
select results_eq($$select won, lost, won_amount, lost_amount, win_rate_count_pct, win_rate_value_pct from analytics.win_rate('2026-03-04', 'qtd') where dimension = 'all'$$,
  $$values (3::bigint, 1::bigint, 4000::numeric, 2000::numeric, 75.00::numeric, 66.67::numeric)$$, 'win rate qtd');
-- mtd: D1, D4 won, nothing lost → 100 %; by value 1000 ÷ 1000.
select results_eq($$select won, lost, win_rate_count_pct, win_rate_value_pct from analytics.win_rate('2026-03-04', 'mtd') where dimension = 'all'$$,
  $$values (2::bigint, 0::bigint, 100.00::numeric, 100.00::numeric)$$, 'win rate mtd');
-- Facebook t12m: D2 won, D3 lost → 50 %, value 3000 ÷ 5000 = 60 %.
select results_eq($$select win_rate_count_pct, win_rate_value_pct from analytics.win_rate('2026-03-04', 't12m') where dimension = 'source' and key = 'Facebook'$$,
  $$values (50.00::numeric, 60.00::numeric)$$, 'win rate t12m Facebook');
-- No closed deals at all in the day → null rates, zero counts.
select results_eq($$select won, lost, win_rate_count_pct from analytics.win_rate('2026-03-04', 'day') where dimension = 'all'$$,
  $$values (0::bigint, 0::bigint, null::numeric)$$, 'win rate with no closed deals is null');

-- Revenue: mtd D1 1000 + D4 0 = 1000 (2 deals), previous 1–4 Feb 0 → growth null;
-- qtd 4000 vs target 10000 → 40 %; ytd 4000, target = Q1's 10000 → 40 %.
select results_eq($$select period, revenue, won_deals, prev_revenue, growth_pct, target, attainment_pct from analytics.revenue('2026-03-04') where period in ('mtd', 'qtd', 'ytd') order by period$$,
  $$values ('mtd', 1000::numeric, 2::bigint, 0::numeric, null::numeric, null::numeric, null::numeric),
           ('qtd', 4000::numeric, 3::bigint, 0::numeric, null::numeric, 10000::numeric, 40.00::numeric),
           ('ytd', 4000::numeric, 3::bigint, 0::numeric, null::numeric, 10000::numeric, 40.00::numeric)$$,
  'revenue mtd/qtd/ytd vs previous and target');
-- Previous equal period of mtd on 4 Mar: 1–4 Feb. On 20 Mar: mtd 1000 (D1+D4) vs 1–20 Feb: D2 3000 → −66.67 %.
select results_eq($$select revenue, prev_revenue, growth_pct from analytics.revenue('2026-03-20') where period = 'mtd'$$,
  $$values (1000::numeric, 3000::numeric, -66.67::numeric)$$, 'revenue mtd vs previous equal period');
select results_eq($$select month, revenue, won_deals from analytics.revenue_by_month('2026-03-04', 3) where dimension = 'all'$$,
  $$values ('2026-02-01'::date, 3000::numeric, 1::bigint), ('2026-03-01'::date, 1000::numeric, 2::bigint)$$,
  'revenue by closing month (D8 deleted)');
insert into analytics.revenue_targets (quarter_start, owner_id, amount) values ('2026-01-01', '2', 6000);
select results_eq($$select owner_id, revenue, target, attainment_pct from analytics.revenue_by_owner('2026-03-04') order by 1$$,
  $$values ('1', 1000::numeric, null::numeric, null::numeric), ('2', 3000::numeric, 6000::numeric, 50.00::numeric)$$,
  'revenue qtd by owner vs owner target');

-- Deal size t12m: won D1 1000, D2 3000, D4 0 (zero counts) → avg 1333.33, median 1000;
-- cycle D1 26 Feb→3 Mar = 5, D2 10 Jan→20 Feb = 41, D4 1 Feb→2 Mar = 29 → avg 25, median 29.
select results_eq($$select won_deals, avg_amount, median_amount, avg_cycle_days, median_cycle_days from analytics.deal_size('2026-03-04', 't12m') where dimension = 'all'$$,
  $$values (3::bigint, 1333.33::numeric, 1000.00::numeric, 25.00::numeric, 29.00::numeric)$$, 'deal size and cycle');

-- Sales velocity: open D5, D6, D7, D9 = 4 × (3 ÷ 4) × (4000 ÷ 3) ÷ 25 = 160 per day.
select results_eq($$select open_deals, win_rate_pct, avg_deal_size, avg_cycle_days, velocity_per_day from analytics.sales_velocity('2026-03-04') where dimension = 'all'$$,
  $$values (4::bigint, 75.00::numeric, 1333.33::numeric, 25.00::numeric, 160.00::numeric)$$, 'sales velocity');
-- Referral: open D5; won D1 of 1 closed; size 1000; cycle 5 → 1 × 1 × 1000 ÷ 5 = 200.
select results_eq($$select open_deals, velocity_per_day from analytics.sales_velocity('2026-03-04') where key = 'Referral'$$,
  $$values (1::bigint, 200.00::numeric)$$, 'sales velocity per source');

-- Pipeline: open 5000 + 1000 + null + 2000 = 8000; weighted 5000 × 90 % (fallback: D5 has no
-- Probability) + 1000 × 10 % + 2000 × 20 % = 5000 (D7 has no amount).
select results_eq($$select open_deals, amount, weighted_amount from analytics.pipeline('2026-03-04') where dimension = 'all'$$,
  $$values (4::bigint, 8000::numeric, 5000::numeric)$$, 'open and weighted pipeline');
select results_eq($$select key, amount, weighted_amount from analytics.pipeline('2026-03-04') where dimension = 'stage' order by stage_position$$,
  $$values ('Qualification', 1000::numeric, 100::numeric), ('Needs Analysis', 2000::numeric, 400::numeric),
           ('Proposal/Price Quote', 0::numeric, 0::numeric), ('Negotiation/Review', 5000::numeric, 4500::numeric)$$,
  'pipeline by stage');
select results_eq($$select key, amount from analytics.pipeline('2026-03-04') where dimension = 'closing_month' order by key$$,
  $$values ('2026-02', 1000::numeric), ('2026-03', 7000::numeric), ('2026-04', 0::numeric)$$, 'pipeline by closing month');

-- Coverage Q1: open closing in Q1 = D5 5000 + D6 1000 + D9 2000 = 8000; remaining target
-- 10000 − 4000 = 6000 → 1.33; required = 100 ÷ 75 = 1.33; forecast 4000 + 5000 → gap 1000.
select results_eq($$select target, won_qtd, remaining_target, open_pipeline, weighted_pipeline, coverage, required_coverage, forecast, forecast_gap from analytics.pipeline_coverage('2026-03-04')$$,
  $$values (10000::numeric, 4000::numeric, 6000::numeric, 8000::numeric, 5000.00::numeric, 1.33::numeric, 1.33::numeric, 9000.00::numeric, 1000.00::numeric)$$,
  'pipeline coverage vs target');

-- Cohorts: Feb = L5, L6 (deal D1 won), L7 (converted, no deal): 3 leads, 2 converted, 1 deal,
-- 1 won → 66.67 / 33.33 / 33.33 %, incomplete (28 Feb + 90 days > 4 Mar).
select results_eq($$select leads, converted, with_deal, won, converted_pct, lead_to_deal_pct, lead_to_won_pct, incomplete from analytics.cohort_conversion('2026-03-04', 2) where dimension = 'all' and cohort_month = '2026-02-01'$$,
  $$values (3::bigint, 2::bigint, 1::bigint, 1::bigint, 66.67::numeric, 33.33::numeric, 33.33::numeric, true)$$, 'cohort conversion Feb');
select results_eq($$select cohort_month, leads, converted from analytics.cohort_conversion('2026-03-04', 2) where dimension = 'all' order by 1$$,
  $$values ('2026-02-01'::date, 3::bigint, 2::bigint), ('2026-03-01'::date, 3::bigint, 0::bigint)$$, 'cohorts by month');
select is((select incomplete from analytics.cohort_conversion('2026-06-30', 6) where dimension = 'all' and cohort_month = '2026-02-01'),
  false, 'a cohort is complete 90 days after its month ends');
-- Conversion velocity: L6 and L7 converted 2.00 days after creation → median 2.
select results_eq($$select month, conversions, median_days from analytics.conversion_velocity('2026-03-04', 2) where dimension = 'all'$$,
  $$values ('2026-02-01'::date, 2::bigint, 2.00::numeric)$$, 'conversion velocity');

-- Stage conversion t12m from versions: Qualification entered by D5 (1 Feb) and D9 (20 Jan), both
-- later reached a further stage (D9 via the reopen to Needs Analysis) → 100 %; stays 10 and 12
-- days → median 11. Needs Analysis: D9 entered, not advanced → 0 %. Negotiation: D5 → 0 %.
select results_eq($$select stage, entered, advanced, conversion_pct, median_days_in_stage from analytics.stage_conversion('2026-03-04', 't12m') where entered > 0 order by stage_position$$,
  $$values ('Qualification', 2::bigint, 2::bigint, 100.00::numeric, 11.00::numeric),
           ('Needs Analysis', 1::bigint, 0::bigint, 0.00::numeric, null::numeric),
           ('Negotiation/Review', 1::bigint, 0::bigint, 0.00::numeric, null::numeric)$$,
  'stage-to-stage conversion and days in stage');
-- Stage conversion as of an earlier day reads only the history up to then. 8 Feb: D9's entries
-- all lie before (stored history), D5 has a later one (11 Feb, left out). Qualification: D9
-- (20 Jan, later Needs Analysis → advanced) and D5 (1 Feb, nothing later yet) → 1 of 2 = 50 %;
-- completed stays: D9's 20 Jan → 1 Feb = 12 days. Needs Analysis: D9 (5 Feb), open → 0 %.
select results_eq($$select stage, entered, advanced, conversion_pct, completed_stays, median_days_in_stage from analytics.stage_conversion('2026-02-08', 't12m') where entered > 0 order by stage_position$$,
  $$values ('Qualification', 2::bigint, 1::bigint, 50.00::numeric, 1::bigint, 12.00::numeric),
           ('Needs Analysis', 1::bigint, 0::bigint, 0.00::numeric, 0::bigint, null::numeric)$$,
  'stage conversion as of 8 Feb: later entries are left out');
-- 3 Feb: D9 has entered Qualification (20 Jan) and Closed Lost (1 Feb, not a further stage) →
-- not advanced; D5 Qualification (1 Feb) → 0 of 2; D9's stay 12 days.
select results_eq($$select stage, entered, advanced, completed_stays, median_days_in_stage from analytics.stage_conversion('2026-02-03', 't12m') where entered > 0 order by stage_position$$,
  $$values ('Qualification', 2::bigint, 0::bigint, 1::bigint, 12.00::numeric)$$,
  'stage conversion as of 3 Feb: a loss is no advance');
-- Deal health: D6 (Qualification, last change 1 Feb > 14 days) and D9 (Needs Analysis, 5 Feb)
-- are stale; D5 changed by a call today; D6 slipped (closing 28 Feb); D5 pushed once (10→20 Mar).
select results_eq($$select deal_id, is_stale, is_slipped, close_date_pushes from analytics.open_deal_health('2026-03-04') order by 1$$,
  $$values ('D5', false, false, 1::bigint), ('D6', true, true, 0::bigint), ('D7', false, false, 0::bigint), ('D9', true, false, 0::bigint)$$,
  'stale, slipped and pushed deals');
select results_eq($$select days_in_stage from analytics.open_deal_health('2026-03-04') where deal_id = 'D9'$$,
  $$values (27.58::numeric)$$, 'days in stage since the reopen (5 Feb 10:00 → 5 Mar 00:00 IST)');
select results_eq($$select open_deals, stale, slipped, pushed, at_risk_amount from analytics.deal_risks('2026-03-04') where stage is null$$,
  $$values (4::bigint, 2::bigint, 1::bigint, 1::bigint, 3000::numeric)$$, 'deal risk summary');
-- Only the deal's own touches up to the end of as_of count: a lead's touch that shares D6's id
-- and a touch of D9 after 4 Mar leave both stale.
create temp table kept_touches as select * from analytics.f_touches
  where (parent_module, parent_id) in (('Leads', 'D6'), ('Deals', 'D9'));
delete from analytics.f_touches where (parent_module, parent_id) in (('Leads', 'D6'), ('Deals', 'D9'));
insert into analytics.f_touches (parent_module, parent_id, first_at, last_at) values
  ('Leads', 'D6', '2026-03-04 08:00Z', '2026-03-04 08:00Z'),
  ('Deals', 'D9', '2026-03-10 08:00Z', '2026-03-10 08:00Z');
select results_eq($$select deal_id, is_stale from analytics.open_deal_health('2026-03-04')
    where deal_id in ('D6', 'D9') order by 1$$,
  $$values ('D6', true), ('D9', true)$$,
  'a lead''s touch with a deal''s id and a touch after as_of do not freshen a deal');
delete from analytics.f_touches where (parent_module, parent_id) in (('Leads', 'D6'), ('Deals', 'D9'));
insert into analytics.f_touches select * from kept_touches;
-- Each open deal's last touch and pushes are kept (analytics.f_open_deal_signals) and follow every
-- write of the deal facts, the touches and the pushes in the same statement: they equal their
-- plain definition after each of a touch moved, a push added, a deal closed and reopened, a deal
-- fact deleted and written again; a truncate (the full rebuild) empties them.
create function pg_temp.signals_plain() returns table (deal_id text, last_touch_at timestamptz,
  pushes bigint, last_push_at timestamptz)
language sql as $$
  select d.id, (select t.last_at from analytics.f_touches t
      where t.parent_module = 'Deals' and t.parent_id = d.id),
    (select count(*) from analytics.f_deal_pushes p where p.deal_id = d.id),
    (select max(p.pushed_at) from analytics.f_deal_pushes p where p.deal_id = d.id)
  from analytics.f_deals d where not d.is_closed
$$;
select bag_eq('select * from analytics.f_open_deal_signals',
  'select * from pg_temp.signals_plain()',
  'kept open deal signals = their plain definition');
select ok((select count(*) filter (where last_touch_at is not null) > 0
    and count(*) filter (where pushes > 0) > 0 from analytics.f_open_deal_signals),
  'open deals with a touch and with a push are kept');
savepoint signals;
update analytics.f_touches set last_at = last_at + interval '1 day'
  where (parent_module, parent_id) = ('Deals', 'D5');
insert into analytics.f_deal_pushes values ('D6', '2026-03-01 10:00Z');
update analytics.f_deals set is_closed = true, is_won = true, stage = 'Closed Won'
  where id = 'D7';
select bag_eq('select * from analytics.f_open_deal_signals',
  'select * from pg_temp.signals_plain()',
  'a touch moved, a push added and a deal closed: kept = plain');
update analytics.f_deals set is_closed = false, is_won = false, stage = 'Qualification'
  where id = 'D7';
create temp table signals_d5 as select * from analytics.f_deals where id = 'D5';
delete from analytics.f_deals where id = 'D5';
delete from analytics.f_touches where (parent_module, parent_id) = ('Deals', 'D9');
select bag_eq('select * from analytics.f_open_deal_signals',
  'select * from pg_temp.signals_plain()',
  'a deal reopened, a deal fact deleted and a touch removed: kept = plain');
insert into analytics.f_deals select * from signals_d5;
select bag_eq('select * from analytics.f_open_deal_signals',
  'select * from pg_temp.signals_plain()',
  'a deal fact written again is kept again');
truncate analytics.f_deal_pushes;
select is((select count(*) from analytics.f_open_deal_signals), 0::bigint,
  'truncating the pushes (the full rebuild) empties them');
rollback to savepoint signals;
-- Open deal health without them (a deal not kept is looked up): the same rows.
create temp table health_kept as select * from analytics.open_deal_health('2026-03-04');
savepoint unkept;
delete from analytics.f_open_deal_signals;
select bag_eq('select * from analytics.open_deal_health(''2026-03-04'')',
  'select * from health_kept', 'open deal health looks up the deals not kept: the same rows');
rollback to savepoint unkept;

-- Past the median and stale at their edges, in the deal's own seconds: D9's stay made exactly
-- 27.5 days (entered 5 Feb 12:00 IST) is not past a median of 27.5 days, and is past one a
-- microsecond shorter; its last change exactly the stage's stale days before the end of as_of
-- is not stale, a microsecond earlier is.
create temp table kept_d9 as select * from analytics.f_stage_entries
  where deal_id = 'D9' and left_at is null;
update analytics.f_stage_entries set entered_at = analytics.day_end('2026-03-04')
    - interval '27 days 12 hours'
  where deal_id = 'D9' and left_at is null;
select results_eq($$select m.v, h.past_median from (values (27.5), (27.49999999999)) m(v)
    cross join lateral (select h.past_median from analytics.open_deal_health('2026-03-04',
      jsonb_build_object('Needs Analysis', m.v)) h where h.deal_id = 'D9') h order by 1$$,
  $$values (27.49999999999, true), (27.5, false)$$,
  'a stay of exactly the median is not past it; a microsecond more is');
delete from analytics.f_stage_entries where deal_id = 'D9' and left_at is null;
insert into analytics.f_stage_entries select * from kept_d9;
create temp table kept_d9_touch as select * from analytics.f_touches
  where (parent_module, parent_id) = ('Deals', 'D9');
delete from analytics.f_touches where (parent_module, parent_id) = ('Deals', 'D9');
insert into analytics.f_touches (parent_module, parent_id, first_at, last_at)
select 'Deals', 'D9', e.at, e.at
from (select analytics.day_end('2026-03-04') - make_interval(days => s.stale_days) as at
  from analytics.stage_settings s where s.stage = 'Needs Analysis') e;
select is((select h.is_stale from analytics.open_deal_health('2026-03-04') h
    where h.deal_id = 'D9'), false, 'no change for exactly the stale days: not stale');
update analytics.f_touches set first_at = first_at - interval '1 microsecond',
    last_at = last_at - interval '1 microsecond'
  where (parent_module, parent_id) = ('Deals', 'D9');
select is((select h.is_stale from analytics.open_deal_health('2026-03-04') h
    where h.deal_id = 'D9'), true, 'no change for a microsecond more than the stale days: stale');
delete from analytics.f_touches where (parent_module, parent_id) = ('Deals', 'D9');
insert into analytics.f_touches select * from kept_d9_touch;

-- Waterfall Q1 (closing 1 Jan – 31 Mar; 1 Jan 00:00 → end of 4 Mar): start D6 1000;
-- new D1 1000, D2 3000, D3 2000, D4 0, D5 5000, D9 2000 = 13000; won D1+D2+D4 = 4000;
-- lost D3 2000; end D5+D6+D9 = 8000 = 1000 + 13000 − 4000 − 2000.
select results_eq($$select step, deals, amount from analytics.pipeline_waterfall('2026-03-04', 'qtd') where deals > 0 order by ord$$,
  $$values ('start', 1::bigint, 1000::numeric), ('new', 6::bigint, 13000::numeric), ('won', 3::bigint, 4000::numeric),
           ('lost', 1::bigint, 2000::numeric), ('end', 3::bigint, 8000::numeric)$$, 'pipeline waterfall');
select is((select sum(case when step in ('start', 'new', 'moved_in', 'changed') then amount
    when step = 'end' then 0 else -amount end) - sum(amount) filter (where step = 'end')
  from analytics.pipeline_waterfall('2026-03-04', 'mtd')), 0::numeric, 'waterfall mtd balances');

-- Lead response mtd: L1 30 min (call at 09:30), L2 3 h (task), L3 untouched → median 1.75 h.
select results_eq($$select leads, touched, untouched, median_hours, within_1h_pct from analytics.lead_response('2026-03-04', 'mtd') where dimension = 'all'$$,
  $$values (3::bigint, 2::bigint, 1::bigint, 1.75::numeric, 50.00::numeric)$$, 'lead response time');
select results_eq($$select key, median_hours from analytics.lead_response('2026-03-04', 'mtd') where dimension = 'owner' order by key$$,
  $$values ('1', 0.50::numeric), ('2', 3.00::numeric)$$, 'lead response by owner');

-- Source ROI t12m: Facebook cost 500 (C1 by its deals), leads L1+L2, won D2 3000 → 250 per lead,
-- 500 per won deal, 6× revenue, ROI 500 %. Website cost 300 (override), lead L5, won D4 at 0.
select results_eq($$select lead_source, cost, leads, won_deals, revenue, cost_per_lead, cost_per_won_deal, revenue_per_cost, roi_pct from analytics.source_roi('2026-03-04', 't12m') where lead_source in ('Facebook', 'Website') order by 1$$,
  $$values ('Facebook', 500::numeric, 2::bigint, 1::bigint, 3000::numeric, 250.00::numeric, 500.00::numeric, 6.0000::numeric, 500.00::numeric),
           ('Website', 300::numeric, 1::bigint, 1::bigint, 0::numeric, 300.00::numeric, 300.00::numeric, 0.0000::numeric, -100.00::numeric)$$,
  'source ROI');

-- Data quality: of 4 open deals, D7 has no amount, D6 no source; unconverted live leads L1, L2,
-- L3, L5: L3 and L5 never touched; created in the last 7 days: L1, L2, L3 → L3 untouched.
select results_eq($$select check_id, count, total from analytics.data_quality('2026-03-04')$$,
  $$values ('open_deals_without_amount', 1::bigint, 4::bigint), ('open_deals_zero_amount', 0::bigint, 4::bigint),
           ('open_deals_without_closing_date', 0::bigint, 4::bigint), ('open_deals_without_owner', 0::bigint, 4::bigint),
           ('open_deals_without_source', 1::bigint, 4::bigint), ('leads_never_touched', 2::bigint, 4::bigint),
           ('recent_leads_untouched', 1::bigint, 3::bigint)$$, 'data quality checks');

-- Periods: previous equal period is capped at the previous period's end.
select results_eq($$select start_day, prev_start, prev_end from analytics.periods('2026-03-31') where period = 'mtd'$$,
  $$values ('2026-03-01'::date, '2026-02-01'::date, '2026-03-01'::date)$$, 'mtd on 31 Mar compares with all of Feb');

-- Snapshot: computing twice gives the same numbers; brief is compact with stable ids. Only the
-- rows of this transaction count (created_at = now()): the shared database keeps real snapshots.
select ok((select octet_length((analytics.compute_snapshot('2026-03-04', null) -> 'brief')::text)) < 4096,
  'brief payload under 4 KB');
select ok((select analytics.compute_snapshot('2026-03-04', null) ->> 'content_hash') =
  (select content_hash from analytics.snapshots where as_of = '2026-03-04' and created_at = now() order by created_at limit 1),
  'same data and as_of → same content hash');
select is((select count(distinct content_hash) from analytics.snapshots where as_of = '2026-03-04' and created_at = now()), 1::bigint,
  'both stored snapshots share one hash');
select results_eq($$select distinct f ->> 'id', f ->> 'value' from analytics.snapshots s, jsonb_array_elements(s.brief -> 'facts') f where s.as_of = '2026-03-04' and s.created_at = now() and f ->> 'id' in ('revenue.qtd', 'win_rate.count', 'coverage.quarter') order by 1$$,
  $$values ('coverage.quarter', '1.33'), ('revenue.qtd', '4000'), ('win_rate.count', '75.00')$$, 'brief facts carry the KPI values');
select throws_ok($$update analytics.snapshots set as_of = as_of$$, '42501', null, 'snapshots are immutable');
select throws_ok($$select analytics.compute_snapshot(null, null)$$, '22004', null, 'as_of is required');
select is((select count(*) from analytics.brief_fact_defs()), (select count(distinct id) from analytics.brief_fact_defs()), 'brief fact ids are unique');
select ok(not has_table_privilege('anon', 'analytics.snapshots', 'select'), 'anon cannot read snapshots');
select ok(has_function_privilege('service_role', 'analytics.compute_snapshot(date, uuid)', 'execute'), 'service_role computes snapshots');
select ok((select bool_and(obj_description(p.oid, 'pg_proc') is not null) from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'analytics'
  and p.proname in ('leads_created', 'win_rate', 'revenue', 'revenue_by_owner', 'revenue_by_month', 'deal_size',
    'sales_velocity', 'pipeline', 'pipeline_coverage', 'cohort_conversion', 'conversion_velocity', 'stage_conversion',
    'open_deal_health', 'deal_risks', 'pipeline_waterfall', 'lead_response', 'source_roi', 'data_quality', 'source_anomalies')),
  'every KPI function states its formula in a comment');

-- A deal with no versions of its own stands as its current record in the waterfall: D5
-- (closing 20 Mar, in the window, new 5000) and D7 stripped of theirs give the same Q1.
delete from analytics.f_deal_versions where deal_id in ('D5', 'D7');
select results_eq($$select step, deals, amount from analytics.pipeline_waterfall('2026-03-04', 'qtd') where deals > 0 order by ord$$,
  $$values ('start', 1::bigint, 1000::numeric), ('new', 6::bigint, 13000::numeric), ('won', 3::bigint, 4000::numeric),
           ('lost', 1::bigint, 2000::numeric), ('end', 3::bigint, 8000::numeric)$$, 'pipeline waterfall: deals without versions');

-- An even count, where the two middle values differ: four won deals of their own source,
-- amounts 100, 200, 300, 1000 and cycles 10, 20, 30, 40 days → medians 250 and 25.
insert into analytics.f_deals (id, created_day, stage, amount, closing_date, lead_source,
  is_won, is_lost, is_closed)
select 'ds-' || i, date '2026-02-01' + i - 10 * i, 'Closed Won', a, date '2026-02-01' + i,
  'ds-Even', true, false, true
from unnest(array[100, 200, 300, 1000]::numeric[], array[1, 2, 3, 4]) x(a, i);
select results_eq($$select won_deals, avg_amount, median_amount, avg_cycle_days, median_cycle_days from analytics.deal_size('2026-03-04', 't12m') where dimension = 'source' and key = 'ds-Even'$$,
  $$values (4::bigint, 400.00::numeric, 250.00::numeric, 25.00::numeric, 25.00::numeric)$$,
  'deal size and cycle of an even count: the mean of the two middle values');

-- The snapshot's statements are planned with as_of's value on every call: a session's sixth call
-- would otherwise switch to a cached generic plan (at 1M leads 696k buffers against 475k).
select ok((select p.proconfig @> array['plan_cache_mode=force_custom_plan'] from pg_proc p
    where p.oid = 'analytics.kpis_json(date)'::regprocedure),
  'kpis_json plans each call with its as_of (no generic plan from the sixth call)');

select * from finish();
rollback;
