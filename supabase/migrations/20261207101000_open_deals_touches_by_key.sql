-- analytics.open_deal_health looks each open deal's touches up by primary key (analytics/kpis_stages.sql):
-- deal_risks 260-275 → 197-200 ms at 1M leads (all columns read).
create or replace function analytics.open_deal_health(p_as_of date, p_stage_medians jsonb)
returns table (deal_id text, owner_id text, stage text, amount numeric, closing_date date,
  stage_entered_at timestamptz, days_in_stage numeric, stage_median_days numeric,
  past_median boolean, last_change_at timestamptz, days_since_change numeric,
  stale_after_days integer, is_stale boolean, is_slipped boolean, close_date_pushes bigint)
language sql stable
as $$
  with t as (select (select analytics.day_end(p_as_of)) as t1),
  med as (
    select m.key as stage, m.value::numeric as median_days_in_stage
    from jsonb_each_text(p_stage_medians) m
  )
  select d.id, d.owner_id, d.stage, d.amount, d.closing_date,
    coalesce(c.entered_at, d.created_at),
    round(analytics.days(t.t1 - coalesce(c.entered_at, d.created_at)), 2),
    m.median_days_in_stage,
    analytics.days(t.t1 - coalesce(c.entered_at, d.created_at))
      > m.median_days_in_stage,
    greatest(d.modified_at, tc.last_at),
    round(analytics.days(t.t1 - greatest(d.modified_at, tc.last_at, d.created_at)), 2),
    s.stale_days,
    analytics.days(t.t1 - greatest(d.modified_at, tc.last_at, d.created_at))
      > s.stale_days,
    d.closing_date < p_as_of,
    pu.n
  from analytics.f_deals d
  cross join t
  -- The deal's latest stage entry up to as_of (stage null = deletion marker), when it is the
  -- deal's current stage (as the distinct-on over analytics.stage_entries did). Entries merge
  -- Zoho's Stage_History, so a stage entered before our first sync is aged from its entry.
  left join lateral (
    select s.stage, s.entered_at
    from analytics.f_stage_entries s
    where s.deal_id = d.id and s.entered_at < t.t1
    order by s.seq desc
    limit 1
  ) c on c.stage = d.stage
  left join med m on m.stage = d.stage
  left join analytics.stage_settings s on s.stage = d.stage
  -- The deal's touches by primary key (offset 0: a join hashed the 123k deals' touches of the
  -- 1M-lead demo for 11.8k open deals, 60 ms more)
  left join lateral (select tc.last_at from analytics.f_touches tc
    where tc.parent_module = 'Deals' and tc.parent_id = d.id and tc.last_at < t.t1 offset 0) tc
    on true
  -- Closing_Date pushes on one timeline: the Stage_History rows (the Closing_Date of each stay,
  -- from before our first sync too) and every version we own, in time order (history rows first
  -- at equal times); a push = a later Closing_Date than the point before.
  cross join lateral (
    select count(*) filter (where c.at < t.t1 and not c.gone and c.closing_date > c.before) as n
    from (
      select p.at, p.gone, p.closing_date,
        lag(p.closing_date) over (order by p.at, p.ord) as before
      from (
        select h.entered_at as at, 0 as ord, false as gone, h.closing_date
        from analytics.f_stage_history h where h.deal_id = d.id
        union all
        select v.valid_from, v.version, v.change = 'delete', v.closing_date
        from analytics.f_deal_versions v where v.deal_id = d.id
      ) p
    ) c
  ) pu
  where not d.is_closed and d.created_day <= p_as_of
    and analytics.alive_at(d.deleted_at, t.t1)
$$;
