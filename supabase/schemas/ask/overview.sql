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
