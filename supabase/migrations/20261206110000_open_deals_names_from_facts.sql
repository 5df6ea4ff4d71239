-- ask.open_deals takes each open deal's name from the deal facts (analytics.f_deals.name =
-- Deal_Name, 20261206100100) instead of joining every open deal to its raw record, and has no
-- SET clause, so the queries of deals closing soon, top deals and deal risk inline it and reach
-- the new partial index of open deals by closing date.
create index if not exists f_deals_open_closing_idx on analytics.f_deals (closing_date)
  where not is_closed;

create or replace function ask.open_deals(p_as_of date)
returns table (deal_id text, name text, owner text, stage text, amount numeric,
  probability numeric, closing_date date, modified_at timestamptz)
language sql stable
as $$
  select d.id, d.name, d.owner_name, d.stage, d.amount, d.probability,
    d.closing_date, d.modified_at
  from analytics.f_deals d
  where not d.is_closed and d.created_day <= p_as_of
    and (d.deleted_at is null or d.deleted_at >= (select analytics.day_end(p_as_of)))
$$;
alter function ask.open_deals(date) reset jit;
