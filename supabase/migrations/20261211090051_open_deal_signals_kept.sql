-- Open deals' last touches and Closing_Date pushes kept (supabase/schemas/analytics/kpis_stages.sql):
-- open deal health reads them at once instead of probing both per deal. Filled here from the
-- facts when they are built; from then on its triggers keep them.

-- What open deal health asks of every open deal besides its stage, kept per deal: its last touch
-- (f_touches' row of the Deals parent) and its Closing_Date pushes (count and the last). Probing
-- both per deal (27.6k probes for the 13.8k open deals at 1M leads, most finding nothing) cost
-- open deal health half its time: read at once and hashed, 82 → 42 ms in the daily state, the
-- same rows. One definition,
-- analytics.open_deal_signals; the kept rows follow every write of the deal facts, the touches
-- and the pushes in the same statement (while the facts are built; the full rebuild fills them).
create view analytics.open_deal_signals as
select d.id as deal_id, t.last_at as last_touch_at, p.n as pushes, p.last_at as last_push_at
from analytics.f_deals d
left join analytics.f_touches t on t.parent_module = 'Deals' and t.parent_id = d.id
cross join lateral (select count(*) as n, max(x.pushed_at) as last_at
  from analytics.f_deal_pushes x where x.deal_id = d.id) p
where not d.is_closed;
comment on view analytics.open_deal_signals is
  'Per deal not closed: its last touch (a call, task or event on it) and its Closing_Date pushes '
  '(count and last instant) as of now (kept in f_open_deal_signals)';
revoke all on analytics.open_deal_signals from anon, authenticated;
grant select on analytics.open_deal_signals to service_role;

create unlogged table analytics.f_open_deal_signals (
  deal_id text primary key,
  last_touch_at timestamptz,
  pushes bigint not null,
  last_push_at timestamptz
);
comment on table analytics.f_open_deal_signals is
  'analytics.open_deal_signals kept: every open deal''s last touch and Closing_Date pushes';
alter table analytics.f_open_deal_signals enable row level security;
revoke all on analytics.f_open_deal_signals from anon, authenticated;
grant select on analytics.f_open_deal_signals to service_role;

-- A statement that wrote deal facts, Deals touches or pushes recomputes those deals' rows (a
-- closed or deleted deal fact's row goes). Truncating any of the three (the full rebuild) empties
-- them; the rebuild inserts them all once its facts are in (analytics.refresh_facts).
create or replace function analytics.keep_open_deal_signals() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  ids text[];
begin
  if tg_op = 'TRUNCATE' then
    truncate analytics.f_open_deal_signals;
    return null;
  end if;
  if not exists (select from analytics.facts_built) then
    return null;
  end if;
  if tg_table_name = 'f_deals' then
    if tg_op = 'INSERT' then
      ids := array(select n.id from new_rows n);
    elsif tg_op = 'DELETE' then
      ids := array(select o.id from old_rows o);
    else
      ids := array(select n.id from new_rows n union select o.id from old_rows o);
    end if;
  elsif tg_table_name = 'f_touches' then
    if tg_op = 'INSERT' then
      ids := array(select n.parent_id from new_rows n where n.parent_module = 'Deals');
    elsif tg_op = 'DELETE' then
      ids := array(select o.parent_id from old_rows o where o.parent_module = 'Deals');
    else
      ids := array(select n.parent_id from new_rows n where n.parent_module = 'Deals'
        union select o.parent_id from old_rows o where o.parent_module = 'Deals');
    end if;
  elsif tg_op = 'INSERT' then
    ids := array(select distinct n.deal_id from new_rows n);
  elsif tg_op = 'DELETE' then
    ids := array(select distinct o.deal_id from old_rows o);
  else
    ids := array(select n.deal_id from new_rows n union select o.deal_id from old_rows o);
  end if;
  if cardinality(ids) = 0 then
    return null;
  end if;
  -- One maintainer at a time, to its commit (as analytics.keep_first_wins): a writer that waited
  -- here recomputes with what the other committed.
  lock table analytics.f_open_deal_signals in share row exclusive mode;
  delete from analytics.f_open_deal_signals s where s.deal_id = any(ids);
  insert into analytics.f_open_deal_signals
  select g.deal_id, g.last_touch_at, g.pushes, g.last_push_at from analytics.open_deal_signals g
  where g.deal_id = any(ids);
  return null;
end
$$;
revoke all on function analytics.keep_open_deal_signals() from public;
create trigger f_deals_open_signals_insert after insert on analytics.f_deals
  referencing new table as new_rows
  for each statement execute function analytics.keep_open_deal_signals();
create trigger f_deals_open_signals_update after update on analytics.f_deals
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.keep_open_deal_signals();
create trigger f_deals_open_signals_delete after delete on analytics.f_deals
  referencing old table as old_rows
  for each statement execute function analytics.keep_open_deal_signals();
create trigger f_deals_open_signals_truncate after truncate on analytics.f_deals
  for each statement execute function analytics.keep_open_deal_signals();
create trigger f_touches_open_signals_insert after insert on analytics.f_touches
  referencing new table as new_rows
  for each statement execute function analytics.keep_open_deal_signals();
create trigger f_touches_open_signals_update after update on analytics.f_touches
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.keep_open_deal_signals();
create trigger f_touches_open_signals_delete after delete on analytics.f_touches
  referencing old table as old_rows
  for each statement execute function analytics.keep_open_deal_signals();
create trigger f_touches_open_signals_truncate after truncate on analytics.f_touches
  for each statement execute function analytics.keep_open_deal_signals();
create trigger f_deal_pushes_open_signals_insert after insert on analytics.f_deal_pushes
  referencing new table as new_rows
  for each statement execute function analytics.keep_open_deal_signals();
create trigger f_deal_pushes_open_signals_update after update on analytics.f_deal_pushes
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.keep_open_deal_signals();
create trigger f_deal_pushes_open_signals_delete after delete on analytics.f_deal_pushes
  referencing old table as old_rows
  for each statement execute function analytics.keep_open_deal_signals();
create trigger f_deal_pushes_open_signals_truncate after truncate on analytics.f_deal_pushes
  for each statement execute function analytics.keep_open_deal_signals();

insert into analytics.f_open_deal_signals (deal_id, last_touch_at, pushes, last_push_at)
select g.deal_id, g.last_touch_at, g.pushes, g.last_push_at from analytics.open_deal_signals g
where exists (select from analytics.facts_built);
analyze analytics.f_open_deal_signals;
