-- Stage_History synced from the first sync: zoho.stage_history (each deal's history rows as Zoho
-- returns them, append-only), the queue of deals whose history is to be read (filled by new deal
-- versions; every stored deal queued here for the backfill), sync_logs.queued, and stage facts
-- (entries, conversion, days in stage, pushes) merging the history with the versions we own.
-- Append-only like zoho.record_versions: one row per distinct content of a history row. A row
-- whose content changes under the same id (Zoho fills Moved To and the duration of the stay that
-- was current when the deal moves on) is kept as version n + 1, never overwritten and never
-- refused: refusing would stop the sync on Zoho's own bookkeeping, overwriting would lose what
-- the row said before.
create table zoho.stage_history (
  deal_id text not null,
  row_id text not null,
  version integer not null default 1,
  data jsonb not null,
  content_hash text not null,
  modified_time timestamptz,
  first_seen_at timestamptz not null default now(),
  sync_run_id uuid,
  primary key (deal_id, row_id, version)
);
comment on table zoho.stage_history is
  'Append-only: every distinct content of every Deals/{id}/Stage_History row, whole as Zoho returned it';
comment on column zoho.stage_history.modified_time is
  'The row''s Modified_Time: when the deal entered the row''s Stage';
create trigger stage_history_append_only
  before update or delete on zoho.stage_history
  for each row execute function zoho.refuse_change();

-- Deals whose Stage_History is to be read: every deal once (the backfill), then each deal again
-- when a new version of it is stored (its Modified_Time moved: a deal that moved twice between
-- two syncs shows one new version, and its history list holds both moves). `version` is the deal
-- version that queued it: a read removes the entry only if no newer version queued it meanwhile.
create table zoho.stage_history_queue (
  deal_id text primary key,
  version integer not null,
  modified_time timestamptz,
  queued_at timestamptz not null default now()
);
comment on table zoho.stage_history_queue is
  'Deals whose Stage_History related list is to be (re)read; removed in the transaction storing the rows';
-- Read newest-changed first: the deals a recent period's stage figures count come first.
create index stage_history_queue_order_idx
  on zoho.stage_history_queue (modified_time desc nulls last, deal_id);

-- A new deal version (insert, update, restore: not a deletion, whose list cannot be read) queues
-- the deal, in the transaction that stores the version.
create or replace function zoho.queue_stage_history() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  insert into zoho.stage_history_queue as q (deal_id, version, modified_time)
  select n.id, max(n.version), max(n.modified_time)
  from new_rows n
  where n.module = 'Deals' and n.change <> 'delete'
  group by n.id
  on conflict (deal_id) do update set version = greatest(q.version, excluded.version),
    modified_time = greatest(q.modified_time, excluded.modified_time), queued_at = now();
  return null;
end
$$;
create trigger record_versions_queue_stage_history after insert on zoho.record_versions
  referencing new table as new_rows
  for each statement execute function zoho.queue_stage_history();

alter table zoho.stage_history enable row level security;
alter table zoho.stage_history_queue enable row level security;
revoke all on zoho.stage_history, zoho.stage_history_queue from anon, authenticated;
grant select, insert on zoho.stage_history to service_role;
grant select, insert, update, delete on zoho.stage_history_queue to service_role;

alter table zoho.sync_logs add column queued integer;
comment on column zoho.sync_logs.queued is
  'Work left after the slice, where a step keeps a queue (Deals/Stage_History: deals whose history is still to be read)';

-- The backfill: every stored deal that is not deleted reads its Stage_History once.
insert into zoho.stage_history_queue (deal_id, version, modified_time)
select r.id, r.version, r.modified_time from zoho.records r
where r.module = 'Deals' and r.deleted_at is null
on conflict (deal_id) do nothing;

-- Zoho's Stage_History rows (the newest stored version of each): each row is a stay in Stage that
-- began at the row's Modified_Time, with the deal's Closing_Date then. It reaches back before our
-- first sync; f_deal_versions adds what we observed after.
create unlogged table analytics.f_stage_history (
  deal_id text not null,
  row_id text not null,
  entered_at timestamptz not null,
  stage text not null,
  closing_date date,
  primary key (deal_id, row_id)
);

