-- pgTAP: brief.driver_facts keeps the top movers per source (by impact), computes pipeline
-- created and won revenue per source month to date vs the same days of last month, leaves
-- nulls out and owners without targets out; expected values are worked out in comments.
begin;
select plan(12);

delete from analytics.f_deals;
delete from analytics.f_stage_entries;

-- as_of Wed 2026-03-04: mtd = 1..4 Mar, previous = 1..4 Feb (analytics.periods).
-- d1 Facebook created 2 Mar, 1000, won 3 Mar     → pipeline cur, won cur
-- d2 Facebook created 3 Feb,  400, won 4 Feb     → pipeline prev, won prev
-- d3 Website  created 1 Mar,   50, lost 2 Mar    → pipeline cur only
-- d4 Referral created 10 Feb, 700, won 4 Mar     → won cur only (created outside both windows)
insert into analytics.f_deals (id, created_at, created_day, owner_id, owner_name, stage, amount,
  closing_date, lead_source, is_won, is_lost, is_closed)
values
  ('d1', '2026-03-02', '2026-03-02', 'u1', 'Priya', 'Closed Won', 1000, '2026-03-03', 'Facebook', true, false, true),
  ('d2', '2026-02-03', '2026-02-03', 'u1', 'Priya', 'Closed Won', 400, '2026-02-04', 'Facebook', true, false, true),
  ('d3', '2026-03-01', '2026-03-01', 'u2', 'Tom', 'Closed Lost', 50, '2026-03-02', 'Website', false, true, true),
  ('d4', '2026-02-10', '2026-02-10', 'u2', 'Tom', 'Closed Won', 700, '2026-03-04', 'Referral', true, false, true);

create temp table k as select $${
  "leads_created": {
    "wtd": [
      {"dimension": "all", "key": null, "leads": 10, "prev_leads": 12, "growth_pct": -16.67},
      {"dimension": "source", "key": "A", "leads": 5, "prev_leads": 1, "growth_pct": 400.00},
      {"dimension": "source", "key": "B", "leads": 2, "prev_leads": 8, "growth_pct": -75.00},
      {"dimension": "source", "key": "C", "leads": 3, "prev_leads": 3, "growth_pct": 0.00},
      {"dimension": "source", "key": "D", "leads": 0, "prev_leads": 0, "growth_pct": null}
    ],
    "mtd": []
  },
  "cohort_conversion": [
    {"dimension": "all", "key": null, "cohort_month": "2026-01-01", "incomplete": false, "leads": 120, "lead_to_deal_pct": 9, "lead_to_won_pct": 3},
    {"dimension": "all", "key": null, "cohort_month": "2026-02-01", "incomplete": true, "leads": 90, "lead_to_deal_pct": 1, "lead_to_won_pct": 0},
    {"dimension": "source", "key": "Facebook", "cohort_month": "2026-01-01", "incomplete": false, "leads": 100, "lead_to_deal_pct": 10, "lead_to_won_pct": 4},
    {"dimension": "source", "key": "Facebook", "cohort_month": "2025-12-01", "incomplete": false, "leads": 90, "lead_to_deal_pct": 20, "lead_to_won_pct": 4},
    {"dimension": "source", "key": "Website", "cohort_month": "2026-01-01", "incomplete": false, "leads": 10, "lead_to_deal_pct": 5, "lead_to_won_pct": 1},
    {"dimension": "source", "key": "Website", "cohort_month": "2025-12-01", "incomplete": false, "leads": 12, "lead_to_deal_pct": 4, "lead_to_won_pct": 2},
    {"dimension": "source", "key": "Referral", "cohort_month": "2026-01-01", "incomplete": false, "leads": 50, "lead_to_deal_pct": 7, "lead_to_won_pct": 2},
    {"dimension": "source", "key": "Referral", "cohort_month": "2025-12-01", "incomplete": false, "leads": 40, "lead_to_deal_pct": 7, "lead_to_won_pct": 2}
  ],
  "conversion_velocity": [
    {"month": "2026-03-01", "dimension": "source", "key": "Facebook", "conversions": 5, "median_days": 12, "prev_median_days": 10, "trend_days": 2},
    {"month": "2026-03-01", "dimension": "source", "key": "Website", "conversions": 20, "median_days": 8, "prev_median_days": 9, "trend_days": -1},
    {"month": "2026-02-01", "dimension": "source", "key": "Partner", "conversions": 99, "median_days": 30, "prev_median_days": 3, "trend_days": 27}
  ],
  "revenue_by_owner": [
    {"owner_id": "u1", "label": "Priya", "revenue": 500, "target": 1000, "attainment_pct": 50.00},
    {"owner_id": "u2", "label": "Tom", "revenue": 700, "target": null, "attainment_pct": null}
  ],
  "stage_conversion": []
}$$::jsonb as kpis;

