-- pgTAP: the "why", comparison, "what should I do" and red-flag questions, and the revenue, deal
-- size, conversion and risk questions of one source, owner or stage, on the hand-made company of
-- analytics_kpis.sql: each agrees with the KPI the plain question answers (one definition).
begin;
select plan(22);

\ir ../fixtures/company.psql

-- Revenue drivers: the 'all' row is ask.revenue's figure, and within a dimension the parts add
-- up to the total change, for every period.
select is((select count(*) from unnest(array['today', 'this_week', 'this_month', 'last_month',
    'this_quarter', 'last_quarter', 'this_year']) p
  join lateral ask.revenue('2026-03-04', p) r on true
  join lateral ask.why_revenue('2026-03-04', p) w on w.dimension = 'all'
  where w.current = r.revenue and w.previous = r.prev_revenue and w.current_deals = r.won_deals),
  7::bigint, 'why_revenue all = ask.revenue (revenue, previous, won deals) in every period');
select is((select count(*) from unnest(array['this_month', 'this_quarter', 'last_quarter']) p,
    unnest(array['source', 'owner']) d
  where (select coalesce(sum(change), 0) from ask.why_revenue('2026-03-04', p) where dimension = d)
    = (select change from ask.why_revenue('2026-03-04', p) where dimension = 'all')),
  6::bigint, 'revenue changes by source and by owner add up to the total change');
select is((select count(*) from ask.why_revenue('2026-03-04', 'this_quarter') w
  where w.dimension <> 'all' and w.share_pct is not null and sign(w.change) <> sign(
    (select change from ask.why_revenue('2026-03-04', 'this_quarter') where dimension = 'all'))),
  0::bigint, 'a share of the change is given only to parts moving with it');
select ok((select bool_and(x.o = x.rn) from (
    select row_number() over (order by dimension <> 'all', abs(change) desc) as o,
      row_number() over () as rn
    from ask.why_revenue('2026-03-04', 'this_quarter') w) x), 'largest moves first');

-- Revenue of one source or owner: the same figure as revenue by source / the leaderboard.
select is((select revenue from ask.revenue('2026-03-04', 'this_quarter', 'Facebook')),
  coalesce((select revenue from ask.revenue_by_source('2026-03-04', 'this_quarter')
    where lead_source = 'Facebook'), 0), 'revenue from one source = revenue by source');
select is((select sum(revenue) from ask.owner_leaderboard('2026-03-04', 'this_quarter', 50)),
  (select sum(r.revenue) from (select distinct owner from ask.owner_leaderboard('2026-03-04',
    'this_quarter', 50)) o, ask.revenue('2026-03-04', 'this_quarter', null, o.owner) r),
  'revenue of each owner = the leaderboard');
select is((select target from ask.revenue('2026-03-04', 'this_quarter', 'Facebook')), null,
  'a source has no company target');

-- Leads drivers: the 'all' row is analytics.leads_created's, and the parts add up.
select results_eq($$select current::bigint, previous::bigint from ask.why_leads('2026-03-04', 'this_month')
  where dimension = 'all'$$,
  $$select leads, prev_leads from analytics.leads_created('2026-03-04', 'mtd') where dimension = 'all'$$,
  'why_leads all = leads created, this month vs the same days before');
select is((select sum(change) from ask.why_leads('2026-03-04', 'this_quarter')
  where dimension = 'source'), (select change from ask.why_leads('2026-03-04', 'this_quarter')
  where dimension = 'all'), 'lead changes by source add up');
select is((select count(*) from ask.why_leads('2026-03-04', 'this_month') where dimension = 'status'),
  0::bigint, 'the status split is no driver');

-- Pipeline drivers: start + the signed steps = end, as the waterfall says.
select is((select min(start_amount) + sum(change) from ask.why_pipeline('2026-03-04', 'this_quarter')),
  (select min(end_amount) from ask.why_pipeline('2026-03-04', 'this_quarter')),
  'start + contributions = end');