-- f_stage_entries gains seq (path order over history and versions), version and row_id: derived
-- data, rebuilt by the next snapshot (facts_built emptied below).
drop function analytics.stage_entry_facts(text[]);
drop table analytics.f_stage_entries;
create unlogged table analytics.f_stage_entries (
  deal_id text not null,
  -- position in the deal's path (1 = first entry), in entered_at order
  seq integer not null,
  entered_at timestamptz not null,
  -- null: the deletion marker
  stage text,
  -- stage_settings.position of open stages and Closed Won, else null (as stage_conversion)
  progress integer,
  -- the next entry's entered_at, over all entries of the deal
  left_at timestamptz,
  -- max(progress) of the deal's later entries
  later_progress integer,
  -- the deal's last entered_at: left_at and later_progress hold for any as_of from there on
  last_entry_at timestamptz not null,
  -- the deal version that observed the entry (null: known from Stage_History only)
  version integer,
  -- the Stage_History row that lists it (null: observed only)
  row_id text,
  primary key (deal_id, seq)
);
comment on table analytics.f_stage_entries is
  'analytics.stage_entries over the whole history (Stage_History merged with the versions we '
  'own) with progress rank, next entry and later progress per entry (kept per deal by '
  'relink_stage_entries)';
create index f_stage_entries_entered_idx on analytics.f_stage_entries (entered_at);
create index f_stage_entries_last_idx on analytics.f_stage_entries (last_entry_at);

create or replace function analytics.stage_history_fact(p_data jsonb,
  out entered_at timestamptz, out stage text, out closing_date date)
returns setof record
language sql stable
as $$
  select x.entered_at, x.stage, crm.day(p_data ->> 'Closing_Date')
  from (select crm.ts(p_data ->> 'Modified_Time') as entered_at,
    crm.picklist(p_data ->> 'Stage') as stage) x
  where x.entered_at is not null and x.stage is not null
$$;

create or replace function analytics.stage_entry_facts(p_deal_ids text[])
returns setof analytics.f_stage_entries
language sql stable
as $$
  with rank as (
    select s.stage, case when s.is_open or s.stage = 'Closed Won' then s.position end as progress
    from analytics.stage_settings s
  ),
  k as (select distinct unnest(p_deal_ids) as deal_id),
  u as (
    select v.deal_id, v.valid_from as entered_at,
      case when v.change <> 'delete' then v.stage end as stage, v.version, null::text as row_id
    from k join analytics.f_deal_versions v on v.deal_id = k.deal_id
    where v.change = 'delete' or v.stage is distinct from v.previous_stage
    union all
    select h.deal_id, h.entered_at, h.stage, null, h.row_id
    from k join analytics.f_stage_history h on h.deal_id = k.deal_id
  ),
  d as (
    select u.deal_id, u.entered_at, u.stage, min(u.version) as version, min(u.row_id) as row_id
    from u
    group by u.deal_id, u.entered_at, u.stage
  ),
  o as (
    select d.*, lag(d.stage) over (partition by d.deal_id order by d.entered_at,
      d.row_id is null, length(d.row_id), d.row_id, d.version) as before
    from d
  ),
  e as (select * from o where o.stage is null or o.before is distinct from o.stage)
  select e.deal_id, (row_number() over w)::integer, e.entered_at, e.stage, r.progress,
    lead(e.entered_at) over w,
    max(r.progress) over (w rows between 1 following and unbounded following),
    max(e.entered_at) over (partition by e.deal_id), e.version, e.row_id
  from e
  left join rank r on r.stage = e.stage
  window w as (partition by e.deal_id order by e.entered_at, e.row_id is null, length(e.row_id),
    e.row_id, e.version)
$$;

create or replace function analytics.relink_stage_entries(p_deal_ids text[]) returns void
language sql
as $$
  delete from analytics.f_stage_entries s where s.deal_id = any(p_deal_ids);
  insert into analytics.f_stage_entries select * from analytics.stage_entry_facts(p_deal_ids);
