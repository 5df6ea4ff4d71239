-- pgTAP: facts kept by the write-time triggers equal a full rebuild after inserts, writer-style
-- upserts, updates, deletions, restores, physical deletes and version purges; and the snapshot
-- computed from them is the one a full rebuild gives.
begin;
select plan(26);

set local zoho.allow_purge = 'on';
delete from zoho.record_versions;
delete from zoho.records;
delete from analytics.campaign_sources;
update analytics.settings set time_zone = 'Asia/Kolkata';
select analytics.refresh_facts();
select ok(exists (select from analytics.facts_built), 'a full rebuild marks the facts ready');

create function pg_temp.lead(id text, created text, source text, owner text,
  conv jsonb default null)
returns jsonb language sql as $$
  select jsonb_build_object('id', id, 'Created_Time', created, 'Modified_Time', created,
    'Lead_Source', source, 'Lead_Status', 'Contacted',
    'Owner', jsonb_build_object('id', owner, 'name', 'User ' || owner),
    '$converted', conv is not null, '$converted_detail', coalesce(conv, '{}'::jsonb))
$$;
create function pg_temp.deal(id text, stage text, amount numeric, closing text, campaign text)
returns jsonb language sql as $$
  select jsonb_build_object('id', id, 'Deal_Name', 'Deal ' || id,
    'Created_Time', '2026-01-10T10:00:00+05:30', 'Modified_Time', '2026-02-10T10:00:00+05:30',
    'Stage', stage, 'Amount', amount, 'Closing_Date', closing, 'Lead_Source', 'Facebook',
    'Owner', jsonb_build_object('id', '1', 'name', 'User 1'),
    'Campaign_Source', jsonb_build_object('id', campaign))
$$;
create function pg_temp.act(id text, parent_module text, parent text, at text)
returns jsonb language sql as $$
  select jsonb_build_object('id', id, '$se_module', parent_module,
    'What_Id', jsonb_build_object('id', parent), 'Created_Time', at, 'Call_Start_Time', at)
$$;
create function pg_temp.ver(id text, v integer, change text, stage text, modified text,
  closing text)
returns void language sql as $$
  insert into zoho.record_versions (module, id, version, change, data, content_hash)
  select 'Deals', id, v, change, d, zoho.content_hash(d)
  from (select jsonb_build_object('id', id, 'Stage', stage, 'Modified_Time', modified,
    'Closing_Date', closing, 'Amount', 1000) d) x
$$;

-- Batch 1: one multi-row insert of every kind of record, and deal versions.
insert into zoho.records (module, id, data, content_hash)
select m, d ->> 'id', d, zoho.content_hash(d) from (values
  ('Leads', pg_temp.lead('L1', '2026-03-02T09:00:00+05:30', 'Facebook', '1')),
  ('Leads', pg_temp.lead('L2', '2026-03-03T10:00:00+05:30', 'Website', '2')),
  ('Leads', pg_temp.lead('L3', '2026-02-03T10:00:00+05:30', 'Referral', '1',
    '{"converted_date_time": "2026-02-04T10:00:00+05:30", "deal": {"id": "D1"}}')),
  ('Deals', pg_temp.deal('D1', 'Qualification', 1000, '2026-03-20', 'C1')),
  ('Deals', pg_temp.deal('D2', 'Closed Won', 2000, '2026-02-20', 'C1')),
  ('Calls', pg_temp.act('A1', 'Leads', 'L1', '2026-03-02T09:30:00+05:30')),
  ('Calls', pg_temp.act('A2', 'Leads', 'L1', '2026-03-02T11:30:00+05:30')),
  ('Calls', pg_temp.act('A3', 'Deals', 'D1', '2026-03-01T11:30:00+05:30')),
  ('Tasks', pg_temp.act('A4', 'Leads', 'L2', '2026-03-03T12:00:00+05:30')),
  ('Campaigns', '{"id": "C1", "Campaign_Name": "FB", "Start_Date": "2026-01-01", "Actual_Cost": 10}')
) v(m, d);
select pg_temp.ver('D1', 1, 'insert', 'Qualification', '2026-01-10T10:00:00+05:30', '2026-03-10');
select pg_temp.ver('D2', 1, 'insert', 'Qualification', '2026-01-10T10:00:00+05:30', '2026-02-10');
insert into zoho.record_versions (module, id, version, change, data, content_hash)
select 'Deals', 'D2', v, 'update', d, zoho.content_hash(d)
from (values (2, '{"id": "D2", "Stage": "Negotiation/Review", "Modified_Time": "2026-02-01T10:00:00+05:30", "Closing_Date": "2026-02-15"}'::jsonb),
  (3, '{"id": "D2", "Stage": "Closed Won", "Modified_Time": "2026-02-10T10:00:00+05:30", "Closing_Date": "2026-02-20"}'::jsonb)) x(v, d);

