-- "Which lead source converts best?": per source, the period's monthly lead cohorts summed and
-- their conversion (the dashboard funnel panel's sums), for the lead_conversion_by_source intent.
create function ask.lead_conversion_by_source(p_as_of date,
  p_period text default 'last_12_months')
returns table (label text, first_month date, lead_source text, leads bigint, with_deal bigint,
  won bigint, lead_to_deal_pct numeric, lead_to_won_pct numeric)
language sql stable
set jit = off
as $$
  with c as materialized (
    select w.label, c.cohort_month, c.key, c.leads, c.with_deal, c.won,
      greatest(date_trunc('month', q.start_day::timestamp),
        date_trunc('month', w.as_of::timestamp) - interval '11 months')::date as first_month
    from ask.period_window(p_as_of, p_period) w
    cross join lateral (select q.start_day from analytics.periods(w.as_of) q
      where q.period = w.period) q
    -- only the months it needs (a quarter: 3), at most 12
    cross join lateral analytics.cohort_conversion(w.as_of, least(12,
      ((extract(year from w.as_of) - extract(year from q.start_day)) * 12
        + extract(month from w.as_of) - extract(month from q.start_day))::integer + 1)) c
    where c.dimension = 'source'
      and c.cohort_month >= date_trunc('month', q.start_day::timestamp)::date
  )
  select max(c.label), max(c.first_month), c.key, sum(c.leads)::bigint,
    sum(c.with_deal)::bigint, sum(c.won)::bigint, analytics.pct(sum(c.with_deal), sum(c.leads)),
    analytics.pct(sum(c.won), sum(c.leads))
  from c
  group by c.key
  order by 8 desc nulls last, 7 desc nulls last, 4 desc, 3
$$;
comment on function ask.lead_conversion_by_source(date, text) is
  'Per lead source: the period''s monthly lead cohorts (analytics.cohort_conversion, at most 12 '
  'months) summed, lead → deal and lead → won conversion; best lead → won first';

revoke all on function ask.lead_conversion_by_source(date, text) from public;
grant execute on function ask.lead_conversion_by_source(date, text) to service_role;
