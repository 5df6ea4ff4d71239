-- Issue 25: rollup writers (the triggers on f_leads / f_deals) take one transaction-level
-- advisory lock before touching rollup rows, and skip statements that changed no fact. Two sync
-- batches in flight (batch_writer maxInFlight 2) lock hot keys (a day's 'all' row) in two phases
-- (− old rows, + new rows) and could deadlock; now they queue for the fact part of their write.

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
