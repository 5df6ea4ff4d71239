-- The stage stays rollup summed per entered month (supabase/schemas/analytics/rollups.sql), filled
-- from the daily rows already folded.
create unlogged table analytics.r_stage_stays_month (
  entered_month date not null,
  stage text not null,
  advanced boolean not null,
  bucket smallint,
  stays bigint not null,
  days_h bigint not null
);
comment on table analytics.r_stage_stays_month is
  'analytics.r_stage_stays_folded summed per entered month (its first day), as of the last '
  'analytics.fold_rollups()';
create unique index r_stage_stays_month_key_idx on analytics.r_stage_stays_month
  (entered_month, stage, advanced, bucket) nulls not distinct;
alter table analytics.r_stage_stays_month enable row level security;
revoke all on analytics.r_stage_stays_month from anon, authenticated;
grant select on analytics.r_stage_stays_month to service_role;
insert into analytics.r_stage_stays_month
select date_trunc('month', r.entered_day)::date, r.stage, r.advanced, r.bucket, sum(r.stays),
  sum(r.days_h)
from analytics.r_stage_stays_folded r
group by 1, 2, 3, 4;
