-- crm.leads reads $converted_detail whichever key spelling Zoho uses (same columns as before).
-- Per-record reads return {"Contact","Account","Deal","converted_time"}; older samples use
-- lower-case keys and converted_date_time, so both are accepted; Converted__s backs $converted.
create or replace view crm.leads as
select
  r.id,
  crm.ts(r.data ->> 'Created_Time') as created_at,
  crm.ts(r.data ->> 'Modified_Time') as modified_at,
  r.data -> 'Owner' ->> 'id' as owner_id,
  r.data -> 'Owner' ->> 'name' as owner_name,
  nullif(nullif(r.data ->> 'Lead_Source', ''), '-None-') as lead_source,
  nullif(nullif(r.data ->> 'Lead_Status', ''), '-None-') as lead_status,
  r.data ->> 'Company' as company,
  r.data ->> 'Email' as email,
  coalesce((r.data ->> '$converted')::boolean, (r.data ->> 'Converted__s')::boolean, false)
    as converted,
  crm.ts(coalesce(
    r.data -> '$converted_detail' ->> 'converted_time',
    r.data -> '$converted_detail' ->> 'converted_date_time',
    r.data ->> 'Converted_Date_Time'
  )) as converted_at,
  coalesce(
    r.data -> '$converted_detail' -> 'Contact' ->> 'id',
    r.data -> '$converted_detail' -> 'contact' ->> 'id',
    r.data -> 'Converted_Contact' ->> 'id'
  ) as converted_contact_id,
  coalesce(
    r.data -> '$converted_detail' -> 'Account' ->> 'id',
    r.data -> '$converted_detail' -> 'account' ->> 'id',
    r.data -> 'Converted_Account' ->> 'id'
  ) as converted_account_id,
  coalesce(
    r.data -> '$converted_detail' -> 'Deal' ->> 'id',
    r.data -> '$converted_detail' -> 'deal' ->> 'id',
    r.data -> 'Converted_Deal' ->> 'id'
  ) as converted_deal_id,
  r.deleted_at,
  r.data
from zoho.records r
where r.module = 'Leads';
comment on view crm.leads is 'Leads, converted ones included ($converted, $converted_detail)';