$$;

create or replace function analytics.relink_deal_versions(p_deal_ids text[]) returns void
language sql
as $$
  update analytics.f_deal_versions f
  set valid_to = w.valid_to, previous_stage = w.previous_stage,
    previous_closing_date = w.previous_closing_date
  from (
    select v.deal_id, v.version, lead(v.valid_from) over w as valid_to,
      lag(v.stage) over w as previous_stage, lag(v.closing_date) over w as previous_closing_date
    from unnest(p_deal_ids) as k(deal_id)
    join analytics.f_deal_versions v on v.deal_id = k.deal_id
    window w as (partition by v.deal_id order by v.version)
  ) w
  where f.deal_id = w.deal_id and f.version = w.version
    and (f.valid_to, f.previous_stage, f.previous_closing_date)
      is distinct from (w.valid_to, w.previous_stage, w.previous_closing_date);
  select analytics.relink_stage_entries(p_deal_ids);
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
    analytics.f_stage_entries, analytics.f_campaigns, analytics.facts_built;

  insert into analytics.f_leads
  select f.* from zoho.records r, analytics.lead_fact(r.id, r.data, r.deleted_at, tz) f
  where r.module = 'Leads';

  insert into analytics.f_deals
  select f.* from zoho.records r, analytics.deal_fact(r.id, r.data, r.deleted_at, tz) f
  where r.module = 'Deals';

  insert into analytics.f_activities
  select f.* from zoho.records r, analytics.activity_fact(r.module, r.id, r.data, r.deleted_at) f
  where r.module in ('Calls', 'Tasks', 'Events');

  insert into analytics.f_touches
  select a.parent_module, a.parent_id, min(a.touched_at), max(a.touched_at)
  from analytics.f_activities a
  group by a.parent_module, a.parent_id;

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

  insert into analytics.f_stage_entries
  select * from analytics.stage_entry_facts(array(select v.deal_id from analytics.f_deal_versions v
    union select h.deal_id from analytics.f_stage_history h));

  perform analytics.refresh_campaign_facts();
  insert into analytics.facts_built default values;

  analyze analytics.f_leads;
  analyze analytics.f_deals;
  analyze analytics.f_activities;
  analyze analytics.f_touches;
  analyze analytics.f_deal_versions;
  analyze analytics.f_stage_history;
  analyze analytics.f_stage_entries;
  analyze analytics.f_campaigns;
end
$$;

comment on function analytics.refresh_facts() is
  'Rebuilds analytics.f_* from zoho.records, zoho.record_versions and zoho.stage_history (one '
  'read of each) and marks them ready; afterwards triggers keep them current';

-- zoho.stage_history (append-only; deletes only by maintenance) → the history facts of the deals
-- a statement touched (the newest stored version of each of their rows), then their stage entries.
create or replace function analytics.stage_history_to_facts() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  deals text[];
begin
  if not exists (select from analytics.facts_built) then
    return null;
  end if;
  if tg_op = 'INSERT' then
    deals := array(select distinct n.deal_id from new_rows n);
  else
    deals := array(select distinct o.deal_id from old_rows o);
  end if;
  delete from analytics.f_stage_history f where f.deal_id = any(deals);
  insert into analytics.f_stage_history
  select h.deal_id, h.row_id, f.*
  from (
    select distinct on (sh.deal_id, sh.row_id) sh.deal_id, sh.row_id, sh.data
    from zoho.stage_history sh
    where sh.deal_id = any(deals)
    order by sh.deal_id, sh.row_id, sh.version desc
  ) h, analytics.stage_history_fact(h.data) f;
  perform analytics.relink_stage_entries(deals);
  return null;
end
$$;
create trigger stage_history_facts_insert after insert on zoho.stage_history
  referencing new table as new_rows
  for each statement execute function analytics.stage_history_to_facts();
create trigger stage_history_facts_delete after delete on zoho.stage_history
  referencing old table as old_rows
  for each statement execute function analytics.stage_history_to_facts();

