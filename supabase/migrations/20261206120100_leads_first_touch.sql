-- Leads carry their first touch (analytics.f_leads.first_touch_at, analytics/facts.sql): lead
-- response, data quality and the dashboard's daily rows read it instead of joining f_touches.

alter table analytics.f_leads add column if not exists first_touch_at timestamptz;


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

-- Existing facts get their leads' first touch (not a rollup key: the rollups' update trigger,
-- whose deltas would net to zero, is off meanwhile).
alter table analytics.f_leads disable trigger f_leads_rollups_update;
update analytics.f_leads l set first_touch_at = t.first_at
from analytics.f_touches t
where t.parent_module = 'Leads' and t.parent_id = l.id;
alter table analytics.f_leads enable trigger f_leads_rollups_update;


-- Rebuilds every fact table from the raw store (one read of each table) and marks them ready.
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

  insert into analytics.f_stage_entries
  select * from analytics.stage_entry_facts(array(select v.deal_id from analytics.f_deal_versions v
    union select h.deal_id from analytics.f_stage_history h));

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
  analyze analytics.f_campaigns;
end
$$;
comment on function analytics.refresh_facts() is
  'Rebuilds analytics.f_* from zoho.records, zoho.record_versions and zoho.stage_history (one '
  'read of each) and marks them ready; afterwards triggers keep them current';

-- What a snapshot runs: a full rebuild when facts are not ready, else the small deferred work
-- (touches of parents whose activities changed, campaign facts).
create or replace function analytics.catch_up_facts() returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  mods text[];
  ids text[];
begin
  perform pg_advisory_xact_lock(hashtext('analytics.refresh_facts'));
  if not exists (select from analytics.facts_built) then
    perform analytics.refresh_facts();
    return;
  end if;
  -- Exactly the dirty rows this statement deletes are processed; rows committed later stay for
  -- the next catch-up (recomputing a parent twice is harmless).
  with d as (delete from analytics.f_touches_dirty returning parent_module, parent_id),
  k as (select distinct parent_module, parent_id from d)
  select coalesce(array_agg(k.parent_module), '{}'), coalesce(array_agg(k.parent_id), '{}')
  into mods, ids from k;
  if cardinality(ids) > 0 then
    delete from analytics.f_touches t
    using unnest(mods, ids) as k(parent_module, parent_id)
    where t.parent_module = k.parent_module and t.parent_id = k.parent_id;
    insert into analytics.f_touches
    select a.parent_module, a.parent_id, min(a.touched_at), max(a.touched_at)
    from unnest(mods, ids) as k(parent_module, parent_id)
    join analytics.f_activities a on a.parent_module = k.parent_module
      and a.parent_id = k.parent_id
    group by a.parent_module, a.parent_id;
    -- The leads among them carry their first touch (analytics/facts.sql).
    update analytics.f_leads l set first_touch_at = t.first_at
    from unnest(mods, ids) as k(parent_module, parent_id)
    left join analytics.f_touches t on t.parent_module = k.parent_module
      and t.parent_id = k.parent_id
    where k.parent_module = 'Leads' and l.id = k.parent_id
      and l.first_touch_at is distinct from t.first_at;
  end if;
  perform analytics.refresh_campaign_facts();
  perform analytics.fold_rollups();
end
$$;
comment on function analytics.catch_up_facts() is
  'Brings analytics.f_* up to date for a snapshot: full rebuild when not ready, else touches of '
  'changed parents (and their leads'' first touch), campaign facts and the rollups'' log folded (everything else is kept by '
  'triggers at write time)';

