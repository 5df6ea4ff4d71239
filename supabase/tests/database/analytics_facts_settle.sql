-- pgTAP: analytics.settle_facts(), what every sync slice runs where its writes end: it brings the
-- touches of changed parents (and their leads' first touch) and the campaign facts to what a full
-- rebuild gives, rebuilds the campaign facts only when a write marked them, folds the rollups'
-- log, and leaves everything but the fold to the next rebuild while the facts are unbuilt.
begin;
select plan(13);

set local zoho.allow_purge = 'on';
delete from zoho.record_versions;
delete from zoho.records;
delete from analytics.campaign_sources;
select analytics.refresh_facts();

create function pg_temp.rec(m text, d jsonb) returns void language sql as $$
  insert into zoho.records as r (module, id, data, content_hash)
  values (m, d ->> 'id', d, zoho.content_hash(d))
  on conflict (module, id) do update set data = excluded.data,
    content_hash = excluded.content_hash, version = r.version + 1
  where r.content_hash <> excluded.content_hash
$$;
create function pg_temp.lead(id text, created text) returns jsonb language sql as $$
  select jsonb_build_object('id', id, 'Created_Time', created, 'Modified_Time', created,
    'Lead_Source', 'Web', 'Owner', jsonb_build_object('id', '1', 'name', 'User 1'))
$$;
create function pg_temp.deal(id text, source text, campaign text) returns jsonb
language sql as $$
  select jsonb_build_object('id', id, 'Deal_Name', 'Deal ' || id,
    'Created_Time', '2026-01-10T10:00:00Z', 'Modified_Time', '2026-02-10T10:00:00Z',
    'Stage', 'Qualification', 'Amount', 100, 'Lead_Source', source,
    'Owner', jsonb_build_object('id', '1', 'name', 'User 1'),
    'Campaign_Source', jsonb_build_object('id', campaign))
$$;
create function pg_temp.call(id text, lead text, at text) returns jsonb language sql as $$
  select jsonb_build_object('id', id, '$se_module', 'Leads',
    'What_Id', jsonb_build_object('id', lead), 'Created_Time', at, 'Call_Start_Time', at)
$$;
-- What a full rebuild makes of the touches, first touches and campaign facts, in this
-- transaction (a savepoint keeps the incremental state).
create function pg_temp.rebuilt_equal() returns boolean language plpgsql as $$
declare ok boolean;
begin
  create temp table inc_t on commit drop as select * from analytics.f_touches;
  create temp table inc_l on commit drop as select id, first_touch_at from analytics.f_leads;
  create temp table inc_c on commit drop as select * from analytics.f_campaigns;
  begin
    perform analytics.refresh_facts();
    ok := not exists ((select * from inc_t except all select * from analytics.f_touches)
      union all (select * from analytics.f_touches except all select * from inc_t))
      and not exists ((select * from inc_l except all select id, first_touch_at from analytics.f_leads)
      union all (select id, first_touch_at from analytics.f_leads except all select * from inc_l))
      and not exists ((select * from inc_c except all select * from analytics.f_campaigns)
      union all (select * from analytics.f_campaigns except all select * from inc_c));
    raise exception using errcode = 'P0001', message = 'undo' ;
  exception when sqlstate 'P0001' then null;
  end;
  drop table inc_t, inc_l, inc_c;
  return ok;
end
$$;

-- A day's writes: leads, a campaign, deals naming it, calls on the leads.
select pg_temp.rec('Leads', pg_temp.lead('L1', '2026-03-02T09:00:00Z'));
select pg_temp.rec('Leads', pg_temp.lead('L2', '2026-03-02T10:00:00Z'));
select pg_temp.rec('Campaigns', '{"id": "C1", "Campaign_Name": "Spring", "Actual_Cost": 10}');
select pg_temp.rec('Deals', pg_temp.deal('D1', 'Facebook', 'C1'));
select pg_temp.rec('Deals', pg_temp.deal('D2', 'Facebook', 'C1'));
select pg_temp.rec('Deals', pg_temp.deal('D3', 'Google Ads', 'C1'));
select pg_temp.rec('Calls', pg_temp.call('A1', 'L1', '2026-03-02T11:00:00Z'));
select pg_temp.rec('Calls', pg_temp.call('A2', 'L1', '2026-03-02T10:00:00Z'));
select pg_temp.rec('Calls', pg_temp.call('A3', 'L2', '2026-03-03T10:00:00Z'));
select ok((select count(*) from analytics.f_touches_dirty) > 0
  and exists (select from analytics.f_campaigns_dirty)
  and (select first_touch_at from analytics.f_leads where id = 'L1') is null,
  'the writes leave touches and campaign facts for later');

select analytics.settle_facts();
select is((select first_touch_at from analytics.f_leads where id = 'L1'),
  '2026-03-02T10:00:00Z'::timestamptz, 'settling gives a lead its first touch');
select is((select lead_source from analytics.f_campaigns where id = 'C1'), 'Facebook',
  'settling rebuilds the campaign facts the writes marked (the main source of its deals)');
select ok(not exists (select from analytics.f_touches_dirty)
  and not exists (select from analytics.f_campaigns_dirty)
  and not exists (select from analytics.r_leads_log),
  'settling consumes the dirty parents and the campaign mark and folds the rollups'' log');
select ok(pg_temp.rebuilt_equal(), 'settled touches, first touches and campaigns = a full rebuild');

-- A lead-only write marks no campaign: the campaign facts are left as they are.
update analytics.f_campaigns set name = 'kept' where id = 'C1';
select pg_temp.rec('Leads', pg_temp.lead('L3', '2026-03-03T09:00:00Z'));
select analytics.settle_facts();
select is((select name from analytics.f_campaigns where id = 'C1'), 'kept',
  'a write of leads only leaves the campaign facts unrebuilt');
update analytics.f_campaigns set name = 'Spring' where id = 'C1';

-- Deals moving to another source, a moved call, the admin's override: each reaches the facts.
select pg_temp.rec('Deals', pg_temp.deal('D1', 'Google Ads', 'C1'));
select pg_temp.rec('Deals', pg_temp.deal('D4', 'Google Ads', 'C1'));
select pg_temp.rec('Calls', pg_temp.call('A2', 'L2', '2026-03-02T12:00:00Z'));
select analytics.settle_facts();
select is((select lead_source from analytics.f_campaigns where id = 'C1'), 'Google Ads',
  'a deal''s new source reaches the campaign facts at the next settle');
select is((select first_touch_at from analytics.f_leads where id = 'L1'),
  '2026-03-02T11:00:00Z'::timestamptz, 'a call moved away gives its lead its next first touch');
insert into analytics.campaign_sources values ('C1', 'Referral');
select analytics.settle_facts();
select is((select lead_source from analytics.f_campaigns where id = 'C1'), 'Referral',
  'an admin''s campaign source override reaches the facts at the next settle');
select pg_temp.rec('Campaigns', '{"id": "C1", "Campaign_Name": "Summer", "Actual_Cost": 10}');
select analytics.settle_facts();
select is((select name from analytics.f_campaigns where id = 'C1'), 'Summer',
  'a changed campaign record reaches the facts at the next settle');
select ok(pg_temp.rebuilt_equal(), 'after every change: settled facts = a full rebuild');

-- Unbuilt facts: settling folds the log but rebuilds nothing (the next snapshot does).
delete from analytics.facts_built;
select pg_temp.rec('Leads', pg_temp.lead('L4', '2026-03-04T09:00:00Z'));
select analytics.settle_facts();
select ok(not exists (select from analytics.facts_built),
  'settling unbuilt facts leaves the full rebuild to the next snapshot');
select analytics.catch_up_facts();
select ok(exists (select from analytics.facts_built) and exists (select from analytics.f_leads
  where id = 'L4'), 'the snapshot''s catch-up rebuilds them');

select * from finish();
rollback;