create trigger stage_history_truncate_invalidates_facts after truncate on zoho.stage_history
  for each statement execute function analytics.invalidate_facts();

alter table analytics.f_stage_history enable row level security;
alter table analytics.f_stage_entries enable row level security;
revoke all on analytics.f_stage_history, analytics.f_stage_entries from anon, authenticated;
grant select on analytics.f_stage_history, analytics.f_stage_entries to service_role;
revoke all on function analytics.relink_stage_entries(text[]) from public;

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
language sql stable
as $$
  with rank as (
    select s.stage, s.position,
      case when s.is_open or s.stage = 'Closed Won' then s.position end as progress
    from analytics.stage_settings s
  ),
  t as (
    select (select analytics.day_end(p_as_of)) as t1,
      (select p.start_day from analytics.periods(p_as_of) p where p.period = p_period)::timestamp
        at time zone (select analytics.time_zone()) as t0
  ),
  x as (
    -- Deals without entries after as_of: the stored history is the history up to as_of.
    select s.stage, s.progress, s.later_progress, s.entered_at, s.left_at
    from analytics.f_stage_entries s, t
    where s.entered_at >= t.t0 and s.last_entry_at < t.t1
    union all
    -- Deals with entries after as_of: the window over their entries up to as_of.
    select y.stage, y.progress, y.later_progress, y.entered_at, y.left_at
    from (
      select s.stage, s.progress, s.entered_at,
        max(s.progress) over (w rows between 1 following and unbounded following)
          as later_progress,
        lead(s.entered_at) over w as left_at
      from analytics.f_stage_entries s, t
      where s.last_entry_at >= t.t1 and s.entered_at < t.t1
      window w as (partition by s.deal_id order by s.seq)
    ) y, t
    where y.entered_at >= t.t0
  ),
  e as (
    select x.stage, x.progress, x.later_progress,
      round(analytics.days(x.left_at - x.entered_at), 2) as days,
      x.left_at is not null as done
    from x
  )
  select r.stage, r.position, count(e.stage),
    count(*) filter (where e.later_progress > e.progress),
    analytics.pct(count(*) filter (where e.later_progress > e.progress), count(e.stage)),
    count(*) filter (where e.done),
    round(avg(e.days) filter (where e.done), 2),
    round((percentile_disc(0.5) within group (order by e.days) filter (where e.done)
      + percentile_disc(0.5) within group (order by e.days desc) filter (where e.done)) / 2, 2)
  from rank r
  left join e on e.stage = r.stage
  where r.progress is not null and r.stage <> 'Closed Won'
  group by r.stage, r.position
  order by r.position
$$;
comment on function analytics.stage_conversion(date, text) is
  'Stage-to-stage conversion = entries into a stage in the period that later reached a further '
  'stage (higher position, or Closed Won) ÷ entries (skip-tolerant variant of entries(n+1) ÷ '
  'entries(n)); days in stage = entry to the next stage change or deletion, completed stays '
  'only; from Zoho''s Stage_History (stays before our first sync) merged with the versions we '
  'own (analytics.f_stage_entries)';

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
  left join analytics.f_touches tc on tc.parent_module = 'Deals' and tc.parent_id = d.id
    and tc.last_at < t.t1
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
comment on function analytics.open_deal_health(date, jsonb) is
  'analytics.open_deal_health(as_of) with the stage medians given as {stage: median days} (the '
  'median_days_in_stage of analytics.stage_conversion(as_of, ''t12m''), computed once per snapshot)';

comment on function analytics.open_deal_health(date) is
  'Per open deal: days in current stage (since its last entry in Stage_History merged with the '
  'versions we own, else creation) vs the stage''s t12m median (past_median); stale = no change '
  '(Modified_Time or a call/task/event on the deal) for more than the stage''s stale_days; '
  'slipped = Closing_Date before p_as_of while open; close_date_pushes = Stage_History rows and '
  'versions that moved Closing_Date later';

-- Facts bake in the merge: rebuilt on the next snapshot.
delete from analytics.facts_built;