create or replace function analytics.lead_response(p_as_of date, p_period text default 'mtd')
returns table (dimension text, key text, label text, leads bigint, touched bigint,
  untouched bigint, median_hours numeric, avg_hours numeric, within_1h_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  l as (
    select f.lead_source, f.owner_id, f.owner_name,
      case when f.first_touch_at < (select analytics.day_end(p_as_of))
        then round(greatest(extract(epoch from f.first_touch_at - f.created_at), 0) / 3600, 2)
      end as hours
    from analytics.f_leads f
    cross join p
    where f.created_day >= p.start_day and f.created_day < p.end_day
      and analytics.alive_at(f.deleted_at, (select analytics.day_end(p_as_of)))
  )
  select
    analytics.dimension(grouping(lead_source), grouping(owner_id)),
    analytics.dimension_key(grouping(lead_source), lead_source, grouping(owner_id), owner_id),
    analytics.owner_label(grouping(owner_id), max(owner_name)),
    count(*), count(hours), count(*) - count(hours),
    round(analytics.median(array_agg(hours)), 2),
    round(avg(hours), 2),
    analytics.pct(count(*) filter (where hours <= 1), count(hours))
  from l
  group by grouping sets ((), (lead_source), (owner_id))
  order by 1, 2 nulls first
$$;
comment on function analytics.lead_response(date, text) is
  'Lead response time = first call/task/event on the lead (What_Id) − lead Created_Time, hours; '
  'median (leadsource.co), mean and share within 1 hour (HBR) over touched leads created in the '
  'period; untouched = no touch by the end of p_as_of';

create or replace function analytics.data_quality(p_as_of date)
returns table (check_id text, count bigint, total bigint, pct numeric)
language sql stable
as $$
  with t as (
    select (select analytics.day_end(p_as_of)) as t1,
      (select s.untouched_after_days from analytics.settings s) as days
  ),
  d as (
    select
      count(*) as open_deals,
      count(*) filter (where f.amount is null) as no_amount,
      count(*) filter (where f.amount = 0) as zero_amount,
      count(*) filter (where f.closing_date is null) as no_closing,
      count(*) filter (where f.owner_id is null) as no_owner,
      count(*) filter (where f.lead_source is null) as no_source
    from analytics.f_deals f, t
    where not f.is_closed and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, t.t1)
  ),
  l as (
    select count(*) as open_leads,
      count(*) filter (where not coalesce(f.first_touch_at < t.t1, false)) as never,
      count(*) filter (where f.created_day > p_as_of - t.days) as recent,
      count(*) filter (where f.created_day > p_as_of - t.days
        and not coalesce(f.first_touch_at < t.t1, false)) as recent_never
    from analytics.f_leads f
    cross join t
    where f.created_day <= p_as_of and not (f.converted and f.converted_day <= p_as_of)
      and analytics.alive_at(f.deleted_at, t.t1)
  )
  select x.check_id, x.n, x.total, analytics.pct(x.n, x.total)
  from d, l, lateral (values
    ('open_deals_without_amount', d.no_amount, d.open_deals, 1),
    ('open_deals_zero_amount', d.zero_amount, d.open_deals, 2),
    ('open_deals_without_closing_date', d.no_closing, d.open_deals, 3),
    ('open_deals_without_owner', d.no_owner, d.open_deals, 4),
    ('open_deals_without_source', d.no_source, d.open_deals, 5),
    ('leads_never_touched', l.never, l.open_leads, 6),
    ('recent_leads_untouched', l.recent_never, l.recent, 7)
  ) x(check_id, n, total, ord)
  order by x.ord
$$;
comment on function analytics.data_quality(date) is
  'Data quality: open deals without Amount (null), with Amount 0, without Closing_Date, Owner '
  'or Lead_Source; unconverted leads never touched (no call/task/event by p_as_of); of leads '
  'created in the last settings.untouched_after_days days, those untouched (Zia''s check)';

-- Builds the rollups of one snapshot from the current facts (call right after computing it);
-- false when they were built already.
create or replace function dashboard.build(p_snapshot_id uuid)
returns boolean
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
set work_mem = '64MB'
as $$
declare
  s analytics.snapshots;
  first_day date;
  t1 timestamptz;
  medians jsonb;