select is((select min(net_change) from ask.why_pipeline('2026-03-04', 'this_quarter')),
  (select e.amount - s.amount from ask.pipeline_change('2026-03-04', 'this_quarter') s,
    ask.pipeline_change('2026-03-04', 'this_quarter') e where s.step = 'start' and e.step = 'end'),
  'net change = end − start of the pipeline movement');
select ok((select bool_and(change < 0) from ask.why_pipeline('2026-03-04', 'this_quarter')
  where step in ('won', 'lost', 'moved_out', 'removed')), 'exits take from the pipeline');

-- Period vs period: each figure is the plain question's.
select results_eq($$select current, previous from ask.compare('2026-03-04', 'this_quarter')
  where metric = 'revenue'$$,
  $$select revenue, prev_revenue from ask.revenue('2026-03-04', 'this_quarter')$$,
  'compare: revenue = ask.revenue');
select results_eq($$select current::bigint, previous::bigint from ask.compare('2026-03-04', 'this_month')
  where metric = 'new_deals'$$,
  $$select deals, prev_deals from ask.new_deals('2026-03-04', 'this_month')$$,
  'compare: new deals = ask.new_deals');
select results_eq($$select start_day, end_day, prev_start_day, prev_end_day from ask.compare('2026-03-04', 'last_month') limit 1$$,
  $$values ('2026-02-01'::date, '2026-02-28'::date, '2026-01-01'::date, '2026-01-28'::date)$$,
  'last month against the same 28 days of January');

-- Deal size of one owner; stale deals of one stage are a subset.
select is((select won_deals from ask.deal_size('2026-03-04', 'last_12_months', 'Facebook')),
  (select won_deals from analytics.deal_size('2026-03-04', 't12m') where dimension = 'source'
    and key = 'Facebook'), 'deal size of one source = analytics.deal_size''s split');
select is((select sum(d.deals)::bigint from (select distinct stage from analytics.f_deals) s,
    ask.deal_risk('2026-03-04', 'stale', null, s.stage) d),
  (select deals from ask.deal_risk('2026-03-04', 'stale')), 'stale deals by stage add up');

-- Red flags: the risk lists as their own questions give them; anomalies only company-wide.
select results_eq($$select items, amount from ask.red_flags('2026-03-04') where kind = 'stale'$$,
  $$select deals, amount from ask.deal_risk('2026-03-04', 'stale')$$, 'red flags: stale = deal_risk');
select is((select count(*) from ask.red_flags('2026-03-04', 'Asha Rao') where kind = 'anomaly'),
  0::bigint, 'an owner''s red flags leave out the company-wide anomalies');

-- What should I do: nothing before a brief, then the latest brief's gap, action, next two.
-- (The database may hold other tests' briefs: the first check looks before any snapshot, and the
-- brief written here is the newest of its as_of.)
select is((select count(*) from ask.next_actions('1999-12-31')), 0::bigint,
  'no brief as of a day before any snapshot, no actions');
create temp table written_snapshot as select analytics.compute_snapshot('2026-03-04') as s;
insert into brief.briefs (snapshot_id, run_id, model, content, pulse, pulse_variables, attempts)
select id, gen_random_uuid(), 'rules', '{"headline": {"text": "H", "facts": []}, "critical_gap": {"text": "Gap",
  "facts": []}, "immediate_action": {"text": "Act", "facts": []}, "insights": [{"text": "One",
  "facts": []}, {"text": "Two", "facts": []}, {"text": "Three", "facts": []}]}', 'p', '{}', 1
from analytics.snapshots where as_of = '2026-03-04' order by created_at desc limit 1;
select results_eq($$select critical_gap, immediate_action, next_steps from ask.next_actions('2026-03-04')$$,
  $$values ('Gap', 'Act', array['One', 'Two'])$$, 'the brief''s gap, action and first two insights');

select * from finish();
rollback;
