-- "Do we have enough pipeline coverage?": the company's pipeline answer also gives the quarter's
-- coverage (analytics.pipeline_coverage, as the dashboard and the brief give it). The function's
-- columns change, so it is dropped and created again.
drop function if exists ask.pipeline(date, text, text);

create function ask.pipeline(p_as_of date, p_owner text default null,
  p_source text default null)
returns table (open_deals bigint, amount numeric, weighted_amount numeric, quarter_end date,
  quarter_pipeline numeric, target numeric, remaining_target numeric, coverage numeric,
  required_coverage numeric, win_rate_pct numeric)
language sql stable
set jit = off
as $$
  with p as (
    select coalesce(sum(p.open_deals), 0)::bigint as open_deals,
      coalesce(sum(p.amount), 0) as amount, coalesce(sum(p.weighted_amount), 0) as weighted_amount
    from analytics.pipeline(p_as_of) p
    where case when p_owner is not null then p.dimension = 'owner' and p.label = p_owner
      when p_source is not null then p.dimension = 'source' and p.key = p_source
      else p.dimension = 'all' end
  )
  select p.open_deals, p.amount, p.weighted_amount, c.quarter_end - 1, c.open_pipeline, c.target,
    c.remaining_target, c.coverage, c.required_coverage, c.win_rate_pct
  from p
  -- Only of the whole company (a one-time filter: not computed for an owner or a source).
  left join lateral (
    select * from analytics.pipeline_coverage(p_as_of) c
    where p_owner is null and p_source is null
  ) c on true
$$;
comment on function ask.pipeline(date, text, text) is
  'Open deals: count, sum of Amount, sum of Amount × probability (analytics.pipeline), all or '
  'one owner or source; of all, the quarter''s coverage (analytics.pipeline_coverage)';

revoke all on function ask.pipeline(date, text, text) from public;
grant execute on function ask.pipeline(date, text, text) to service_role;