begin
  select * into s from analytics.snapshots where id = p_snapshot_id;
  if s.id is null then
    raise exception 'dashboard.build: no snapshot %', p_snapshot_id using errcode = 'P0002';
  end if;
  insert into dashboard.builds (snapshot_id, as_of, created_at)
  values (s.id, s.as_of, s.created_at)
  on conflict do nothing;
  if not found then return false; end if;
  perform set_config('timezone', s.time_zone, true);
  perform set_config('jit', 'off', true);
  first_day := (select min(p.start_day) from analytics.periods(s.as_of) p);
  t1 := analytics.day_end(s.as_of);
  medians := (select jsonb_object_agg(x ->> 'stage', x -> 'median_days_in_stage')
    from jsonb_array_elements(s.kpis -> 'stage_conversion') x);

  insert into dashboard.daily
  select s.id, x.day, x.src, x.owner, max(x.owner_name),
    count(*) filter (where x.kind = 'lead'),
    count(*) filter (where x.kind = 'won'),
    coalesce(sum(x.amount) filter (where x.kind = 'won'), 0),
    count(*) filter (where x.kind = 'lost'),
    coalesce(sum(x.amount) filter (where x.kind = 'lost'), 0),
    count(*) filter (where x.hours <= 1),
    count(*) filter (where x.hours > 1 and x.hours <= 4),
    count(*) filter (where x.hours > 4 and x.hours <= 24),
    count(*) filter (where x.hours > 24 and x.hours <= 72),
    count(*) filter (where x.hours > 72 and x.hours <= 168),
    count(*) filter (where x.hours > 168),
    count(*) filter (where x.kind = 'lead' and x.hours is null)
  from (
    select 'lead' as kind, f.created_day as day, coalesce(f.lead_source, '(none)') as src,
      coalesce(f.owner_id, '(none)') as owner, f.owner_name, null::numeric as amount,
      case when f.first_touch_at < t1
        then round(greatest(extract(epoch from f.first_touch_at - f.created_at), 0) / 3600, 2)
      end as hours
    from analytics.f_leads f
    where f.created_day >= first_day and f.created_day <= s.as_of
      and (f.deleted_at is null or f.deleted_at >= t1)
    union all
    select case when d.is_won then 'won' else 'lost' end, d.closing_date,
      coalesce(d.lead_source, '(none)'), coalesce(d.owner_id, '(none)'), d.owner_name,
      d.amount, null
    from analytics.f_deals d
    where (d.is_won or d.is_lost) and d.closing_date >= first_day and d.closing_date <= s.as_of
      and d.created_day <= s.as_of and (d.deleted_at is null or d.deleted_at >= t1)
  ) x
  group by x.day, x.src, x.owner;

  insert into dashboard.risky_deals
  select s.id, h.deal_id, r.data ->> 'Deal_Name', r.data -> 'Account_Name' ->> 'name',
    h.owner_name, h.src, h.stage, h.amount, h.closing_date, h.days_in_stage,
    h.stage_median_days, h.days_since_change, coalesce(h.is_stale, false),
    coalesce(h.is_slipped, false), coalesce(h.past_median, false), h.close_date_pushes
  from (
    select o.*, coalesce(d.lead_source, '(none)') as src, d.owner_name,
      row_number() over (partition by coalesce(d.lead_source, '(none)')
        order by o.amount desc nulls last, o.deal_id) as n
    from analytics.open_deal_health(s.as_of, coalesce(medians, '{}')) o
    join analytics.f_deals d on d.id = o.deal_id
    where o.is_stale or o.is_slipped or o.past_median
  ) h
  left join zoho.records r on r.module = 'Deals' and r.id = h.deal_id
  where h.n <= 25;

  -- Older snapshots' rollups go (the snapshots themselves stay).
  delete from dashboard.builds b
  where b.snapshot_id not in (
    select x.snapshot_id from dashboard.builds x order by x.created_at desc limit 3);
  return true;
end
$$;
comment on function dashboard.build(uuid) is
  'Fills dashboard.daily and dashboard.risky_deals for one snapshot from analytics.f_* '
  '(false when already built; keeps the latest three snapshots'' rollups)';
