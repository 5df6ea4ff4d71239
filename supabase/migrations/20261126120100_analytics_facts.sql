-- Analytics fact tables: the typed crm views (and deal versions) read once per snapshot into narrow tables every KPI reads.
-- Why tables: every `data ->> 'Field'` re-reads the JSONB, so KPIs straight over crm.* would scan
-- the raw store once per KPI. analytics.refresh_facts() reads each module once, cuts local days
-- in the company time zone, and every KPI function reads these narrow tables instead. They are
-- derived data (unlogged, rebuilt by every snapshot), never a source of truth.

create unlogged table analytics.f_leads (
  id text primary key,
  created_at timestamptz,
  created_day date,
  owner_id text,
  owner_name text,
  lead_source text,
  lead_status text,
  converted boolean not null,
  converted_at timestamptz,
  converted_day date,
  converted_deal_id text,
  deleted_at timestamptz
);

create unlogged table analytics.f_deals (
  id text primary key,
  created_at timestamptz,
  created_day date,
  modified_at timestamptz,
  owner_id text,
  owner_name text,
  stage text,
  amount numeric,
  -- The deal's own Probability (Zoho fills it per stage), else analytics.stage_settings.
  probability numeric,
  closing_date date,
  lead_source text,
  campaign_id text,
  is_won boolean not null,
  is_lost boolean not null,
  is_closed boolean not null,
  deleted_at timestamptz
);

-- First and last call/task/event per parent record (Leads, Deals, ...). A touch happens at
-- Call_Start_Time / Start_DateTime for calls and events, at Created_Time for tasks (a task's
-- Due_Date is a plan, not a touch).
create unlogged table analytics.f_touches (
  parent_module text not null,
  parent_id text not null,
  first_at timestamptz not null,
  last_at timestamptz not null,
  primary key (parent_module, parent_id)
);

-- Every kept version of every deal with the interval it was current:
-- [valid_from, valid_to), valid_from = Modified_Time of the version (observed_at for deletions).
create unlogged table analytics.f_deal_versions (
  deal_id text not null,
  version integer not null,
  change text not null,
  valid_from timestamptz not null,
  valid_to timestamptz,
  stage text,
  amount numeric,
  closing_date date,
  previous_stage text,
  previous_closing_date date,
  primary key (deal_id, version)
);

create unlogged table analytics.f_campaigns (
  id text primary key,
  name text,
  lead_source text,
  start_date date,
  end_date date,
  budgeted_cost numeric,
  actual_cost numeric,
  deleted_at timestamptz
);

-- The company time zone of periods.
create function analytics.time_zone() returns text
language sql stable
as $$ select coalesce((select time_zone from analytics.settings), 'UTC') $$;

