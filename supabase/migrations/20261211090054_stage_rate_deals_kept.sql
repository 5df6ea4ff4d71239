-- The stage rates' rows per deal and open stage kept for the forecast's sample
-- (supabase/schemas/analytics/forecast_keep.sql): the stage rates count the sample from them instead
-- of aggregating its entries. Filled here for the kept sample when the facts are built; from then
-- on its triggers keep them, and every full build fills them again.

-- What the stage rates ask of each deal, kept for the forecast's sample: per deal and open stage it
-- entered (a stage open in analytics.stage_settings), its first and last entry into that stage,
-- and the deal's first entry into a closed stage and into Closed Won (null: none). Whether a deal
-- entered the stage inside a window [from, to) follows from the first and last entry unless the
-- first came before the window and the last after it (then its entries are looked up). Counting
-- the sample's deals from their entries each day cost the forecast's stage rates 54 ms at 1M leads
-- in the daily state (57k entries of 10k deals aggregated per deal). One definition,
-- analytics.stage_rate_deals. Kept, like the training observations (analytics/forecast_keep.sql),
-- for the deals in the sample's buckets fixed by the full build (all 200k deals at 1M leads are
-- 942k rows, 211 MB, for the 47k the sample reads); the rows follow every write of the stage
-- entries in the same statement while the facts are built (they bake in which stages are open: a
-- change of the stage settings empties facts_built, and the rebuild fills them again).
create view analytics.stage_rate_deals as
select g.deal_id, (hashtext(g.deal_id) & 1023)::smallint as bucket, g.stage,
  g.first_at as first_entered_at, g.last_at as last_entered_at, g.closed_at, g.won_at
from (
  select e.deal_id, e.stage, s.is_open, min(e.entered_at) as first_at,
    max(e.entered_at) as last_at,
    min(min(e.entered_at)) filter (where not s.is_open) over w as closed_at,
    min(min(e.entered_at)) filter (where not s.is_open and e.stage = 'Closed Won') over w
      as won_at
  from analytics.f_stage_entries e
  join analytics.stage_settings s on s.stage = e.stage
  group by e.deal_id, e.stage, s.is_open
  window w as (partition by e.deal_id)
) g
where g.is_open;
comment on view analytics.stage_rate_deals is
  'Per deal and open stage it entered: first and last entry into it, the deal''s first entry '
  'into a closed stage and into Closed Won (kept in f_stage_rate_deals)';
revoke all on analytics.stage_rate_deals from anon, authenticated;
grant select on analytics.stage_rate_deals to service_role;

create unlogged table analytics.f_stage_rate_deals (
  deal_id text not null,
  -- hashtext(deal_id) & 1023: the forecast's sample bucket
  bucket smallint not null,
  stage text not null,
  first_entered_at timestamptz not null,
  last_entered_at timestamptz not null,
  closed_at timestamptz,
  won_at timestamptz,
  primary key (deal_id, stage)
);
comment on table analytics.f_stage_rate_deals is
  'analytics.stage_rate_deals kept: each deal''s first and last entry into every open stage it '
  'entered, and its first close and first win';
alter table analytics.f_stage_rate_deals enable row level security;
revoke all on analytics.f_stage_rate_deals from anon, authenticated;
grant select on analytics.f_stage_rate_deals to service_role;

-- A statement that wrote stage entries recomputes those deals' rows (of the kept buckets).
-- Truncating them (the full rebuild) empties them; the rebuild's analytics.build_forecast_obs
-- inserts the sample's once its stage entries are in.
create or replace function analytics.keep_stage_rate_deals() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  ids text[];
  v_k integer;
begin
  if tg_op = 'TRUNCATE' then
    truncate analytics.f_stage_rate_deals;
    return null;
  end if;
  v_k := (select k.k from analytics.f_forecast_obs_kept k);
  if v_k is null or not exists (select from analytics.facts_built) then
    return null;
  end if;
  if tg_op = 'INSERT' then
    ids := array(select distinct n.deal_id from new_rows n
      where (hashtext(n.deal_id) & 1023) < v_k);
  elsif tg_op = 'DELETE' then
    ids := array(select distinct o.deal_id from old_rows o
      where (hashtext(o.deal_id) & 1023) < v_k);
  else
    ids := array(select n.deal_id from new_rows n where (hashtext(n.deal_id) & 1023) < v_k
      union select o.deal_id from old_rows o where (hashtext(o.deal_id) & 1023) < v_k);
  end if;
  if cardinality(ids) = 0 then
    return null;
  end if;
  -- One maintainer at a time, to its commit (as analytics.keep_first_wins).
  lock table analytics.f_stage_rate_deals in share row exclusive mode;
  delete from analytics.f_stage_rate_deals r where r.deal_id = any(ids);
  insert into analytics.f_stage_rate_deals
  select r.deal_id, r.bucket, r.stage, r.first_entered_at, r.last_entered_at, r.closed_at,
    r.won_at
  from analytics.stage_rate_deals r where r.deal_id = any(ids);
  return null;
end
$$;
revoke all on function analytics.keep_stage_rate_deals() from public;
create trigger f_stage_entries_stage_rates_insert after insert on analytics.f_stage_entries
  referencing new table as new_rows
  for each statement execute function analytics.keep_stage_rate_deals();
create trigger f_stage_entries_stage_rates_update after update on analytics.f_stage_entries
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.keep_stage_rate_deals();
create trigger f_stage_entries_stage_rates_delete after delete on analytics.f_stage_entries
  referencing old table as old_rows
  for each statement execute function analytics.keep_stage_rate_deals();
create trigger f_stage_entries_stage_rates_truncate after truncate on analytics.f_stage_entries
  for each statement execute function analytics.keep_stage_rate_deals();

insert into analytics.f_stage_rate_deals
select r.deal_id, r.bucket, r.stage, r.first_entered_at, r.last_entered_at, r.closed_at, r.won_at
from analytics.stage_rate_deals r, analytics.f_forecast_obs_kept k
where (hashtext(r.deal_id) & 1023) < k.k and exists (select from analytics.facts_built);
analyze analytics.f_stage_rate_deals;
