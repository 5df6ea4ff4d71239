-- One definition of a lead's conversion (crm.lead_conversion: the v3+ Converted_* fields first,
-- then $converted / $converted_detail in either key spelling) for crm.leads and the lead facts;
-- the facts read only $converted_detail.deal, which no payload carries, so cohorts showed 0%.
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

create or replace function analytics.lead_fact(p_id text, p_data jsonb, p_deleted_at timestamptz, tz text)
returns setof analytics.f_leads
language sql stable
as $$
  select p_id, crm.ts(x."Created_Time"), (crm.ts(x."Created_Time") at time zone tz)::date,
    x."Owner" ->> 'id', x."Owner" ->> 'name',
    crm.picklist(x."Lead_Source"), crm.picklist(x."Lead_Status"),
    c.converted, c.converted_at, (c.converted_at at time zone tz)::date, c.deal_id, p_deleted_at
  from jsonb_to_record(p_data) as x("Created_Time" text, "Owner" jsonb, "Lead_Source" text,
    "Lead_Status" text, "Converted__s" jsonb, "$converted" jsonb, "Converted_Date_Time" text,
    "Converted_Deal" jsonb, "$converted_detail" jsonb)
  cross join lateral crm.lead_conversion(x."Converted__s", x."$converted",
    x."Converted_Date_Time", x."Converted_Deal", null, null, x."$converted_detail") c
$$;

-- The lead facts were derived with the old rule: rebuild them on the next snapshot.
delete from analytics.facts_built;
