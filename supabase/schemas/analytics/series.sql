-- Time series by day, week or month (company time zone): leads created and Closed Won revenue,
-- in total, by lead source and by owner, for charts and for "by day/week/month" questions.
create or replace function analytics.series(
  p_as_of date,
  p_grain text default 'week',
  p_buckets integer default 12
)
returns table (
  metric text,
  bucket_start date,
  complete boolean,
  dimension text,
  key text,
  label text,
  value numeric
)
language plpgsql
stable
as $$
declare
  step interval;
  first_bucket date;
begin
  step := case p_grain
    when 'day' then interval '1 day'
    when 'week' then interval '1 week'
    when 'month' then interval '1 month'
  end;
  if step is null then
    raise exception 'analytics.series: grain must be day, week or month, got %', p_grain
      using errcode = '22023';
  end if;
  if p_buckets is null or p_buckets < 1 or p_buckets > 366 then
    raise exception 'analytics.series: buckets must be between 1 and 366, got %', p_buckets
      using errcode = '22023';
  end if;
  -- Weeks start on Monday (ISO), as date_trunc('week') does; the last bucket holds as_of.
  first_bucket := (date_trunc(p_grain, p_as_of::timestamp) - step * (p_buckets - 1))::date;
  return query
  with buckets as (
    select gs::date as b_start, (gs + step)::date as b_end
    from generate_series(first_bucket::timestamp, p_as_of::timestamp, step) gs
  ),
  cutoff as (select analytics.day_end(p_as_of) as at),
  leads as (
    select date_trunc(p_grain, f.created_day::timestamp)::date as b_start,
      f.lead_source, f.owner_id, f.owner_name
    from analytics.f_leads f, cutoff
    where f.created_day >= first_bucket and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, cutoff.at)
  ),
  won as (
    select date_trunc(p_grain, f.closing_date::timestamp)::date as b_start,
      f.lead_source, f.owner_id, f.owner_name, f.amount
    from analytics.f_deals f, cutoff
    where f.is_won and f.closing_date >= first_bucket and f.closing_date <= p_as_of
      and f.created_day <= p_as_of
      and analytics.alive_at(f.deleted_at, cutoff.at)
  ),
  grouped as (
    select 'leads'::text as m, l.b_start,
      analytics.dimension(grouping(l.lead_source), grouping(l.owner_id)) as dim,
      analytics.dimension_key(grouping(l.lead_source), l.lead_source,
      grouping(l.owner_id), l.owner_id) as k,
      analytics.owner_label(grouping(l.owner_id), max(l.owner_name)) as lbl,
      count(*)::numeric as v
    from leads l
    group by grouping sets ((l.b_start), (l.b_start, l.lead_source), (l.b_start, l.owner_id))
    union all
    select 'revenue', w.b_start,
      analytics.dimension(grouping(w.lead_source), grouping(w.owner_id)),
      analytics.dimension_key(grouping(w.lead_source), w.lead_source,
      grouping(w.owner_id), w.owner_id),
      analytics.owner_label(grouping(w.owner_id), max(w.owner_name)),
      coalesce(sum(w.amount), 0)
    from won w
    group by grouping sets ((w.b_start), (w.b_start, w.lead_source), (w.b_start, w.owner_id))
  )
  -- Totals for every bucket (zero when empty); breakdowns only where something happened.
  select ms.m, b.b_start, b.b_end <= p_as_of + 1, 'all', null::text, null::text,
    coalesce(g.v, 0)
  from buckets b
  cross join (values ('leads'), ('revenue')) ms(m)
  left join grouped g on g.m = ms.m and g.b_start = b.b_start and g.dim = 'all'
  union all
  select g.m, g.b_start, b.b_end <= p_as_of + 1, g.dim, g.k, g.lbl, g.v
  from grouped g join buckets b on b.b_start = g.b_start
  where g.dim <> 'all'
  order by 1, 2, 4, 5 nulls first;
end
$$;
comment on function analytics.series(date, text, integer) is
  'Series per day/week (ISO, Monday)/month in the company time zone, last bucket holding as_of '
  '(complete = false while it is still running). leads = leads created (Created_Time), '
  'deleted leads excluded from their deletion on; revenue = sum of Amount of Closed Won deals '
  'by Closing_Date (Salesforce/HubSpot "closed won revenue" variant, same as analytics.revenue). '
  'dimension all | source (Lead_Source) | owner (Owner.id, label Owner.name).';
