-- Lead response fix: untouched leads counted as untouched (greatest() skipped the null touch and gave 0 h) and the median rounded to 2 decimals.
-- The earlier body of analytics.lead_response reached databases where 20261126120300 was applied
-- from a working tree before this fix; this restates the function as it is meant to be.
create or replace function analytics.lead_response(p_as_of date, p_period text default 'mtd')
returns table (dimension text, key text, label text, leads bigint, touched bigint,
  untouched bigint, median_hours numeric, avg_hours numeric, within_1h_pct numeric)
language sql stable
as $$
  with p as (select * from analytics.periods(p_as_of) where period = p_period),
  l as (
    select f.lead_source, f.owner_id, f.owner_name,
      case when t.first_at is not null
        then round(greatest(extract(epoch from t.first_at - f.created_at), 0) / 3600, 2) end
        as hours
    from analytics.f_leads f
    cross join p
    left join analytics.f_touches t on t.parent_module = 'Leads' and t.parent_id = f.id
      and t.first_at < analytics.day_end(p_as_of)
    where f.created_day >= p.start_day and f.created_day < p.end_day
      and (f.deleted_at is null or f.deleted_at >= analytics.day_end(p_as_of))
  )
  select
    case when grouping(lead_source) = 0 then 'source' when grouping(owner_id) = 0 then 'owner'
      else 'all' end,
    case when grouping(lead_source) = 0 then coalesce(lead_source, '(none)')
      when grouping(owner_id) = 0 then coalesce(owner_id, '(none)') end,
    case when grouping(owner_id) = 0 then max(owner_name) end,
    count(*), count(hours), count(*) - count(hours),
    round((percentile_disc(0.5) within group (order by hours)
      + percentile_disc(0.5) within group (order by hours desc)) / 2, 2),
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
