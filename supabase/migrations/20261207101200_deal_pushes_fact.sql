-- Closing_Date pushes kept per deal (analytics.f_deal_pushes, analytics/facts.sql), rebuilt with its
-- stage entries (relink_stage_entries) and by the full rebuild from the view analytics.deal_pushes;
-- open deal health counts them by index instead of ordering each open deal's timeline.
create unlogged table analytics.f_deal_pushes (
  deal_id text not null,
  pushed_at timestamptz not null
);
comment on table analytics.f_deal_pushes is
  'Closing_Date pushes per deal (Stage_History rows merged with the versions we own, in time '
  'order): the instant of each point whose Closing_Date is later than the point before';
create index f_deal_pushes_deal_idx on analytics.f_deal_pushes (deal_id, pushed_at);

alter table analytics.f_deal_pushes enable row level security;
revoke all on analytics.f_deal_pushes from anon, authenticated;
grant select on analytics.f_deal_pushes to service_role;

-- Every deal's Closing_Date pushes, derived (analytics.f_deal_pushes keeps them). A filter on
-- deal_id reaches both tables' deal indexes (the window is per deal): relink_stage_entries reads
-- a few deals, the full rebuild all of them in one pass (0.8 s at 1M leads; through a list of
-- every deal id 2.6 s).
create or replace view analytics.deal_pushes as
  select c.deal_id, c.at as pushed_at
  from (
    select p.deal_id, p.at, p.gone, p.closing_date,
      lag(p.closing_date) over (partition by p.deal_id order by p.at, p.ord, p.row_id)
        as before
    from (
      select h.deal_id, h.entered_at as at, 0 as ord, h.row_id, false as gone, h.closing_date
      from analytics.f_stage_history h
      union all
      select v.deal_id, v.valid_from, v.version, null, v.change = 'delete', v.closing_date
      from analytics.f_deal_versions v
    ) p
  ) c
  where not c.gone and c.closing_date > c.before;
comment on view analytics.deal_pushes is
  'Closing_Date pushes of every deal, derived from f_stage_history and f_deal_versions (kept in '
  'analytics.f_deal_pushes)';
revoke all on analytics.deal_pushes from anon, authenticated;
grant select on analytics.deal_pushes to service_role;

-- Rebuilds the stage entries and Closing_Date pushes of the given deals.
create or replace function analytics.relink_stage_entries(p_deal_ids text[]) returns void
language sql
as $$
  delete from analytics.f_stage_entries s where s.deal_id = any(p_deal_ids);
  insert into analytics.f_stage_entries select * from analytics.stage_entry_facts(p_deal_ids);
  delete from analytics.f_deal_pushes p where p.deal_id = any(p_deal_ids);
  insert into analytics.f_deal_pushes
  select * from analytics.deal_pushes p where p.deal_id = any(p_deal_ids);
$$;

create or replace function analytics.refresh_facts() returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  tz text := analytics.time_zone();
begin
  perform pg_advisory_xact_lock(hashtext('analytics.refresh_facts'));
  truncate analytics.f_leads, analytics.f_deals, analytics.f_touches, analytics.f_activities,
    analytics.f_touches_dirty, analytics.f_deal_versions, analytics.f_stage_history,
    analytics.f_stage_entries, analytics.f_deal_pushes, analytics.f_campaigns,
    analytics.facts_built;

  -- Touches first: a lead's fact carries its first touch.
  insert into analytics.f_activities
  select f.* from zoho.records r, analytics.activity_fact(r.module, r.id, r.data, r.deleted_at) f
  where r.module in ('Calls', 'Tasks', 'Events');

  insert into analytics.f_touches
  select a.parent_module, a.parent_id, min(a.touched_at), max(a.touched_at)
  from analytics.f_activities a
  group by a.parent_module, a.parent_id;

  insert into analytics.f_leads
  select f.* from zoho.records r, analytics.lead_fact(r.id, r.data, r.deleted_at, tz) f
  where r.module = 'Leads';

  insert into analytics.f_deals
  select f.* from zoho.records r, analytics.deal_fact(r.id, r.data, r.deleted_at, tz) f
  where r.module = 'Deals';

  insert into analytics.f_deal_versions
  select v.id, v.version, v.change, v.valid_from, lead(v.valid_from) over w, v.stage, v.amount,
    v.closing_date, lag(v.stage) over w, lag(v.closing_date) over w
  from (
    select rv.id, rv.version, rv.change, f.*
    from zoho.record_versions rv, analytics.deal_version_fact(rv.change, rv.data, rv.observed_at) f
    where rv.module = 'Deals'
  ) v
  window w as (partition by v.id order by v.version);

  insert into analytics.f_stage_history
  select h.deal_id, h.row_id, f.*
  from (
    select distinct on (sh.deal_id, sh.row_id) sh.deal_id, sh.row_id, sh.data
    from zoho.stage_history sh
    order by sh.deal_id, sh.row_id, sh.version desc
  ) h, analytics.stage_history_fact(h.data) f;

  -- Every stay at once: its rollup (analytics.r_stage_stays) is aggregated from the table after
  -- the insert, not by the statement trigger, whose capture of 1.1M inserted rows, log and fold
  -- cost about 4 s more at 1M leads (the lock truncate took already keeps writers out).
  alter table analytics.f_stage_entries disable trigger f_stage_entries_rollups_insert;
  insert into analytics.f_stage_entries
  select * from analytics.stage_entry_facts(array(select v.deal_id from analytics.f_deal_versions v
    union select h.deal_id from analytics.f_stage_history h));
  alter table analytics.f_stage_entries enable trigger f_stage_entries_rollups_insert;
  insert into analytics.r_stage_stays_folded
  select analytics.first_day_after(s.entered_at, tz), s.stage,
    coalesce(s.later_progress > s.progress, false), analytics.stay_bucket(s.h), count(*),
    coalesce(sum(s.h), 0)
  from (select e.*, analytics.stay_hundredths(e.entered_at, e.left_at) as h
    from analytics.f_stage_entries e offset 0) s
  where s.progress is not null and s.stage <> 'Closed Won'
  group by 1, 2, 3, 4;

  insert into analytics.f_deal_pushes select * from analytics.deal_pushes;

  perform analytics.refresh_campaign_facts();
  insert into analytics.facts_built default values;
  -- The rollups' log holds every fact just inserted: fold it (analytics/rollups.sql).
  perform analytics.fold_rollups();

  analyze analytics.f_leads;
  analyze analytics.f_deals;
  analyze analytics.f_activities;
  analyze analytics.f_touches;
  analyze analytics.f_deal_versions;
  analyze analytics.f_stage_history;
  analyze analytics.f_stage_entries;
  analyze analytics.f_deal_pushes;
  analyze analytics.f_campaigns;
end
$$;

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
  -- Closing_Date pushes up to the end of as_of (analytics.f_deal_pushes: Stage_History rows and
  -- versions on one timeline, kept per deal).
  cross join lateral (
    select count(*) as n from analytics.f_deal_pushes p
    where p.deal_id = d.id and p.pushed_at < t.t1
  ) pu
  where not d.is_closed and d.created_day <= p_as_of
    and analytics.alive_at(d.deleted_at, t.t1)
$$;

-- The pushes of the deals the facts hold.
insert into analytics.f_deal_pushes select * from analytics.deal_pushes;
analyze analytics.f_deal_pushes;