select is((select count(*) from analytics.f_leads), 3::bigint, 'inserted leads have facts at once');
select is((select count(*) from analytics.f_deal_versions where valid_to is not null), 2::bigint,
  'versions inserted in separate statements are linked (valid_to)');
select is((select count(*) from analytics.f_touches_dirty), 4::bigint,
  'activity inserts mark their parents for the next catch-up');

-- Batch 2: the sync writer's upsert (one new lead, one changed lead, one unchanged lead).
insert into zoho.records as r (module, id, data, content_hash)
select 'Leads', d ->> 'id', d, zoho.content_hash(d) from (values
  (pg_temp.lead('L4', '2026-03-04T23:30:00+05:30', 'Google Ads', '2')),
  (pg_temp.lead('L2', '2026-03-03T10:00:00+05:30', 'Referral', '2')),
  (pg_temp.lead('L1', '2026-03-02T09:00:00+05:30', 'Facebook', '1'))
) v(d)
on conflict (module, id) do update set data = excluded.data,
  content_hash = excluded.content_hash, version = r.version + 1
where r.content_hash <> excluded.content_hash;
select is((select lead_source from analytics.f_leads where id = 'L2'), 'Referral',
  'an upserted change reaches the lead fact');
update zoho.records set last_synced_at = now() + interval '1 hour' where module = 'Leads';
select is((select count(*) from analytics.f_leads), 4::bigint,
  'last_synced_at-only updates keep the facts as they are');

-- Batch 3: deletions, a restore, a moved and a deleted activity, a physical delete.
update zoho.records set deleted_at = '2026-03-03T00:00:00Z', deleted_type = 'recycle'
where (module, id) in (('Leads', 'L3'), ('Deals', 'D2'), ('Calls', 'A2'));
update zoho.records set deleted_at = null, deleted_type = null
where module = 'Deals' and id = 'D2';
update zoho.records set data = pg_temp.act('A1', 'Leads', 'L2', '2026-03-03T09:00:00+05:30'),
  content_hash = zoho.content_hash(pg_temp.act('A1', 'Leads', 'L2', '2026-03-03T09:00:00+05:30'))
where module = 'Calls' and id = 'A1';
delete from zoho.records where module = 'Tasks' and id = 'A4';
delete from zoho.records where module = 'Leads' and id = 'L4';
select is((select deleted_at from analytics.f_leads where id = 'L3'),
  '2026-03-03T00:00:00Z'::timestamptz, 'a deletion reaches the lead fact');
select ok((select deleted_at is null from analytics.f_deals where id = 'D2'),
  'a restore reaches the deal fact');
select is((select count(*) from analytics.f_activities), 2::bigint,
  'deleted and removed activities leave f_activities');

-- Batch 4: a new version for D1, and a purged version of D2 (maintenance).
select pg_temp.ver('D1', 2, 'update', 'Needs Analysis', '2026-02-01T10:00:00+05:30', '2026-03-20');
delete from zoho.record_versions where module = 'Deals' and id = 'D2' and version = 2;
select is((select previous_stage from analytics.f_deal_versions where deal_id = 'D2'
  and version = 3), 'Qualification', 'a purged version relinks its neighbours');

-- The snapshot catches up, then everything is compared with a full rebuild.
select analytics.compute_snapshot('2026-03-04') ->> 'content_hash' as h \gset inc_
select is((select count(*) from analytics.f_touches_dirty), 0::bigint,
  'a snapshot consumes the dirty parents');
create temp table inc_leads as select * from analytics.f_leads;
create temp table inc_deals as select * from analytics.f_deals;
create temp table inc_touches as select * from analytics.f_touches;
create temp table inc_versions as select * from analytics.f_deal_versions;
create temp table inc_stage_entries as select * from analytics.f_stage_entries;
create temp table inc_campaigns as select * from analytics.f_campaigns;
create temp table inc_pushes as select * from analytics.f_deal_pushes;
create temp table inc_forecast_obs as select * from analytics.f_forecast_obs;
create temp table inc_signals as select * from analytics.f_open_deal_signals;
create temp table inc_stage_rates as select * from analytics.f_stage_rate_deals;
-- The rollups kept across the lead and deal facts, as their readers sum them.
create temp table inc_kept as
select 'cohorts' as r, row(c.cohort_month, c.lead_source, c.measure, c.day)::text as k, sum(c.n) as n
from (select * from analytics.r_cohorts_folded union all select * from analytics.r_cohorts_log) c
group by 1, 2 having sum(c.n) <> 0
union all
select 'open_deals', row(o.dimension, o.key, o.owner_name, o.deleted_at)::text,
  sum(o.deals) from analytics.r_open_deals o group by 1, 2 having sum(o.deals) <> 0
