-- KPIs over deals moving through the stages: stage entries and stage conversion, open deal
-- health and its risks (against the stage medians). Conventions and shared rules:
-- analytics/rules.sql.

create or replace function analytics.stage_entries(p_as_of date)
returns table (deal_id text, version integer, stage text, entered_at timestamptz,
  left_at timestamptz, next_stage text)
language sql stable
as $$
  select s.deal_id, s.version, s.stage, s.entered_at, lead(s.entered_at) over w,
    lead(s.stage) over w
  from analytics.f_stage_entries s
  where s.entered_at < (select analytics.day_end(p_as_of))
  window w as (partition by s.deal_id order by s.seq)
$$;
comment on function analytics.stage_entries(date) is
  'Stage entries up to p_as_of: Zoho''s Stage_History merged with the versions we own '
  '(analytics.f_stage_entries; version null = known from Stage_History only, stage null = '
  'deleted marker)';

create or replace function analytics.stage_conversion(p_as_of date, p_period text default 't12m')
returns table (stage text, stage_position integer, entered bigint, advanced bigint,
  conversion_pct numeric, completed_stays bigint, avg_days_in_stage numeric,
  median_days_in_stage numeric)
language plpgsql stable
-- Planned with its instants and days: the deals with entries after as_of are none for today and
-- many for a past as_of.
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
declare
  v_tz text := analytics.time_zone();
  v_d0 date := (select w.start_day from analytics.periods(p_as_of) w where w.period = p_period);
  v_t1 timestamptz := analytics.day_end(p_as_of);
  v_t0 timestamptz := v_d0::timestamp at time zone v_tz;
  -- The window's whole months [v_m0, v_m1)
  v_m0 date;
  v_m1 date;
begin
  select m.m0, m.m1 into v_m0, v_m1 from analytics.whole_months(v_d0, p_as_of + 1) m;
  -- The stays entered in the window are the rollup's rows of its days (analytics.r_stage_stays,
  -- each stay in its final state; whole months from analytics.r_stage_stays_month), corrected
  -- for the deals with entries after as_of: their stays in the window out (-1) and in again as of
  -- as_of (+1: the window over their entries up to as_of). Twelve months at 1M leads: about 60k rollup rows instead of 464k stays (0.53 s →
  -- 0.07 s). The median comes from the length buckets: the bucket(s) holding the middle rank(s),
  -- then the exact lengths of that bucket's stays.
  return query
  with rank as (
    select s.stage, s.position,
      case when s.is_open or s.stage = 'Closed Won' then s.position end as progress
    from analytics.stage_settings s
  ),
  later as (
    -- out: as the rollup holds them (analytics.stage_stay_key)
    select k.stage, k.advanced, k.h, -1 as n
    from analytics.f_stage_entries s, analytics.stage_stay_key(s, v_tz) k
    where s.last_entry_at >= v_t1 and s.entered_at >= v_t0 and s.entered_at < v_t1
    union all
    -- in: as of as_of
    select y.stage, coalesce(y.later_progress > y.progress, false),
      analytics.stay_hundredths(y.entered_at, y.left_at), 1
    from (
      select s.stage, s.progress, s.entered_at,
        max(s.progress) over (w rows between 1 following and unbounded following)
          as later_progress,
        lead(s.entered_at) over w as left_at
      from analytics.f_stage_entries s
      where s.last_entry_at >= v_t1 and s.entered_at < v_t1
      window w as (partition by s.deal_id order by s.seq)
    ) y
    where y.entered_at >= v_t0 and y.progress is not null and y.stage <> 'Closed Won'
  ),
  g as (
    select u.stage, u.advanced, u.bucket, sum(u.stays) as stays, sum(u.days_h) as days_h
    from (
      -- whole months from the monthly rows, the edge days from the daily ones, the log by day
      select r.stage, r.advanced, r.bucket, r.stays, r.days_h
      from analytics.r_stage_stays_month r
      where r.entered_month >= v_m0 and r.entered_month < v_m1
      union all
      select r.stage, r.advanced, r.bucket, r.stays, r.days_h
      from analytics.r_stage_stays_folded r
      where (r.entered_day >= v_d0 and r.entered_day < v_m0)
        or (r.entered_day >= v_m1 and r.entered_day <= p_as_of)
      union all
      select r.stage, r.advanced, r.bucket, r.stays, r.days_h
      from analytics.r_stage_stays_log r
      where r.entered_day >= v_d0 and r.entered_day <= p_as_of
      union all
      select l.stage, l.advanced, analytics.stay_bucket(l.h), l.n, l.n * coalesce(l.h, 0)
      from later l
    ) u
    group by 1, 2, 3
  ),
  t as (
    select g.stage, sum(g.stays)::bigint as entered,
      coalesce(sum(g.stays) filter (where g.advanced), 0)::bigint as advanced,
      coalesce(sum(g.stays) filter (where g.bucket is not null), 0)::bigint as completed,
      sum(g.days_h) as days_h
    from g
    group by 1
  ),
  -- Per stage, the bucket(s) of the completed stays holding ranks (n + 1) / 2 and n / 2 + 1.
  b as (
    select c.stage, c.bucket, c.below, c.n
    from (
      -- bigint: ranks divide as integers
      select g.stage, g.bucket,
        (sum(sum(g.stays)) over (partition by g.stage order by g.bucket)
          - sum(g.stays))::bigint as below,
        (sum(sum(g.stays)) over (partition by g.stage order by g.bucket))::bigint as upto,
        (sum(sum(g.stays)) over (partition by g.stage))::bigint as n
      from g
      where g.bucket is not null
      group by g.stage, g.bucket
    ) c
    where c.n > 0 and c.upto >= (c.n + 1) / 2 and c.below < c.n / 2 + 1
  ),
  -- Their stays' exact lengths, sorted: ranks counted from the first bucket's "below".
  m as (
    select b.stage, min(b.below) as below, min(b.n) as n,
      array_agg(x.h order by x.h) as s
    from b
    cross join lateral (
      select analytics.stay_hundredths(s.entered_at, s.left_at) as h
      from analytics.f_stage_entries s
      where s.stage = b.stage and s.left_at is not null
        and analytics.stay_bucket(analytics.stay_hundredths(s.entered_at, s.left_at)) = b.bucket
        and s.entered_at >= v_t0 and s.entered_at < v_t1 and s.last_entry_at < v_t1
      union all
      select l.h from later l
      where l.stage = b.stage and l.n = 1 and analytics.stay_bucket(l.h) = b.bucket
    ) x
    group by b.stage
  )
  select r.stage, r.position, coalesce(t.entered, 0), coalesce(t.advanced, 0),
    analytics.pct(coalesce(t.advanced, 0), coalesce(t.entered, 0)), coalesce(t.completed, 0),
    -- as avg(round(days, 2)): Σ (scale 2) ÷ count, rounded
    round(round(t.days_h / 100.0, 2) / nullif(t.completed, 0), 2),
    -- as analytics.median: the mean of the two middle values (kept in hundredths)
    round((m.s[((m.n + 1) / 2 - m.below)::integer]
      + m.s[(m.n / 2 + 1 - m.below)::integer]) / 200.0, 2)
  from rank r
  left join t on t.stage = r.stage
  left join m on m.stage = r.stage
  where r.progress is not null and r.stage <> 'Closed Won'
  order by r.position;
