-- Row → fact functions (analytics/facts.sql holds the tables): one record, version or stage
-- history row as the typed fact row, the same in the full rebuild (analytics/facts_refresh.sql)
-- and in the write-time triggers (analytics/facts_triggers.sql).

-- The company time zone of periods.
create or replace function analytics.time_zone() returns text
language sql stable
as $$ select coalesce((select time_zone from analytics.settings), 'UTC') $$;

-- Row → fact, one definition for the full rebuild and the triggers. jsonb_to_record decompresses
-- a record once (each `data ->> 'Field'` would decompress it again); same JSON paths as crm.*.
create or replace function analytics.lead_fact(p_id text, p_data jsonb, p_deleted_at timestamptz, tz text)
returns setof analytics.f_leads
language sql stable
as $$
  select p_id, crm.ts(x."Created_Time"), (crm.ts(x."Created_Time") at time zone tz)::date,
    x."Owner" ->> 'id', x."Owner" ->> 'name',
    crm.picklist(x."Lead_Source"), crm.picklist(x."Lead_Status"),
    c.converted, c.converted_at, (c.converted_at at time zone tz)::date, c.deal_id, p_deleted_at,
    (select t.first_at from analytics.f_touches t
      where t.parent_module = 'Leads' and t.parent_id = p_id)
  from jsonb_to_record(p_data) as x("Created_Time" text, "Owner" jsonb, "Lead_Source" text,
    "Lead_Status" text, "Converted__s" jsonb, "$converted" jsonb, "Converted_Date_Time" text,
    "Converted_Deal" jsonb, "$converted_detail" jsonb)
  cross join lateral crm.lead_conversion(x."Converted__s", x."$converted",
    x."Converted_Date_Time", x."Converted_Deal", null, null, x."$converted_detail") c
$$;

create or replace function analytics.deal_fact(p_id text, p_data jsonb, p_deleted_at timestamptz, tz text)
returns setof analytics.f_deals
language sql stable
as $$
  select p_id, crm.ts(x."Created_Time"), (crm.ts(x."Created_Time") at time zone tz)::date,
    crm.ts(x."Modified_Time"), x."Owner" ->> 'id', x."Owner" ->> 'name', x."Stage",
    crm.num(x."Amount"), coalesce(crm.num(x."Probability"), s.probability),
    crm.day(x."Closing_Date"), crm.picklist(x."Lead_Source"),
    x."Campaign_Source" ->> 'id', coalesce(x."Stage" = 'Closed Won', false),
    coalesce(x."Stage" like 'Closed Lost%', false), coalesce(x."Stage" like 'Closed%', false),
    p_deleted_at, x."Deal_Name", x."Reason_For_Loss__s"
  from jsonb_to_record(p_data) as x("Created_Time" text, "Modified_Time" text,
    "Owner" jsonb, "Stage" text, "Amount" text, "Probability" text, "Closing_Date" text,
    "Lead_Source" text, "Campaign_Source" jsonb, "Deal_Name" text, "Reason_For_Loss__s" text)
  left join analytics.stage_settings s on s.stage = x."Stage"
$$;

