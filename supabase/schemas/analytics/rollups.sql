-- Rollups of the fact tables (analytics/facts.sql): leads and closed deals counted per day and
-- per value of each dimension the KPIs split by (all, source, owner, status: a day has as many
-- rows as the dimensions have values together, 20 lead keys on the 1M-lead demo, not their
-- product, 240), so a KPI over a window reads a few thousand rollup rows instead of every fact
-- of the window (leads_created year to date read ≈ 115,000 f_leads rows on the 1M-lead demo:
-- 95 ms; from the rollups 4 ms; docs/scaling_answers.md).
--
-- One set of definitions: the KPI functions (analytics.leads_created, win_rate, revenue, ...)
-- read the rollups with the same filters they applied to the facts, and the rollups are exact
-- aggregates of the facts (pgTAP analytics_rollups.sql compares them with direct counts):
-- * Kept by statement-level triggers on analytics.f_leads / analytics.f_deals themselves, so
--   every writer of the facts (the write-time triggers of facts_triggers.sql and the full
--   rebuild of facts_refresh.sql) keeps them: the delta of a statement's old and new rows is
--   added per key, keys whose count reaches 0 are removed, a TRUNCATE of the facts empties them.
--   Writers of rollup rows take one transaction-level advisory lock first, so concurrent sync
--   batches queue on it (for the fact part of their write and their commit) instead of
--   deadlocking on the hot keys.
-- * Deletion stays at timestamp granularity (deleted_at is a key): "alive at as_of" is
--   analytics.alive_at(deleted_at, analytics.day_end(as_of)), an instant in the company time
--   zone; a local deleted day would not be exact where a DST change falls at midnight. Deleted
--   records are few, so they add a few rows each (one per dimension).
-- * Unlogged like the facts: a crash empties them together with the facts (a full rebuild).

create unlogged table analytics.r_leads (
  created_day date,
  -- all (key null), source (Lead_Source), owner (owner id, with its name), status (Lead_Status)
  dimension text not null,
  key text,
  owner_name text,
  deleted_at timestamptz,
  leads bigint not null
);
comment on table analytics.r_leads is
  'Count of analytics.f_leads per created_day, dimension (all/source/owner/status) and key, '
  'owner name and deleted_at; kept by triggers on f_leads';
create unique index r_leads_key_idx on analytics.r_leads
  (created_day, dimension, key, owner_name, deleted_at) nulls not distinct;
-- Keys whose count fell to 0 (removed by the same statement).
create index r_leads_empty_idx on analytics.r_leads (leads) where leads = 0;

-- Closed Won / Closed Lost deals with a Closing_Date. created_late: the created day when it is
-- after the closing date ('infinity' when unknown), else null: a KPI over closing dates up to
-- as_of needs the created day only for those (created_day <= closing_date <= as_of otherwise).
create unlogged table analytics.r_deals_closed (
  closing_date date not null,
  -- all (key null), source (Lead_Source), owner (owner id, with its name)
  dimension text not null,
  key text,
  owner_name text,
  is_won boolean not null,
  created_late date,
  deleted_at timestamptz,
  deals bigint not null,
  -- Σ Amount (null amounts skipped; null while no amount was added to the key)
  amount numeric
);
comment on table analytics.r_deals_closed is
  'Count and Σ Amount of Closed Won / Closed Lost analytics.f_deals per closing_date, dimension '
  '(all/source/owner) and key, owner name, is_won, created_late and deleted_at; kept by '
  'triggers on f_deals';
create unique index r_deals_closed_key_idx on analytics.r_deals_closed
  (closing_date, dimension, key, owner_name, is_won, created_late, deleted_at) nulls not distinct;
create index r_deals_closed_empty_idx on analytics.r_deals_closed (deals) where deals = 0;

alter table analytics.r_leads enable row level security;
alter table analytics.r_deals_closed enable row level security;
revoke all on analytics.r_leads, analytics.r_deals_closed from anon, authenticated;
grant select on analytics.r_leads, analytics.r_deals_closed to service_role;

-- The rollup key of a closed deal's created day (see r_deals_closed.created_late).
create or replace function analytics.created_late(p_created_day date, p_closing_date date)
returns date
language sql immutable parallel safe
as $$
  select case when p_created_day <= p_closing_date then null
    else coalesce(p_created_day, 'infinity'::date) end
$$;