union all
select 'deal_amounts', a.bucket::text, sum(a.deals) from analytics.r_deal_amounts a
group by 1, 2 having sum(a.deals) <> 0
union all
select 'dashboard_daily', row(d.day, d.kind, d.lead_source, d.owner_id, d.owner_name, d.band,
  d.created_late, d.deleted_at, sum(d.amount))::text, sum(d.n)
from analytics.r_dashboard_daily d group by 1, d.day, d.kind, d.lead_source, d.owner_id,
  d.owner_name, d.band, d.created_late, d.deleted_at having sum(d.n) <> 0;
select analytics.refresh_facts();
select bag_eq('select * from inc_leads', 'select * from analytics.f_leads',
  'f_leads: incremental = full rebuild');
select bag_eq('select * from inc_deals', 'select * from analytics.f_deals',
  'f_deals: incremental = full rebuild');
select bag_eq('select * from inc_touches', 'select * from analytics.f_touches',
  'f_touches: incremental = full rebuild');
select bag_eq('select * from inc_versions', 'select * from analytics.f_deal_versions',
  'f_deal_versions: incremental = full rebuild');
select bag_eq('select * from inc_stage_entries', 'select * from analytics.f_stage_entries',
  'f_stage_entries: incremental = full rebuild');
select bag_eq('select * from inc_campaigns', 'select * from analytics.f_campaigns',
  'f_campaigns: incremental = full rebuild');
select bag_eq('select * from inc_pushes', 'select * from analytics.f_deal_pushes',
  'f_deal_pushes: incremental = full rebuild');
select bag_eq('select * from inc_signals', 'select * from analytics.f_open_deal_signals',
  'f_open_deal_signals: incremental = full rebuild');
select bag_eq('select * from inc_stage_rates', 'select * from analytics.f_stage_rate_deals',
  'f_stage_rate_deals: incremental = full rebuild');
select ok((select count(*) filter (where last_touch_at is not null) > 0 from inc_signals),
  'an open deal''s touch is kept');
select ok((select count(*) > 0 from inc_forecast_obs),
  'the forecast observes the deals'' open stays every Monday');
select bag_eq('select * from inc_forecast_obs', 'select * from analytics.f_forecast_obs',
  'f_forecast_obs: incremental = full rebuild');
select set_eq('select * from inc_kept', $$
  select 'cohorts' as r, row(c.cohort_month, c.lead_source, c.measure, c.day)::text as k,
    sum(c.n) as n
  from (select * from analytics.r_cohorts_folded union all select * from analytics.r_cohorts_log) c
  group by 1, 2 having sum(c.n) <> 0
  union all
  select 'open_deals', row(o.dimension, o.key, o.owner_name, o.deleted_at)::text,
    sum(o.deals) from analytics.r_open_deals o group by 1, 2 having sum(o.deals) <> 0
  union all
  select 'deal_amounts', a.bucket::text, sum(a.deals) from analytics.r_deal_amounts a
  group by 1, 2 having sum(a.deals) <> 0
  union all
  select 'dashboard_daily', row(d.day, d.kind, d.lead_source, d.owner_id, d.owner_name, d.band,
    d.created_late, d.deleted_at, sum(d.amount))::text, sum(d.n)
  from analytics.r_dashboard_daily d group by 1, d.day, d.kind, d.lead_source, d.owner_id,
    d.owner_name, d.band, d.created_late, d.deleted_at having sum(d.n) <> 0 $$,
  'cohort events, open deals, amount buckets and the dashboard''s days: incremental = full '
  || 'rebuild');
select is(analytics.compute_snapshot('2026-03-04') ->> 'content_hash', :'inc_h',
  'the snapshot from incremental facts equals the one after a full rebuild');

-- Settings the facts bake in invalidate them; the next snapshot rebuilds.
update analytics.settings set time_zone = 'UTC';
select ok(not exists (select from analytics.facts_built),
  'changing the time zone marks the facts for a full rebuild');

select * from finish();
rollback;
