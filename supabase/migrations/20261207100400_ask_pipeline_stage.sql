-- "How many deals are in negotiation": the pipeline answer takes a stage, and any of owner, source
-- and stage together (an owner and a source were not both applied: the owner won). The function's
-- arguments change, so it is dropped and created again.
drop function if exists ask.pipeline(date, text, text);

create function ask.pipeline(p_as_of date, p_owner text default null,
  p_source text default null, p_stage text default null)
returns table (open_deals bigint, amount numeric, weighted_amount numeric, quarter_end date,
  quarter_pipeline numeric, target numeric, remaining_target numeric, coverage numeric,
  required_coverage numeric, win_rate_pct numeric)
language sql stable
set jit = off
as $$
  with p as (
    select count(*)::bigint as open_deals, coalesce(sum(o.amount), 0) as amount,
      coalesce(sum(o.amount * o.probability / 100), 0) as weighted_amount
    from ask.open_deals(p_as_of) o
    where (p_owner is null or o.owner = p_owner) and (p_stage is null or o.stage = p_stage)
      and (p_source is null or exists (select 1 from analytics.f_deals f
        where f.id = o.deal_id and f.lead_source = p_source))
  )
  select p.open_deals, p.amount, p.weighted_amount, c.quarter_end - 1, c.open_pipeline, c.target,
    c.remaining_target, c.coverage, c.required_coverage, c.win_rate_pct
  from p
  -- Only of the whole company (a one-time filter: not computed when filtered).
  left join lateral (
    select * from analytics.pipeline_coverage(p_as_of) c
    where p_owner is null and p_source is null and p_stage is null
  ) c on true
$$;
comment on function ask.pipeline(date, text, text, text) is
  'Open deals: count, sum of Amount, sum of Amount × probability (the deals analytics.pipeline '
  'counts), all or of one owner, source and/or stage; of all, the quarter''s coverage '
  '(analytics.pipeline_coverage)';

revoke all on function ask.pipeline(date, text, text, text) from public;
grant execute on function ask.pipeline(date, text, text, text) to service_role;