-- A touch happens at Call_Start_Time / Start_DateTime for calls and events (else Created_Time),
-- at Created_Time for tasks (a task's Due_Date is a plan), as crm.activities and f_touches had it.
create or replace function analytics.activity_fact(p_module text, p_id text, p_data jsonb,
  p_deleted_at timestamptz)
returns setof analytics.f_activities
language sql stable
as $$
  select a.module, a.id, a.parent_module, a.parent_id, a.touched_at from (
    select p_module as module, p_id as id, x."$se_module" as parent_module,
      x."What_Id" ->> 'id' as parent_id,
      case p_module
        when 'Calls' then coalesce(crm.ts(x."Call_Start_Time"), crm.ts(x."Created_Time"))
        when 'Events' then coalesce(crm.ts(x."Start_DateTime"), crm.ts(x."Created_Time"))
        else crm.ts(x."Created_Time") end as touched_at
    from jsonb_to_record(p_data) as x("$se_module" text, "What_Id" jsonb, "Created_Time" text,
      "Call_Start_Time" text, "Start_DateTime" text)
    where p_deleted_at is null and p_module in ('Calls', 'Tasks', 'Events')
  ) a
  where a.parent_module is not null and a.parent_id is not null and a.touched_at is not null
$$;

-- A deal version's own columns; the window columns (valid_to, previous_*) come from its deal's
-- other versions.
create or replace function analytics.deal_version_fact(p_change text, p_data jsonb, p_observed_at timestamptz,
  out valid_from timestamptz, out stage text, out amount numeric, out closing_date date)
returns setof record
language sql stable
as $$
  select case when p_change = 'delete' then p_observed_at
      else coalesce(crm.ts(p_data ->> 'Modified_Time'), p_observed_at) end,
    p_data ->> 'Stage', crm.num(p_data ->> 'Amount'), crm.day(p_data ->> 'Closing_Date')
$$;

-- A Stage_History row's own columns: when its stay began (Modified_Time), the Stage, the deal's
-- Closing_Date and Amount then. No row when Stage or Modified_Time is missing (nothing to place).
create or replace function analytics.stage_history_fact(p_data jsonb,
  out entered_at timestamptz, out stage text, out closing_date date, out amount numeric)
returns setof record
language sql stable
as $$
  select x.entered_at, x.stage, crm.day(p_data ->> 'Closing_Date'), crm.num(p_data ->> 'Amount')
  from (select crm.ts(p_data ->> 'Modified_Time') as entered_at,
    crm.picklist(p_data ->> 'Stage') as stage) x
  where x.entered_at is not null and x.stage is not null
$$;

-- The stage entry facts of the given deals: Zoho's Stage_History rows (analytics.f_stage_history,
-- stays before our first sync included) merged with the entries the versions we own show
-- (analytics.f_deal_versions: a version whose Stage differs from the version before, and each
-- deletion as a marker with stage null), in time order (at equal times, history rows first in
-- row id order, then versions in version order). Deduplicated in two steps: the same stage
-- entered at the same time counts once (a move Zoho lists and a version observed), and an entry
-- of the stage the deal was already in is no entry (a deal's first observed version repeats the
-- stage its history shows it entered earlier; a version observed a second after the history row
-- of the same move). Without history rows this is exactly the versions' entries.
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
      case when v.change <> 'delete' then v.stage end as stage, v.version, null::text as row_id,
      v.closing_date
    from k join analytics.f_deal_versions v on v.deal_id = k.deal_id
    where v.change = 'delete' or v.stage is distinct from v.previous_stage
    union all
    select h.deal_id, h.entered_at, h.stage, null, h.row_id, h.closing_date
    from k join analytics.f_stage_history h on h.deal_id = k.deal_id
  ),
  -- The entry's Closing_Date: its (first) history row's, else its (first) version's.
  d as (
    select u.deal_id, u.entered_at, u.stage, min(u.version) as version, min(u.row_id) as row_id,
      coalesce((array_agg(u.closing_date order by u.row_id) filter (where u.row_id is not null))[1],
        (array_agg(u.closing_date order by u.version) filter (where u.version is not null))[1])
        as closing_date
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
    max(e.entered_at) over (partition by e.deal_id), e.version, e.row_id, e.closing_date
  from e
  left join rank r on r.stage = e.stage
  window w as (partition by e.deal_id order by e.entered_at, e.row_id is null, length(e.row_id),
    e.row_id, e.version)
$$;

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

-- Re-derives valid_to, previous_* and first_from of the given deals' versions, then their stage
-- entries.
create or replace function analytics.relink_deal_versions(p_deal_ids text[]) returns void
language sql
as $$
  update analytics.f_deal_versions f
  set valid_to = w.valid_to, previous_stage = w.previous_stage,
    previous_closing_date = w.previous_closing_date, first_from = w.first_from
  from (
    select v.deal_id, v.version, lead(v.valid_from) over w as valid_to,
      lag(v.stage) over w as previous_stage, lag(v.closing_date) over w as previous_closing_date,
      min(v.valid_from) over (partition by v.deal_id) as first_from
    from unnest(p_deal_ids) as k(deal_id)
    join analytics.f_deal_versions v on v.deal_id = k.deal_id
    window w as (partition by v.deal_id order by v.version)
  ) w
  where f.deal_id = w.deal_id and f.version = w.version
    and (f.valid_to, f.previous_stage, f.previous_closing_date, f.first_from)
      is distinct from (w.valid_to, w.previous_stage, w.previous_closing_date, w.first_from);
  select analytics.relink_stage_entries(p_deal_ids);
$$;