end
$$;
comment on function analytics.stage_conversion(date, text) is
  'Stage-to-stage conversion = entries into a stage in the period that later reached a further '
  'stage (higher position, or Closed Won) ÷ entries (skip-tolerant variant of entries(n+1) ÷ '
  'entries(n)); days in stage = entry to the next stage change or deletion, completed stays '
  'only; from Zoho''s Stage_History (stays before our first sync) merged with the versions we '
  'own (analytics.f_stage_entries)';

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
  if cardinality(ids) > 0 then
    perform analytics.keep_deal_rows('analytics.f_open_deal_signals',
      'analytics.open_deal_signals', ids);
  end if;
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
  ),
  od as materialized (
    select d.id, d.owner_id, d.stage, d.amount, d.closing_date, d.created_at, d.modified_at
    from analytics.f_deals d, t
    where not d.is_closed and d.created_day <= p_as_of and analytics.alive_at(d.deleted_at, t.t1)
  ),
  -- The deals' last entries (left_at null) in their current stages, entered by as_of, from
  -- f_stage_entries_current_idx: each is the latest entry up to as_of, the one the probe below
  -- finds (11.8k probes of 4 buffers each at 1M leads: deal risks 63 → 50 ms).
  cur as (
    select s.deal_id, s.entered_at
    from analytics.f_stage_entries s, t
    where s.left_at is null and s.stage = any(array(select distinct od.stage from od))
      and s.entered_at < t.t1
  )
  select d.id, d.owner_id, d.stage, d.amount, d.closing_date,
    coalesce(c.entered_at, d.created_at),
    round(analytics.days(t.t1 - coalesce(c.entered_at, d.created_at)), 2),
    m.median_days_in_stage,
    -- (past the median and stale: the span's seconds against the median's or the stale days'
    -- seconds, the exact test without a numeric division per deal; 117 → 108 ms of deal risks at
    -- 1M leads, the same rows)
    extract(epoch from t.t1 - coalesce(c.entered_at, d.created_at))
      > m.median_days_in_stage * 86400,
    greatest(d.modified_at, tc.last_at),
    round(analytics.days(t.t1 - greatest(d.modified_at, tc.last_at, d.created_at)), 2),
    s.stale_days,
    extract(epoch from t.t1 - greatest(d.modified_at, tc.last_at, d.created_at))
      > s.stale_days * 86400,
    d.closing_date < p_as_of,
    pu.n
  from od d
  cross join t
  -- The deal's latest stage entry up to as_of (stage null = deletion marker), when it is the
  -- deal's current stage (as the distinct-on over analytics.stage_entries did): its last entry
  -- from cur, else one backward probe (a deal that moved after as_of, or whose last entry is in
  -- another stage). Entries merge Zoho's Stage_History, so a stage entered before our first sync
  -- is aged from its entry.
  left join cur c0 on c0.deal_id = d.id
  left join lateral (
    select s.stage, s.entered_at
    from analytics.f_stage_entries s
    where c0.deal_id is null and s.deal_id = d.id and s.entered_at < t.t1
    order by s.seq desc
    limit 1
  ) c1 on c1.stage = d.stage
  cross join lateral (select coalesce(c0.entered_at, c1.entered_at) as entered_at) c
  left join med m on m.stage = d.stage
  left join analytics.stage_settings s on s.stage = d.stage
  -- The deal's last touch and its Closing_Date pushes (analytics.f_deal_pushes: Stage_History
  -- rows and versions on one timeline) up to the end of as_of, from its kept signals (read at
  -- once and hashed): a touch after as_of is none (f_touches keeps the last one per deal), the
  -- pushes are the kept count when the last came before the end of as_of, else counted by
  -- index. A deal without kept signals (none while the facts are rebuilt) is looked up.
  left join analytics.f_open_deal_signals g on g.deal_id = d.id
  cross join lateral (
    select case when g.deal_id is null then (select tc.last_at from analytics.f_touches tc
        where tc.parent_module = 'Deals' and tc.parent_id = d.id and tc.last_at < t.t1)
      when g.last_touch_at < t.t1 then g.last_touch_at end as last_at
  ) tc
  cross join lateral (
    select case when g.deal_id is not null and (g.last_push_at is null or g.last_push_at < t.t1)
      then g.pushes
      else (select count(*) from analytics.f_deal_pushes p
        where p.deal_id = d.id and p.pushed_at < t.t1) end as n
  ) pu
