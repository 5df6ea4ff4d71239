-- "Deals closing next month": a question may name the next week, month, quarter or year. Deals
-- due to close have figures for them (all of the period); every other answer says it cannot
-- give them (they read "next month" as this month before).
create or replace function ask.period_window(p_as_of date, p_period text)
returns table (as_of date, period text, label text)
language plpgsql immutable
set jit = off
as $$
begin
  return query select w.a, w.p, w.l from (values
    ('today', p_as_of, 'day', 'today'),
    ('yesterday', p_as_of - 1, 'day', 'yesterday'),
    ('this_week', p_as_of, 'wtd', 'this week'),
    ('last_week', (date_trunc('week', p_as_of::timestamp))::date - 1, 'wtd', 'last week'),
    ('this_month', p_as_of, 'mtd', 'this month'),
    ('last_month', (date_trunc('month', p_as_of::timestamp))::date - 1, 'mtd', 'last month'),
    ('this_quarter', p_as_of, 'qtd', 'this quarter'),
    ('last_quarter', (date_trunc('quarter', p_as_of::timestamp))::date - 1, 'qtd',
      'last quarter'),
    ('this_year', p_as_of, 'ytd', 'this year'),
    ('last_year', (date_trunc('year', p_as_of::timestamp))::date - 1, 'ytd', 'last year'),
    ('last_12_months', p_as_of, 't12m', 'the last 12 months'),
    -- Ahead of as_of (deals due to close then): as_of is the period's last day.
    ('next_week', (date_trunc('week', p_as_of::timestamp))::date + 13, 'wtd', 'next week'),
    ('next_month', (date_trunc('month', p_as_of::timestamp) + interval '2 months')::date - 1,
      'mtd', 'next month'),
    ('next_quarter', (date_trunc('quarter', p_as_of::timestamp) + interval '6 months')::date - 1,
      'qtd', 'next quarter'),
    ('next_year', (date_trunc('year', p_as_of::timestamp) + interval '2 years')::date - 1, 'ytd',
      'next year')
  ) w(k, a, p, l)
  where w.k = p_period;
  if not found then
    raise exception 'ask: unknown period %', p_period using errcode = '22023';
  end if;
end
$$;
comment on function ask.period_window(date, text) is
  'Question period → (as_of, analytics period, label): today, yesterday, this/last/next week, '
  'month, quarter, year (to date for "this", whole for "last", its last day for "next"), '
  'last_12_months';

create or replace function ask.closing_soon(p_as_of date, p_period text default 'this_week',
  p_owner text default null)
returns table (label text, deals bigint, amount numeric, weighted_amount numeric,
  top jsonb)
language sql stable
set jit = off
as $$
  -- This period: from as_of to its end; a past one ("last week"): all of it (the deals still
  -- open that were due then), never this period's deals under last period's label; a next one
  -- ("next month"): all of it.
  with w as (
    select w.label, p.full_end,
      case when w.as_of < p_as_of then p.start_day else greatest(p.start_day, p_as_of) end
        as from_day
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
  'Open deals with Closing_Date from as_of to the end of the week/month/quarter (a past or a '
  'next period: all of it; a past one: deals still open that were due then): count, Amount, '
  'weighted Amount, 3 largest';
