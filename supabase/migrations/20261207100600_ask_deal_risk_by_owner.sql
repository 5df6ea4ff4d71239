-- "Who has the most stale deals": the stale (and slipped) deals' answer also names the 3 reps
-- with the most. The function's columns change, so it is dropped and created again.
drop function if exists ask.deal_risk(date, text, text, text);

create function ask.deal_risk(p_as_of date, p_kind text default 'stale',
  p_owner text default null, p_stage text default null)
returns table (deals bigint, amount numeric, open_deals bigint, top jsonb, pushed bigint,
  pushed_amount numeric, pushed_top jsonb, by_owner jsonb)
language plpgsql stable
set jit = off
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
begin
  return query
  with h as materialized (
    select h.*, o.name, o.owner
    from analytics.open_deal_health(p_as_of, '{}'::jsonb) h
    join ask.open_deals(p_as_of) o on o.deal_id = h.deal_id
    where (p_owner is null or o.owner = p_owner) and (p_stage is null or h.stage = p_stage)
  ),
  r as (
    select * from h
    where case p_kind when 'stale' then h.is_stale when 'slipped' then h.is_slipped end
  ),
  p as (select * from h where h.close_date_pushes > 0)
  select (select count(*) from r), (select coalesce(sum(r.amount), 0) from r),
    (select count(*) from h),
    coalesce((select jsonb_agg(jsonb_build_object('name', t.name, 'owner', t.owner,
        'stage', t.stage, 'amount', t.amount, 'closing_date', t.closing_date,
        'days_since_change', t.days_since_change) order by t.amount desc nulls last, t.name,
        t.deal_id)
      from (select * from r order by r.amount desc nulls last, r.name, r.deal_id limit 3) t),
      '[]'),
    (select count(*) from p), (select coalesce(sum(p.amount), 0) from p),
    coalesce((select jsonb_agg(jsonb_build_object('name', t.name, 'owner', t.owner,
        'stage', t.stage, 'amount', t.amount, 'closing_date', t.closing_date,
        'pushes', t.close_date_pushes) order by t.amount desc nulls last, t.name, t.deal_id)
      from (select * from p order by p.amount desc nulls last, p.name, p.deal_id limit 3) t),
      '[]'),
    -- Who has them: the 3 reps with the most, then the largest amount.
    coalesce((select jsonb_agg(jsonb_build_object('owner', o.owner, 'deals', o.deals,
        'amount', o.amount) order by o.deals desc, o.amount desc, o.owner)
      from (select r.owner, count(*) as deals, coalesce(sum(r.amount), 0) as amount from r
        group by r.owner order by 2 desc, 3 desc, 1 limit 3) o), '[]');
end
$$;
comment on function ask.deal_risk(date, text, text, text) is
  'stale = open deals idle (no change, no activity) longer than their stage''s stale_days; '
  'slipped = open deals with Closing_Date before as_of (analytics.open_deal_health); pushed = '
  'open deals whose Closing_Date moved later at least once; by_owner = the 3 reps with the most '
  'stale (slipped) deals; of one owner and/or stage when given';

revoke all on function ask.deal_risk(date, text, text, text) from public;
grant execute on function ask.deal_risk(date, text, text, text) to service_role;
