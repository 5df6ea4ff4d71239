-- analytics.forecast_new_business reads each past quarter's window of Closed Won entries by time (a new
-- partial index) and keeps each deal's first win (analytics/forecast.sql, forecast_sim.sql): 135-185
-- → 83-93 ms at 1M leads.
create index if not exists f_stage_entries_won_at_idx on analytics.f_stage_entries (entered_at)
  include (deal_id) where stage = 'Closed Won';

create or replace function analytics.forecast_new_business(p_as_of date,
  p_quarters integer default 8)
returns table (quarter_start date, amount numeric)
language sql stable
as $$
  with q as (
    select (date_trunc('quarter', p_as_of::timestamp) - k * interval '3 months')::date as qs,
      p_as_of - date_trunc('quarter', p_as_of::timestamp)::date as off
    from generate_series(1, p_quarters) k
  ),
  -- materialized: evaluated once, not per joined row (analytics.time_zone() reads a table)
  b as materialized (
    select q.qs,
      ((q.qs + q.off + 1)::timestamp at time zone analytics.time_zone()) as from_t,
      (((q.qs + interval '3 months')::date)::timestamp at time zone analytics.time_zone()) as to_t
    from q
  ),
  first_deal as (select min(d.created_at) as at from analytics.f_deals d),
  -- The deals won in each quarter's window and created in it: the window's Closed Won entries by
  -- time (f_stage_entries_won_at_idx) that are their deal's first (f_stage_entries_won_idx),
  -- each deal by primary key. Every deal's first win joined to every quarter read all 84k wins
  -- and 200k deals at 1M leads (135-185 ms); the windows hold 20k entries (83-93 ms in all).
  w as (
    select b.qs, d.amount
    from b
    join analytics.f_stage_entries e on e.stage = 'Closed Won' and e.entered_at >= b.from_t
      and e.entered_at < b.to_t
    -- offset 0: a lookup per entry (a join hashes every deal)
    cross join lateral (select d.amount, d.created_at from analytics.f_deals d
      where d.id = e.deal_id offset 0) d
    where d.created_at >= b.from_t
      and e.entered_at = (select min(x.entered_at) from analytics.f_stage_entries x
        where x.stage = 'Closed Won' and x.deal_id = e.deal_id)
  )
  select b.qs, coalesce(sum(w.amount), 0)
  from b
  cross join first_deal f
  left join w on w.qs = b.qs
  where f.at is not null
    and b.qs >= (f.at at time zone analytics.time_zone())::date
  group by b.qs
  order by b.qs
$$;
