-- Issue 26: "why" questions (drivers of a change in revenue, leads, the pipeline), a period vs
-- the one before, "what should I do" from the latest brief, red flags; revenue and deal size of
-- one source or owner, lead conversion of one source, stale/slipped deals of one stage.
drop function if exists ask.revenue(date, text);
drop function if exists ask.deal_size(date, text);
drop function if exists ask.deal_risk(date, text, text);
drop function if exists ask.lead_conversion(date, integer);

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

-- Closed Won revenue of the period (analytics.revenue; target and attainment for quarters and
-- years), or of one lead source or owner (ask.why_revenue's split of the same deals; no target).
create function ask.revenue(p_as_of date, p_period text default 'this_month',
  p_source text default null, p_owner text default null)
returns table (label text, start_day date, end_day date, revenue numeric, won_deals bigint,
  prev_revenue numeric, growth_pct numeric, target numeric, attainment_pct numeric)
language sql stable
set jit = off
as $$
  select w.label, r.start_day, r.end_day - 1, r.revenue, r.won_deals, r.prev_revenue,
    r.growth_pct, r.target, r.attainment_pct
  from ask.period_window(p_as_of, p_period) w
  join lateral analytics.revenue(w.as_of) r on r.period = w.period
  where p_source is null and p_owner is null
  union all
  select w.label, r.start_day, r.end_day - 1, d.current, d.current_deals, d.previous,
    analytics.pct(d.change, d.previous), null, null
  from ask.period_window(p_as_of, p_period) w
  join lateral analytics.revenue(w.as_of) r on r.period = w.period
  join lateral ask.why_revenue(p_as_of, p_period) d
    on (p_owner is not null and d.dimension = 'owner' and d.key = p_owner)
    or (p_owner is null and d.dimension = 'source' and d.key = p_source)
  where p_source is not null or p_owner is not null
$$;
comment on function ask.revenue(date, text, text, text) is
  'Revenue = sum of Amount of Closed Won deals closing in the period (analytics.revenue); '
  'prev = previous equal period; attainment = revenue ÷ company target (quarter/year); with a '
  'source or owner, that part of the same deals (ask.why_revenue), without target';


-- Average and median won deal size and sales cycle (created → closed) in the period, of all
-- won deals or of one lead source or owner (analytics.deal_size's splits).
create function ask.deal_size(p_as_of date, p_period text default 'last_12_months',
  p_source text default null, p_owner text default null)
returns table (label text, won_deals bigint, avg_amount numeric, median_amount numeric,
  avg_cycle_days numeric, median_cycle_days numeric)
language sql stable
set jit = off
as $$
  select w.label, d.won_deals, d.avg_amount, d.median_amount, d.avg_cycle_days,
    d.median_cycle_days
  from ask.period_window(p_as_of, p_period) w
  join lateral analytics.deal_size(w.as_of, w.period) d
    on case when p_owner is not null then d.dimension = 'owner' and d.label = p_owner
      when p_source is not null then d.dimension = 'source' and d.key = p_source
      else d.dimension = 'all' end
$$;
comment on function ask.deal_size(date, text, text, text) is
  'Won deals closing in the period: average/median Amount and days created → closed '
  '(analytics.deal_size), all or of one source or owner';


-- Lead → deal and lead → won conversion of the last monthly cohorts, of all leads or of one
-- lead source (analytics.cohort_conversion's split).
create function ask.lead_conversion(p_as_of date, p_months integer default 3,
  p_source text default null)
returns table (cohort_month date, leads bigint, with_deal bigint, won bigint,
  lead_to_deal_pct numeric, lead_to_won_pct numeric, incomplete boolean)
language sql stable
set jit = off
as $$
  select c.cohort_month, c.leads, c.with_deal, c.won, c.lead_to_deal_pct, c.lead_to_won_pct,
    c.incomplete
  from analytics.cohort_conversion(p_as_of, least(greatest(p_months, 1), 12)) c
  where case when p_source is null then c.dimension = 'all'
    else c.dimension = 'source' and c.key = p_source end
  order by c.cohort_month desc
$$;
comment on function ask.lead_conversion(date, integer, text) is
  'Monthly lead cohorts: share that became a deal and a won deal (analytics.cohort_conversion), '
  'all or of one source; incomplete = cohort younger than the maturity setting';


-- Open deals with no change or activity for longer than their stage allows, or whose closing
-- date has passed (analytics.open_deal_health; stage medians are not needed for either).
create function ask.deal_risk(p_as_of date, p_kind text default 'stale',
  p_owner text default null, p_stage text default null)
returns table (deals bigint, amount numeric, open_deals bigint, top jsonb)
language sql stable
set jit = off
as $$
  with h as (
    select h.*, o.name, o.owner
    from analytics.open_deal_health(p_as_of, '{}'::jsonb) h
    join ask.open_deals(p_as_of) o on o.deal_id = h.deal_id
    where (p_owner is null or o.owner = p_owner) and (p_stage is null or h.stage = p_stage)
  ),
  r as (
    select * from h
    where case p_kind when 'stale' then h.is_stale when 'slipped' then h.is_slipped end
  )
  select (select count(*) from r), (select coalesce(sum(r.amount), 0) from r),
    (select count(*) from h),
    coalesce((select jsonb_agg(jsonb_build_object('name', t.name, 'owner', t.owner,
        'stage', t.stage, 'amount', t.amount, 'closing_date', t.closing_date,
        'days_since_change', t.days_since_change) order by t.amount desc nulls last, t.name)
      from (select * from r order by r.amount desc nulls last, r.name limit 3) t), '[]')
$$;
comment on function ask.deal_risk(date, text, text, text) is
  'stale = open deals idle (no change, no activity) longer than their stage''s stale_days; '
  'slipped = open deals with Closing_Date before as_of (analytics.open_deal_health); of one '
  'owner and/or stage when given';


-- Questions about the whole picture: "what should I do" (the latest brief's critical gap,
-- immediate action and its next findings, most material first), "any red flags" (this week's
-- anomalies, slipped and stale deals, from the same functions as the anomalies and deal-risk
-- questions) and "this quarter vs last" (key figures of a period beside the previous one's).

-- The latest brief written for a snapshot as of p_as_of or earlier: its critical gap, immediate
-- action and the first two insights (the brief orders them most material first).
create function ask.next_actions(p_as_of date)
returns table (as_of date, model text, created_at timestamptz, critical_gap text,
  immediate_action text, next_steps text[])
language sql stable
set jit = off
as $$
  select s.as_of, b.model, b.created_at, b.content -> 'critical_gap' ->> 'text',
    b.content -> 'immediate_action' ->> 'text',
    array(select i ->> 'text' from jsonb_array_elements(b.content -> 'insights')
      with ordinality x(i, n) order by x.n limit 2)
  from brief.briefs b
  join analytics.snapshots s on s.id = b.snapshot_id
  where s.as_of <= p_as_of
  order by s.as_of desc, b.created_at desc
  limit 1
$$;
comment on function ask.next_actions(date) is
  'The latest brief as of p_as_of: critical gap, immediate action, the first two insights '
  '(most material first, as brief.driver_facts ranks them)';

-- Everything that needs a look: this week's source anomalies (ask.anomalies; company-wide, so
-- left out when a rep is asked about), then slipped and stale open deals (ask.deal_risk).
create function ask.red_flags(p_as_of date, p_owner text default null)
returns table (kind text, items bigint, amount numeric, open_deals bigint, top jsonb)
language sql stable
set jit = off
as $$
  select 'anomaly', count(*), null::numeric, null::bigint,
    coalesce(jsonb_agg(to_jsonb(a) order by abs(a.robust_z) desc, a.metric, a.lead_source), '[]')
  from ask.anomalies(p_as_of) a
  where p_owner is null
  having p_owner is null
  union all
  select 'slipped', r.deals, r.amount, r.open_deals, r.top
  from ask.deal_risk(p_as_of, 'slipped', p_owner) r
  union all
  select 'stale', r.deals, r.amount, r.open_deals, r.top
  from ask.deal_risk(p_as_of, 'stale', p_owner) r
$$;
comment on function ask.red_flags(date, text) is
  'Red flags: source anomalies this week (ask.anomalies, only without an owner), slipped and '
  'stale open deals (ask.deal_risk) with their count, Amount and 3 largest';

-- One period's key figures beside the previous equal period's: won revenue and deals
-- (ask.why_revenue: analytics.revenue's definition), new leads (analytics.leads_created), new
-- deals and their amount (ask.new_deals) and the win rate of deals closed in each window
-- (analytics.win_rate as of each window's last day).
create function ask.compare(p_as_of date, p_period text default 'this_month')
returns table (label text, start_day date, end_day date, prev_start_day date, prev_end_day date,
  metric text, current numeric, previous numeric, change_pct numeric)
language sql stable
set jit = off
as $$
  with w as (select * from ask.period_window(p_as_of, p_period)),
  p as (select p.* from w join analytics.periods(w.as_of) p on p.period = w.period),
  rev as (select * from ask.why_revenue(p_as_of, p_period) where dimension = 'all'),
  leads as (
    select l.leads, l.prev_leads from w
    join lateral analytics.leads_created(w.as_of, w.period) l on l.dimension = 'all'
  ),
  deals as (select * from ask.new_deals(p_as_of, p_period)),
  rate as (
    select (select r.win_rate_count_pct from analytics.win_rate(w.as_of, w.period) r
        where r.dimension = 'all') as cur,
      (select r.win_rate_count_pct from analytics.win_rate(p.prev_end - 1, w.period) r
        where r.dimension = 'all') as prev
    from w, p
  ),
  m as (
    select 1 as o, 'revenue' as metric, rev.current as cur, rev.previous as prev from rev
    union all select 2, 'won_deals', rev.current_deals, rev.previous_deals from rev
    union all select 3, 'new_leads', leads.leads, leads.prev_leads from leads
    union all select 4, 'new_deals', deals.deals, deals.prev_deals from deals
    union all select 5, 'new_deal_amount', deals.amount, deals.prev_amount from deals
    union all select 6, 'win_rate_pct', rate.cur, rate.prev from rate
  )
  select w.label, p.start_day, p.end_day - 1, p.prev_start, p.prev_end - 1, m.metric, m.cur,
    m.prev, case when m.metric = 'win_rate_pct' then m.cur - m.prev
      else analytics.pct(m.cur - m.prev, m.prev) end
  from m, w, p
  order by m.o
$$;
comment on function ask.compare(date, text) is
  'The period vs the previous equal period: won revenue and deals (analytics.revenue), new leads '
  '(analytics.leads_created), new deals and amount (ask.new_deals), win rate (analytics.win_rate '
  'of each window); change_pct = (current − previous) ÷ previous × 100; for the win rate, '
  'current − previous in points';

revoke all on all functions in schema ask from public;
grant execute on all functions in schema ask to service_role;