$$;
comment on function analytics.open_deal_health(date, jsonb) is
  'analytics.open_deal_health(as_of) with the stage medians given as {stage: median days} (the '
  'median_days_in_stage of analytics.stage_conversion(as_of, ''t12m''), computed once per snapshot)';

create or replace function analytics.deal_risks(p_as_of date, p_stage_medians jsonb)
returns table (stage text, stage_position integer, open_deals bigint, amount numeric,
  past_median bigint, stale bigint, slipped bigint, pushed bigint, pushes bigint,
  at_risk_amount numeric)
language sql stable
as $$
  select h.stage, min(s.position), count(*), coalesce(sum(h.amount), 0),
    count(*) filter (where h.past_median), count(*) filter (where h.is_stale),
    count(*) filter (where h.is_slipped), count(*) filter (where h.close_date_pushes > 0),
    coalesce(sum(h.close_date_pushes), 0),
    coalesce(sum(h.amount) filter (where h.past_median or h.is_stale or h.is_slipped), 0)
  from analytics.open_deal_health(p_as_of, p_stage_medians) h
  left join analytics.stage_settings s on s.stage = h.stage
  group by grouping sets ((), (h.stage))
  order by 2 nulls first, 1
$$;
comment on function analytics.deal_risks(date, jsonb) is
  'analytics.deal_risks(as_of) with the stage medians given as {stage: median days} (see '
  'analytics.open_deal_health(date, jsonb))';

-- The t12m median days in stage as {stage: median days}: what open_deal_health compares with.
create or replace function analytics.stage_medians(p_as_of date) returns jsonb
language sql stable
as $$
  select jsonb_object_agg(c.stage, c.median_days_in_stage)
  from analytics.stage_conversion(p_as_of, 't12m') c
$$;
comment on function analytics.stage_medians(date) is
  'median_days_in_stage of analytics.stage_conversion(as_of, ''t12m'') as {stage: median days}';

create or replace function analytics.open_deal_health(p_as_of date)
returns table (deal_id text, owner_id text, stage text, amount numeric, closing_date date,
  stage_entered_at timestamptz, days_in_stage numeric, stage_median_days numeric,
  past_median boolean, last_change_at timestamptz, days_since_change numeric,
  stale_after_days integer, is_stale boolean, is_slipped boolean, close_date_pushes bigint)
language sql stable
as $$ select * from analytics.open_deal_health(p_as_of, analytics.stage_medians(p_as_of)) $$;
comment on function analytics.open_deal_health(date) is
  'Per open deal: days in current stage (since its last entry in Stage_History merged with the '
  'versions we own, else creation) vs the stage''s t12m median (past_median); stale = no change '
  '(Modified_Time or a call/task/event on the deal) for more than the stage''s stale_days; '
  'slipped = Closing_Date before p_as_of while open; close_date_pushes = Stage_History rows and '
  'versions that moved Closing_Date later';

create or replace function analytics.deal_risks(p_as_of date)
returns table (stage text, stage_position integer, open_deals bigint, amount numeric,
  past_median bigint, stale bigint, slipped bigint, pushed bigint, pushes bigint,
  at_risk_amount numeric)
language sql stable
as $$ select * from analytics.deal_risks(p_as_of, analytics.stage_medians(p_as_of)) $$;
comment on function analytics.deal_risks(date) is
  'Open deals past their stage median, stale, slipped and pushed, per stage and in total '
  '(stage null); at_risk_amount = Σ Amount of deals with any of the first three flags';
