-- The open pipeline from a rollup (supabase/schemas/analytics/rollups.sql, rollups_keys.sql,
-- rollups_keep.sql, kpis_pipeline.sql): open deals with a created day counted and summed per
-- dimension value (analytics.r_open_deals), kept by the f_deals statement triggers, folded and
-- truncated with the other rollups; analytics.pipeline reads it and takes out the open deals
-- created after as_of. Filled here from the facts as they are.

create or replace function analytics.open_deal_keys(f analytics.f_deals)
returns table (dimension text, key text, owner_name text)
language sql immutable
as $$
  select k.dimension, k.key, k.owner_name
  from (values ('all', null, null), ('stage', f.stage, null),
    ('closing_month', to_char(date_trunc('month', f.closing_date::timestamp), 'YYYY-MM'), null),
    ('owner', f.owner_id, f.owner_name), ('source', f.lead_source, null))
    k(dimension, key, owner_name)
  where not f.is_closed and f.created_day is not null
$$;

create unlogged table analytics.r_open_deals_folded (
  -- all (key null), stage, closing_month, owner (owner id, with its name), source
  dimension text not null,
  key text,
  owner_name text,
  deleted_at timestamptz,
  deals bigint not null,
  -- Σ Amount and Σ Amount × Probability ÷ 100 (null amounts skipped; null while none was added)
  amount numeric,
  weighted numeric
);
comment on table analytics.r_open_deals_folded is
  'Count, Σ Amount and Σ Amount × Probability ÷ 100 of open analytics.f_deals with a created day '
  'per dimension (all/stage/closing_month/owner/source) and key, owner name and deleted_at, as of '
  'the last analytics.fold_rollups()';
create unique index r_open_deals_key_idx on analytics.r_open_deals_folded
  (dimension, key, owner_name, deleted_at) nulls not distinct;

create unlogged table analytics.r_open_deals_log (like analytics.r_open_deals_folded);

create view analytics.r_open_deals as
  select * from analytics.r_open_deals_folded
  union all
  select * from analytics.r_open_deals_log;
comment on view analytics.r_open_deals is
  'Open f_deals with a created day counted and summed (Amount, Amount × Probability ÷ 100) per '
  'dimension (all/stage/closing_month/owner/source) and key, owner name and deleted_at: folded '
  'rollups + the log since the last fold (sum rows per key)';

alter table analytics.r_open_deals_folded enable row level security;
alter table analytics.r_open_deals_log enable row level security;
revoke all on analytics.r_open_deals_folded, analytics.r_open_deals_log, analytics.r_open_deals
  from anon, authenticated;
grant select on analytics.r_open_deals_folded, analytics.r_open_deals_log,
  analytics.r_open_deals to service_role;

insert into analytics.r_open_deals_folded
select k.dimension, k.key, k.owner_name, f.deleted_at, count(*), sum(f.amount),
  sum(f.amount * f.probability / 100)
from analytics.f_deals f, analytics.open_deal_keys(f) k
group by 1, 2, 3, 4;
