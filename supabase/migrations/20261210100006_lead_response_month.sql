-- The response rollup summed per created month (supabase/schemas/analytics/rollups.sql), filled
-- from the daily rows already folded.
create unlogged table analytics.r_lead_response_month (
  created_month date not null,
  dimension text not null,
  key text,
  owner_name text,
  deleted_at timestamptz,
  bucket smallint,
  leads bigint not null,
  hours_h bigint not null
);
comment on table analytics.r_lead_response_month is
  'analytics.r_lead_response_folded summed per created month (its first day), as of the last '
  'analytics.fold_rollups()';
create unique index r_lead_response_month_key_idx on analytics.r_lead_response_month
  (created_month, dimension, key, owner_name, deleted_at, bucket) nulls not distinct;
alter table analytics.r_lead_response_month enable row level security;
revoke all on analytics.r_lead_response_month from anon, authenticated;
grant select on analytics.r_lead_response_month to service_role;
insert into analytics.r_lead_response_month
select date_trunc('month', r.created_day)::date, r.dimension, r.key, r.owner_name, r.deleted_at,
  r.bucket, sum(r.leads), sum(r.hours_h)
from analytics.r_lead_response_folded r
group by 1, 2, 3, 4, 5, 6;
