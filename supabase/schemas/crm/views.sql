-- Typed views over the raw Zoho JSONB: the columns analytics read. Field API names are Zoho's
-- standard ones; lookups are {"id","name"} objects; timestamps carry the org's UTC offset.
create schema if not exists crm;

-- Zoho datetimes look like 2026-03-04T10:15:30+05:30; '' and null both mean "no value".
create or replace function crm.ts(value text) returns timestamptz
language sql immutable parallel safe
as $$ select nullif(value, '')::timestamptz $$;

create or replace function crm.num(value text) returns numeric
language sql immutable parallel safe
as $$ select nullif(value, '')::numeric $$;

create or replace function crm.day(value text) returns date
language sql immutable parallel safe
as $$ select nullif(value, '')::date $$;

-- A picklist value: Zoho sends '' or '-None-' for "no value".
create or replace function crm.picklist(value text) returns text
language sql immutable parallel safe
as $$ select nullif(nullif(value, ''), '-None-') $$;

-- A lead's conversion, one definition for crm.leads and analytics.lead_fact. Zoho v3 and later
-- carry it as fields on the lead, in list and single reads alike: Converted__s,
-- Converted_Date_Time, Converted_Deal / Converted_Contact / Converted_Account (lookups; airbyte
-- issue #21164). Those come first; older payloads and single reads also carry $converted and
-- $converted_detail ({"Contact","Account","Deal","converted_time"}; older samples use lower-case
-- keys and converted_date_time), used where a field is missing. Arguments are the raw values,
-- so a caller that unpacked the record once (jsonb_to_record) decompresses nothing again.
create or replace function crm.lead_conversion(
  converted_flag jsonb, dollar_converted jsonb, converted_date_time text, converted_deal jsonb,
  converted_contact jsonb, converted_account jsonb, detail jsonb,
  out converted boolean, out converted_at timestamptz, out deal_id text, out contact_id text,
  out account_id text)
language sql immutable parallel safe
as $$
  select
    coalesce(case jsonb_typeof(converted_flag) when 'boolean' then converted_flag::text::boolean end,
      case jsonb_typeof(dollar_converted) when 'boolean' then dollar_converted::text::boolean end,
      false),
    crm.ts(coalesce(converted_date_time, detail ->> 'converted_time',
      detail ->> 'converted_date_time')),
    coalesce(converted_deal ->> 'id', detail -> 'Deal' ->> 'id', detail -> 'deal' ->> 'id'),
    coalesce(converted_contact ->> 'id', detail -> 'Contact' ->> 'id',
      detail -> 'contact' ->> 'id'),
    coalesce(converted_account ->> 'id', detail -> 'Account' ->> 'id',
      detail -> 'account' ->> 'id')
$$;

create or replace view crm.leads as
select
  r.id,
  crm.ts(r.data ->> 'Created_Time') as created_at,
  crm.ts(r.data ->> 'Modified_Time') as modified_at,
  r.data -> 'Owner' ->> 'id' as owner_id,
  r.data -> 'Owner' ->> 'name' as owner_name,
  crm.picklist(r.data ->> 'Lead_Source') as lead_source,
  crm.picklist(r.data ->> 'Lead_Status') as lead_status,
  r.data ->> 'Company' as company,
  r.data ->> 'Email' as email,
  c.converted,
  c.converted_at,
  c.contact_id as converted_contact_id,
  c.account_id as converted_account_id,
  c.deal_id as converted_deal_id,
  r.deleted_at,
  r.data
from zoho.records r
cross join lateral crm.lead_conversion(r.data -> 'Converted__s', r.data -> '$converted',
  r.data ->> 'Converted_Date_Time', r.data -> 'Converted_Deal', r.data -> 'Converted_Contact',
  r.data -> 'Converted_Account', r.data -> '$converted_detail') c
where r.module = 'Leads';
comment on view crm.leads is
  'Leads, converted ones included (crm.lead_conversion: v3+ Converted_* fields, then $converted_detail)';

create or replace view crm.deals as
select
  r.id,
  r.data ->> 'Deal_Name' as name,
  crm.ts(r.data ->> 'Created_Time') as created_at,
  crm.ts(r.data ->> 'Modified_Time') as modified_at,
  r.data -> 'Owner' ->> 'id' as owner_id,
  r.data -> 'Owner' ->> 'name' as owner_name,
  r.data ->> 'Stage' as stage,
  crm.num(r.data ->> 'Amount') as amount,
  crm.num(r.data ->> 'Probability') as probability,
  crm.day(r.data ->> 'Closing_Date') as closing_date,
  crm.picklist(r.data ->> 'Lead_Source') as lead_source,
  r.data -> 'Account_Name' ->> 'id' as account_id,
  r.data -> 'Contact_Name' ->> 'id' as contact_id,
  r.data -> 'Campaign_Source' ->> 'id' as campaign_id,
  r.data ->> 'Type' as deal_type,
  crm.picklist(r.data ->> 'Reason_For_Loss__s') as reason_for_loss,
  (r.data ->> 'Stage') = 'Closed Won' as is_won,
  (r.data ->> 'Stage') like 'Closed Lost%' as is_lost,
  (r.data ->> 'Stage') like 'Closed%' as is_closed,
  r.deleted_at,
  r.data
from zoho.records r
where r.module = 'Deals';
comment on view crm.deals is
  'Deals; is_won = Stage Closed Won, is_lost = Stage Closed Lost*, closing_date = Closing_Date';

create or replace view crm.contacts as
select
  r.id,
  crm.ts(r.data ->> 'Created_Time') as created_at,
  crm.ts(r.data ->> 'Modified_Time') as modified_at,
  r.data -> 'Owner' ->> 'id' as owner_id,
  r.data -> 'Account_Name' ->> 'id' as account_id,
  crm.picklist(r.data ->> 'Lead_Source') as lead_source,
  r.data ->> 'Email' as email,
  r.deleted_at,
  r.data
from zoho.records r
where r.module = 'Contacts';

create or replace view crm.accounts as
select
  r.id,
  r.data ->> 'Account_Name' as name,
  crm.ts(r.data ->> 'Created_Time') as created_at,
  crm.ts(r.data ->> 'Modified_Time') as modified_at,
  r.data -> 'Owner' ->> 'id' as owner_id,
  r.deleted_at,
  r.data
from zoho.records r
where r.module = 'Accounts';

-- Calls, Tasks and Events (API name Events, UI name Meetings) in one shape. What_Id with
-- $se_module names the parent (Leads, Deals, Accounts, ...); Who_Id is a contact.
create or replace view crm.activities as
select
  r.module,
  r.id,
  crm.ts(r.data ->> 'Created_Time') as created_at,
  crm.ts(r.data ->> 'Modified_Time') as modified_at,
  r.data -> 'Owner' ->> 'id' as owner_id,
  coalesce(r.data ->> 'Subject', r.data ->> 'Event_Title') as subject,
  r.data ->> '$se_module' as parent_module,
  r.data -> 'What_Id' ->> 'id' as parent_id,
  r.data -> 'Who_Id' ->> 'id' as contact_id,
  case r.module
    when 'Calls' then crm.ts(r.data ->> 'Call_Start_Time')
    when 'Events' then crm.ts(r.data ->> 'Start_DateTime')
    else crm.day(r.data ->> 'Due_Date')::timestamptz
  end as activity_at,
  coalesce(r.data ->> 'Status', r.data ->> 'Call_Status') as status,
  r.deleted_at,
  r.data
from zoho.records r
where r.module in ('Calls', 'Tasks', 'Events');

create or replace view crm.campaigns as
select
  r.id,
  r.data ->> 'Campaign_Name' as name,
  r.data ->> 'Type' as campaign_type,
  r.data ->> 'Status' as status,
  crm.day(r.data ->> 'Start_Date') as start_date,
  crm.day(r.data ->> 'End_Date') as end_date,
  crm.num(r.data ->> 'Budgeted_Cost') as budgeted_cost,
  crm.num(r.data ->> 'Actual_Cost') as actual_cost,
  crm.num(r.data ->> 'Expected_Revenue') as expected_revenue,
  crm.ts(r.data ->> 'Created_Time') as created_at,
  r.deleted_at,
  r.data
from zoho.records r
where r.module = 'Campaigns';

-- Stage history from the versions we keep: a row each time a deal's Stage takes a new value.
create or replace view crm.deal_stage_history as
select
  v.id as deal_id,
  v.data ->> 'Stage' as stage,
  coalesce(crm.ts(v.data ->> 'Modified_Time'), v.observed_at) as entered_at,
  crm.num(v.data ->> 'Amount') as amount,
  crm.day(v.data ->> 'Closing_Date') as closing_date,
  v.version
from (
  select rv.*,
    lag(rv.data ->> 'Stage') over (partition by rv.id order by rv.version) as previous_stage
  from zoho.record_versions rv
  where rv.module = 'Deals' and rv.change in ('insert', 'update', 'restore')
) v
where v.previous_stage is distinct from v.data ->> 'Stage';
comment on view crm.deal_stage_history is
  'One row per stage a deal entered, from zoho.record_versions (history we own)';

revoke all on schema crm from anon, authenticated;
grant usage on schema crm to service_role;
grant select on all tables in schema crm to service_role;