create temp table f as
select x.fact, x.n from k, jsonb_array_elements(brief.driver_facts('2026-03-04', k.kpis))
  with ordinality x(fact, n);

select is(brief.slug('Google Ads!'), 'google_ads', 'slug: lower case, runs of others as _');
select is(brief.slug(null), 'none', 'slug of null');

-- Leads wtd: |5-1| = 4 (A), |2-8| = 6 (B), C unchanged 0, D empty: top 2 are B, A.
select is(array(select fact ->> 'id' from f where fact ->> 'id' like '%.leads.wtd' order by n),
  array['source.b.leads.wtd', 'source.a.leads.wtd'], 'lead movers by impact, top 2');
select is((select fact from f where fact ->> 'id' = 'source.b.leads.wtd'),
  '{"id": "source.b.leads.wtd", "label": "B", "value": 2, "unit": "count", "period": "wtd",
    "prev": 8, "change_pct": -75.00}'::jsonb, 'a lead mover fact');

-- Lead to deal, latest complete cohort Jan vs Dec: Facebook 10 vs 20 (100 leads → 1,000),
-- Website 5 vs 4 (10 leads → 10), Referral unchanged (left out).
select is(array(select fact ->> 'id' from f where fact ->> 'id' like '%.lead_to_deal' order by n),
  array['source.facebook.lead_to_deal', 'source.website.lead_to_deal'], 'conversion movers');
select is((select (fact ->> 'change_pts')::numeric from f
  where fact ->> 'id' = 'source.facebook.lead_to_deal'), -10::numeric, 'change in points');

-- Velocity, latest month only: Website |−1| × 20 = 20 before Facebook 2 × 5 = 10; Partner is
-- from an older month.
select is(array(select fact ->> 'id' from f where fact ->> 'id' like '%.conversion_days' order by n),
  array['source.website.conversion_days', 'source.facebook.conversion_days'], 'velocity movers');

-- Pipeline created mtd: Facebook 1000 vs 400 (+150%), Website 50 vs 0; Referral 0 vs 0 left out.
select is(array(select fact ->> 'id' from f where fact ->> 'id' like '%.pipeline_created.mtd' order by n),
  array['source.facebook.pipeline_created.mtd', 'source.website.pipeline_created.mtd'],
  'pipeline created movers');
select is((select fact from f where fact ->> 'id' = 'source.facebook.pipeline_created.mtd'),
  '{"id": "source.facebook.pipeline_created.mtd", "label": "Facebook", "value": 1000,
    "unit": "currency", "period": "mtd", "prev": 400, "change_pct": 150.00}'::jsonb,
  'pipeline created: this month vs the same days of last month');

-- Won revenue mtd: Referral 700 vs 0 (no change_pct: division by 0 is null, left out),
-- Facebook 1000 vs 400; Website's deal was lost.
select is((select jsonb_agg(fact order by n) from f where fact ->> 'id' like '%.won_revenue.mtd'),
  '[{"id": "source.referral.won_revenue.mtd", "label": "Referral", "value": 700,
     "unit": "currency", "period": "mtd", "prev": 0},
    {"id": "source.facebook.won_revenue.mtd", "label": "Facebook", "value": 1000,
     "unit": "currency", "period": "mtd", "prev": 400, "change_pct": 150.00}]'::jsonb,
  'won revenue movers, nulls left out');

-- Owners: only those with a target.
select is(array(select fact ->> 'id' from f where fact ->> 'id' like 'owner.%'),
  array['owner.priya.attainment'], 'owners with targets only');

-- Every deal is closed: no deal at risk.
select is((select count(*) from f where fact ->> 'id' like 'deal.%'), 0::bigint,
  'no open deal, no deal at risk');

select * from finish();
rollback;
