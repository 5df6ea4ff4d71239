-- Each won deal's first win kept (supabase/schemas/analytics/forecast.sql): the forecast's new
-- business reads it instead of every past quarter's wins and their deals. Filled here from the
-- facts as they are; from then on its triggers keep it.

-- Each won deal's first win, with its creation and Amount: what the forecast's new business asks
-- of every past quarter (deals created and first won after the same day of that quarter as
-- as_of). Read through the Closed Won entries by time, each deal by primary key and its first
-- win by index, that cost 96k buffers and 57 ms a day at 1M leads (20k wins in the windows); this
-- table's index answers it alone (84k rows, 8 ms). One definition, analytics.first_wins; the
-- kept rows follow every write of the stage entries and the deal facts, in the same statement.
create view analytics.first_wins as
select d.id as deal_id, w.won_at, d.created_at, d.amount
from analytics.f_deals d
cross join lateral (select min(e.entered_at) as won_at from analytics.f_stage_entries e
  where e.deal_id = d.id and e.stage = 'Closed Won') w
where w.won_at is not null;
comment on view analytics.first_wins is
  'Each deal''s first Closed Won entry with its creation and Amount (kept in f_first_wins)';

create unlogged table analytics.f_first_wins (
  deal_id text primary key,
  won_at timestamptz not null,
  created_at timestamptz,
  amount numeric
);
comment on table analytics.f_first_wins is
  'analytics.first_wins kept: every won deal''s first win, creation and Amount';
create index f_first_wins_won_idx on analytics.f_first_wins (won_at) include (created_at, amount);
alter table analytics.f_first_wins enable row level security;
revoke all on analytics.f_first_wins from anon, authenticated;
grant select on analytics.f_first_wins to service_role;

-- A statement that wrote deal facts, or Closed Won entries, recomputes those deals' rows (a
-- deleted deal's row goes). Truncating either (the full rebuild) empties it; the rebuild's
-- inserts fill it again.
create or replace function analytics.keep_first_wins() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  ids text[];
begin
  if tg_op = 'TRUNCATE' then
    truncate analytics.f_first_wins;
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
  elsif tg_op = 'INSERT' then
    ids := array(select distinct n.deal_id from new_rows n where n.stage = 'Closed Won');
  elsif tg_op = 'DELETE' then
    ids := array(select distinct o.deal_id from old_rows o where o.stage = 'Closed Won');
  else
    ids := array(select n.deal_id from new_rows n where n.stage = 'Closed Won'
      union select o.deal_id from old_rows o where o.stage = 'Closed Won');
  end if;
  if cardinality(ids) = 0 then
    return null;
  end if;
  delete from analytics.f_first_wins f where f.deal_id = any(ids);
  insert into analytics.f_first_wins
  select w.deal_id, w.won_at, w.created_at, w.amount from analytics.first_wins w
  where w.deal_id = any(ids);
  return null;
end
$$;
create trigger f_deals_first_wins_insert after insert on analytics.f_deals
  referencing new table as new_rows
  for each statement execute function analytics.keep_first_wins();
create trigger f_deals_first_wins_update after update on analytics.f_deals
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.keep_first_wins();
create trigger f_deals_first_wins_delete after delete on analytics.f_deals
  referencing old table as old_rows
  for each statement execute function analytics.keep_first_wins();
create trigger f_deals_first_wins_truncate after truncate on analytics.f_deals
  for each statement execute function analytics.keep_first_wins();
create trigger f_stage_entries_first_wins_insert after insert on analytics.f_stage_entries
  referencing new table as new_rows
  for each statement execute function analytics.keep_first_wins();
create trigger f_stage_entries_first_wins_update after update on analytics.f_stage_entries
  referencing old table as old_rows new table as new_rows
  for each statement execute function analytics.keep_first_wins();
create trigger f_stage_entries_first_wins_delete after delete on analytics.f_stage_entries
  referencing old table as old_rows
  for each statement execute function analytics.keep_first_wins();
create trigger f_stage_entries_first_wins_truncate after truncate on analytics.f_stage_entries
  for each statement execute function analytics.keep_first_wins();
revoke all on function analytics.keep_first_wins() from public;

insert into analytics.f_first_wins select * from analytics.first_wins;
analyze analytics.f_first_wins;
