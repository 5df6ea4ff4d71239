-- "Why" questions: what moved a number against the previous equal period, split into its
-- contributions (largest first). Each reads the same facts, with the same filters and periods,
-- as the KPI the plain question answers (ask_intents.sql checks that the parts add up to it).

-- The share of a total change one part explains, when it moves the same way (else null).
create function ask.share_of_change(part numeric, total numeric) returns numeric
language sql immutable
as $$ select case when total <> 0 and sign(part) = sign(total) then round(100 * part / total) end $$;
comment on function ask.share_of_change(numeric, numeric) is
  'part ÷ total × 100 (whole percent) when part and total have the same sign, else null';

-- Why won revenue moved: revenue vs the same days of the previous period (analytics.revenue's
-- deals: Closed Won by Closing_Date, created by as_of, alive at its end), by source and by owner;
-- within a dimension the changes add up to the total change.
create function ask.why_revenue(p_as_of date, p_period text default 'this_month')
returns table (label text, dimension text, key text, current numeric, previous numeric,
  change numeric, share_pct numeric, current_deals bigint, previous_deals bigint)
language sql stable
set jit = off
as $$
  with w as (select * from ask.period_window(p_as_of, p_period)),
  p as (select p.* from w join analytics.periods(w.as_of) p on p.period = w.period),
  won as (
    select f.lead_source, f.owner_id, f.owner_name, coalesce(f.amount, 0) as amount,
      f.closing_date >= p.start_day as cur
    from analytics.f_deals f, p, w
    where f.is_won and f.created_day <= w.as_of
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(w.as_of) from w))
      and f.closing_date >= p.prev_start and f.closing_date < p.end_day
      and (f.closing_date >= p.start_day or f.closing_date < p.prev_end)
  ),
  g as (
    select analytics.dimension(grouping(lead_source), grouping(owner_id)) as dimension,
      analytics.dimension_key(grouping(lead_source), lead_source, grouping(owner_id), owner_id)
        as key,
      analytics.owner_label(grouping(owner_id), max(owner_name)) as owner_name,
      coalesce(sum(amount) filter (where cur), 0) as cur,
      coalesce(sum(amount) filter (where not cur), 0) as prev,
      count(*) filter (where cur) as cur_deals, count(*) filter (where not cur) as prev_deals
    from won
    group by grouping sets ((), (lead_source), (owner_id))
  )
  -- The empty grouping set gives the 'all' row even when no deal was won in either window.
  select w.label, g.dimension, coalesce(g.owner_name, g.key), g.cur, g.prev, g.cur - g.prev,
    ask.share_of_change(g.cur - g.prev, t.cur - t.prev), g.cur_deals, g.prev_deals
  from w, g, g t
  where t.dimension = 'all'
  order by g.dimension <> 'all', abs(g.cur - g.prev) desc, g.dimension, 3
$$;
comment on function ask.why_revenue(date, text) is
  'Closed Won revenue of the period vs the same days of the previous period (analytics.revenue''s '
  'definition), all and by source and owner; change = current − previous, largest first; '
  'share = change ÷ total change × 100 for parts moving with the total';

-- Why new leads moved: analytics.leads_created's counts vs the previous equal period, by source
-- and by owner (the lead status split is left out: it describes leads, it does not drive them).
create function ask.why_leads(p_as_of date, p_period text default 'this_month')
returns table (label text, dimension text, key text, current numeric, previous numeric,
  change numeric, share_pct numeric)
language sql stable
set jit = off
as $$
  with l as (
    select w.label as period_label, l.*
    from ask.period_window(p_as_of, p_period) w
    join lateral analytics.leads_created(w.as_of, w.period) l on l.dimension <> 'status'
  )
  select l.period_label, l.dimension,
    case when l.dimension = 'owner' then l.label else l.key end,
    l.leads, l.prev_leads, l.leads - l.prev_leads,
    ask.share_of_change(l.leads - l.prev_leads, t.leads - t.prev_leads)
  from l, l t
  where t.dimension = 'all'
  order by l.dimension <> 'all', abs(l.leads - l.prev_leads) desc, l.dimension, l.key
$$;
comment on function ask.why_leads(date, text) is
  'Leads created in the period vs the previous equal period (analytics.leads_created), all and '
  'by source and owner; change = current − previous, largest first; share as ask.why_revenue';

-- Why the pipeline closing in the period moved: analytics.pipeline_waterfall's steps as signed
-- contributions (new and moved in add, won, lost, moved out and removed subtract, amount
-- changes either way), largest first, between its start and its end.
create function ask.why_pipeline(p_as_of date, p_period text default 'this_quarter')
returns table (label text, step text, deals bigint, change numeric, start_amount numeric,
  end_amount numeric, net_change numeric)
language sql stable
set jit = off
as $$
  with s as (
    select w.label, s.step, s.deals, s.amount
    from ask.period_window(p_as_of, p_period) w
    join lateral analytics.pipeline_waterfall(w.as_of, w.period) s on true
  ),
  ends as (
    select (select amount from s where step = 'start') as a0,
      (select amount from s where step = 'end') as a1
  ),
  c as (
    select s.label, s.step, s.deals,
      case when s.step in ('won', 'lost', 'moved_out', 'removed') then -s.amount
        else s.amount end as change
    from s
    where s.step not in ('start', 'end') and s.deals > 0
  )
  select u.* from (
    select c.label, c.step, c.deals, c.change, ends.a0, ends.a1, ends.a1 - ends.a0
    from c, ends
    union all
    -- No movement at all still says where the pipeline stands.
    select s.label, 'none', 0, 0, ends.a0, ends.a1, ends.a1 - ends.a0
    from s, ends
    where s.step = 'start' and not exists (select 1 from c)
  ) u
  order by abs(u.change) desc, u.step
$$;
comment on function ask.why_pipeline(date, text) is
  'The pipeline closing in the period (analytics.pipeline_waterfall), start → end, as signed '
  'contributions: + new, moved in, changed; − won, lost, moved out, removed; largest first';

revoke all on all functions in schema ask from public;
grant execute on all functions in schema ask to service_role;
