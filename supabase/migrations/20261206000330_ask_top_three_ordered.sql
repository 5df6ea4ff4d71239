-- The largest three of deals closing and of stale/slipped deals in one order on every call: deals
-- of equal amount and name ("O'Brien - Smart Home Project" of two reps) ordered by id.
create or replace function ask.closing_soon(p_as_of date, p_period text default 'this_week',
  p_owner text default null)
returns table (label text, deals bigint, amount numeric, weighted_amount numeric,
  top jsonb)
language sql stable
set jit = off
as $$
  -- This period: from as_of to its end; a past one ("last week"): all of it (the deals still
  -- open that were due then), never this period's deals under last period's label.
  with w as (
    select w.label, p.full_end,
      case when w.as_of < p_as_of then p.start_day else p_as_of end as from_day
    from ask.period_window(p_as_of, p_period) w
    join analytics.periods(w.as_of) p on p.period = w.period
  ),
  d as (
    select o.* from ask.open_deals(p_as_of) o, w
    where o.closing_date >= w.from_day and o.closing_date < w.full_end
      and (p_owner is null or o.owner = p_owner)
  )
  select w.label, count(d.deal_id), coalesce(sum(d.amount), 0),
    coalesce(sum(d.amount * d.probability / 100), 0),
    coalesce((select jsonb_agg(jsonb_build_object('name', t.name, 'owner', t.owner,
        'stage', t.stage, 'amount', t.amount, 'closing_date', t.closing_date)
        order by t.amount desc nulls last, t.name, t.deal_id)
      from (select * from d order by d.amount desc nulls last, d.name, d.deal_id limit 3) t), '[]')
  from w left join d on true
  group by w.label
$$;
comment on function ask.closing_soon(date, text, text) is
  'Open deals with Closing_Date from as_of to the end of the week/month/quarter (a past period: '
  'all of it, deals still open that were due then): count, Amount, weighted Amount, 3 largest';


create or replace function ask.deal_risk(p_as_of date, p_kind text default 'stale',
  p_owner text default null, p_stage text default null)
returns table (deals bigint, amount numeric, open_deals bigint, top jsonb)
language plpgsql stable
set jit = off
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
begin
  return query
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
        'days_since_change', t.days_since_change) order by t.amount desc nulls last, t.name,
        t.deal_id)
      from (select * from r order by r.amount desc nulls last, r.name, r.deal_id limit 3) t),
      '[]');
end
$$;
comment on function ask.deal_risk(date, text, text, text) is
  'stale = open deals idle (no change, no activity) longer than their stage''s stale_days; '
  'slipped = open deals with Closing_Date before as_of (analytics.open_deal_health); of one '
  'owner and/or stage when given';