-- f_leads statement → r_leads: − old rows, + new rows per key; keys at 0 removed.
create or replace function analytics.f_leads_to_rollups() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  -- nothing changed (a statement that matched no fact): no lock, no work
  if tg_op = 'INSERT' then
    if not exists (select from new_rows) then
      return null;
    end if;
  elsif not exists (select from old_rows) then
    return null;
  end if;
  -- one writer at a time holds rollup rows (until its commit): hot keys (a day's 'all' row)
  -- locked in two phases (− then +) by concurrent writers would otherwise deadlock
  perform pg_advisory_xact_lock(hashtext('analytics.rollups'));
  if tg_op <> 'INSERT' then
    insert into analytics.r_leads as r
    select o.created_day, k.dimension, k.key, k.owner_name, o.deleted_at, -count(*)
    from old_rows o
    cross join lateral (values ('all', null, null), ('source', o.lead_source, null),
      ('owner', o.owner_id, o.owner_name), ('status', o.lead_status, null))
      k(dimension, key, owner_name)
    group by 1, 2, 3, 4, 5
    order by 1, 2, 3, 4, 5
    on conflict (created_day, dimension, key, owner_name, deleted_at)
    do update set leads = r.leads + excluded.leads;
  end if;
  if tg_op <> 'DELETE' then
    insert into analytics.r_leads as r
    select n.created_day, k.dimension, k.key, k.owner_name, n.deleted_at, count(*)
    from new_rows n
    cross join lateral (values ('all', null, null), ('source', n.lead_source, null),
      ('owner', n.owner_id, n.owner_name), ('status', n.lead_status, null))
      k(dimension, key, owner_name)
    group by 1, 2, 3, 4, 5
    order by 1, 2, 3, 4, 5
    on conflict (created_day, dimension, key, owner_name, deleted_at)
    do update set leads = r.leads + excluded.leads;
  end if;
  if tg_op <> 'INSERT' then
    delete from analytics.r_leads where leads = 0;
  end if;
  return null;
end
$$;

-- f_deals statement → r_deals_closed: − old closed rows, + new ones per key; keys at 0 removed.
create or replace function analytics.f_deals_to_rollups() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  -- nothing changed (a statement that matched no fact): no lock, no work
  if tg_op = 'INSERT' then
    if not exists (select from new_rows) then
      return null;
    end if;
  elsif not exists (select from old_rows) then
    return null;
  end if;
  -- one writer at a time holds rollup rows (until its commit): hot keys (a day's 'all' row)
  -- locked in two phases (− then +) by concurrent writers would otherwise deadlock
  perform pg_advisory_xact_lock(hashtext('analytics.rollups'));
  if tg_op <> 'INSERT' then
    insert into analytics.r_deals_closed as r
    select o.closing_date, k.dimension, k.key, k.owner_name, o.is_won,
      analytics.created_late(o.created_day, o.closing_date), o.deleted_at, -count(*),
      -sum(o.amount)
    from old_rows o
    cross join lateral (values ('all', null, null), ('source', o.lead_source, null),
      ('owner', o.owner_id, o.owner_name)) k(dimension, key, owner_name)
    where (o.is_won or o.is_lost) and o.closing_date is not null
    group by 1, 2, 3, 4, 5, 6, 7
    order by 1, 2, 3, 4, 5, 6, 7
    on conflict (closing_date, dimension, key, owner_name, is_won, created_late, deleted_at)
    do update set deals = r.deals + excluded.deals,
      amount = case when excluded.amount is null then r.amount
        else coalesce(r.amount, 0) + excluded.amount end;
  end if;
  if tg_op <> 'DELETE' then
    insert into analytics.r_deals_closed as r
    select n.closing_date, k.dimension, k.key, k.owner_name, n.is_won,
      analytics.created_late(n.created_day, n.closing_date), n.deleted_at, count(*),
      sum(n.amount)
    from new_rows n
    cross join lateral (values ('all', null, null), ('source', n.lead_source, null),
      ('owner', n.owner_id, n.owner_name)) k(dimension, key, owner_name)
    where (n.is_won or n.is_lost) and n.closing_date is not null
    group by 1, 2, 3, 4, 5, 6, 7
    order by 1, 2, 3, 4, 5, 6, 7
    on conflict (closing_date, dimension, key, owner_name, is_won, created_late, deleted_at)
    do update set deals = r.deals + excluded.deals,
      amount = case when excluded.amount is null then r.amount
        else coalesce(r.amount, 0) + excluded.amount end;
  end if;
  if tg_op <> 'INSERT' then
    delete from analytics.r_deals_closed where deals = 0;
  end if;
  return null;
end
$$;

-- A TRUNCATE of the facts (the full rebuild) empties their rollups.
create or replace function analytics.truncate_rollups() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_table_name = 'f_leads' then
    truncate analytics.r_leads;
  else
    truncate analytics.r_deals_closed;
  end if;
  return null;
end
$$;

create trigger f_leads_rollups_insert after insert on analytics.f_leads
  referencing new table as new_rows
  for each statement execute function analytics.f_leads_to_rollups();
create trigger f_leads_rollups_update after update on analytics.f_leads
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.f_leads_to_rollups();
create trigger f_leads_rollups_delete after delete on analytics.f_leads
  referencing old table as old_rows
  for each statement execute function analytics.f_leads_to_rollups();
create trigger f_leads_rollups_truncate after truncate on analytics.f_leads
  for each statement execute function analytics.truncate_rollups();

create trigger f_deals_rollups_insert after insert on analytics.f_deals
  referencing new table as new_rows
  for each statement execute function analytics.f_deals_to_rollups();
create trigger f_deals_rollups_update after update on analytics.f_deals
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.f_deals_to_rollups();
create trigger f_deals_rollups_delete after delete on analytics.f_deals
  referencing old table as old_rows
  for each statement execute function analytics.f_deals_to_rollups();
create trigger f_deals_rollups_truncate after truncate on analytics.f_deals
  for each statement execute function analytics.truncate_rollups();

revoke all on function analytics.f_leads_to_rollups() from public;
revoke all on function analytics.f_deals_to_rollups() from public;
revoke all on function analytics.truncate_rollups() from public;