-- Rebuilds every fact table from crm.* (one read of each module) and zoho.record_versions.
-- One refresh at a time (transaction advisory lock); callers run it in their transaction.
create function analytics.refresh_facts() returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  tz text := analytics.time_zone();
begin
  perform pg_advisory_xact_lock(hashtext('analytics.refresh_facts'));
  truncate analytics.f_leads, analytics.f_deals, analytics.f_touches,
    analytics.f_deal_versions, analytics.f_campaigns;

  -- Leads and deals are read with jsonb_to_record over zoho.records, the same JSON paths as
  -- crm.leads / crm.deals: each `data ->> 'Field'` of the views decompresses the whole record
  -- again (Zoho records are ~4 KB, stored compressed), which made one read of the 1M-lead demo
  -- 50 s instead of 12 s. analytics_facts.sql (pgTAP) checks both give the same rows.
  insert into analytics.f_leads
  select r.id, crm.ts(x."Created_Time"), (crm.ts(x."Created_Time") at time zone tz)::date,
    x."Owner" ->> 'id', x."Owner" ->> 'name',
    nullif(nullif(x."Lead_Source", ''), '-None-'), nullif(nullif(x."Lead_Status", ''), '-None-'),
    coalesce(x."$converted", false), crm.ts(x."$converted_detail" ->> 'converted_date_time'),
    (crm.ts(x."$converted_detail" ->> 'converted_date_time') at time zone tz)::date,
    x."$converted_detail" -> 'deal' ->> 'id', r.deleted_at
  from zoho.records r,
    jsonb_to_record(r.data) as x("Created_Time" text, "Owner" jsonb, "Lead_Source" text,
      "Lead_Status" text, "$converted" boolean, "$converted_detail" jsonb)
  where r.module = 'Leads';

  insert into analytics.f_deals
  select r.id, crm.ts(x."Created_Time"), (crm.ts(x."Created_Time") at time zone tz)::date,
    crm.ts(x."Modified_Time"), x."Owner" ->> 'id', x."Owner" ->> 'name', x."Stage",
    crm.num(x."Amount"), coalesce(crm.num(x."Probability"), s.probability),
    crm.day(x."Closing_Date"), nullif(nullif(x."Lead_Source", ''), '-None-'),
    x."Campaign_Source" ->> 'id', coalesce(x."Stage" = 'Closed Won', false),
    coalesce(x."Stage" like 'Closed Lost%', false), coalesce(x."Stage" like 'Closed%', false),
    r.deleted_at
  from zoho.records r
  cross join lateral jsonb_to_record(r.data) as x("Created_Time" text, "Modified_Time" text,
    "Owner" jsonb, "Stage" text, "Amount" text, "Probability" text, "Closing_Date" text,
    "Lead_Source" text, "Campaign_Source" jsonb)
  left join analytics.stage_settings s on s.stage = x."Stage"
  where r.module = 'Deals';

  insert into analytics.f_touches
  select a.parent_module, a.parent_id, min(a.touched_at), max(a.touched_at)
  from (
    select parent_module, parent_id,
      case when module = 'Tasks' then created_at else coalesce(activity_at, created_at) end
        as touched_at
    from crm.activities
    where deleted_at is null and parent_id is not null and parent_module is not null
  ) a
  where a.touched_at is not null
  group by a.parent_module, a.parent_id;

  insert into analytics.f_deal_versions
  select v.id, v.version, v.change, v.valid_from,
    lead(v.valid_from) over w, v.stage, v.amount, v.closing_date,
    lag(v.stage) over w, lag(v.closing_date) over w
  from (
    select rv.id, rv.version, rv.change,
      case when rv.change = 'delete' then rv.observed_at
        else coalesce(crm.ts(rv.data ->> 'Modified_Time'), rv.observed_at) end as valid_from,
      rv.data ->> 'Stage' as stage,
      crm.num(rv.data ->> 'Amount') as amount,
      crm.day(rv.data ->> 'Closing_Date') as closing_date
    from zoho.record_versions rv
    where rv.module = 'Deals'
  ) v
  window w as (partition by v.id order by v.version);

  insert into analytics.f_campaigns
  select c.id, c.name, coalesce(cs.lead_source, src.lead_source), c.start_date, c.end_date,
    c.budgeted_cost, c.actual_cost, c.deleted_at
  from crm.campaigns c
  left join analytics.campaign_sources cs on cs.campaign_id = c.id
  left join lateral (
    select d.lead_source from analytics.f_deals d
    where d.campaign_id = c.id and d.lead_source is not null and d.deleted_at is null
    group by d.lead_source order by count(*) desc, d.lead_source limit 1
  ) src on true;

  analyze analytics.f_leads;
  analyze analytics.f_deals;
  analyze analytics.f_touches;
  analyze analytics.f_deal_versions;
  analyze analytics.f_campaigns;
end
$$;
comment on function analytics.refresh_facts() is
  'Rebuilds analytics.f_* from crm.* and zoho.record_versions (one read per module)';

create index f_deals_campaign_idx on analytics.f_deals (campaign_id);

alter table analytics.f_leads enable row level security;
alter table analytics.f_deals enable row level security;
alter table analytics.f_touches enable row level security;
alter table analytics.f_deal_versions enable row level security;
alter table analytics.f_campaigns enable row level security;
revoke all on all tables in schema analytics from anon, authenticated;
grant select on analytics.f_leads, analytics.f_deals, analytics.f_touches,
  analytics.f_deal_versions, analytics.f_campaigns to service_role;
revoke all on function analytics.refresh_facts() from public;
grant execute on function analytics.refresh_facts() to service_role;
