-- The forecast's amount bands from kept counts (supabase/schemas/analytics/rollups.sql,
-- rollups_keys.sql, rollups_keep.sql, forecast.sql): deals with an Amount above 0 and a
-- Created_Time counted per amount bucket (analytics.r_deal_amounts), kept by the f_deals
-- statement triggers, folded and truncated with the other rollups; analytics.forecast_deals takes
-- its terciles from them (analytics.deal_amount_terciles) instead of sorting every deal's amount.
-- Filled here from the facts as they are.

create or replace function analytics.amount_bucket(p_amount numeric) returns integer
language sql immutable parallel safe
as $$
  select case when not p_amount > 0 then null
    when p_amount = 'NaN'::numeric then 2147483647
    when p_amount = 'Infinity'::numeric then 2147483646
    else length(trunc(p_amount)::text) * 1000 + left(trunc(p_amount)::text, 3)::integer end
$$;

create unlogged table analytics.r_deal_amounts_folded (
  bucket integer not null,
  deals bigint not null
);
comment on table analytics.r_deal_amounts_folded is
  'Count of analytics.f_deals with amount > 0 and a created_at per analytics.amount_bucket, as '
  'of the last analytics.fold_rollups()';
create unique index r_deal_amounts_key_idx on analytics.r_deal_amounts_folded (bucket);

create unlogged table analytics.r_deal_amounts_log (like analytics.r_deal_amounts_folded);

create view analytics.r_deal_amounts as
  select * from analytics.r_deal_amounts_folded
  union all
  select * from analytics.r_deal_amounts_log;
comment on view analytics.r_deal_amounts is
  'f_deals with amount > 0 and a created_at counted per amount bucket: folded rollups + the log '
  'since the last fold (sum rows per bucket)';

alter table analytics.r_deal_amounts_folded enable row level security;
alter table analytics.r_deal_amounts_log enable row level security;
revoke all on analytics.r_deal_amounts_folded, analytics.r_deal_amounts_log,
  analytics.r_deal_amounts from anon, authenticated;
grant select on analytics.r_deal_amounts_folded, analytics.r_deal_amounts_log,
  analytics.r_deal_amounts to service_role;

insert into analytics.r_deal_amounts_folded
select analytics.amount_bucket(d.amount), count(*)
from analytics.f_deals d
where d.amount > 0 and d.created_at is not null
group by 1;
