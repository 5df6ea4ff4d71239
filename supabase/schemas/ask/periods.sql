-- The `ask` schema: read-only KPI questions WhatsApp can ask (one SQL function per intent), their periods and the names a question may mention.
-- Every ask.* function reads the analytics KPI functions (or the same fact tables with the same
-- filters) as of a given day; none writes. The WhatsApp webhook calls them through its intent
-- registry (supabase/functions/_shared/ask/intents.ts); pgTAP ask_intents.sql checks them.
-- Each runs with jit = off: JIT compiling the inlined KPI queries cost 0.2-4.5 s per question
-- on the 3,000-lead demo for queries that run in 20-40 ms without it.
create schema if not exists ask;
revoke all on schema ask from anon, authenticated;
grant usage on schema ask to service_role;

-- Deal-name matching ("how is the Okafor deal") uses trigram similarity.
create extension if not exists pg_trgm with schema extensions;

-- Today in the company time zone (analytics.settings.time_zone).
create function ask.today() returns date
language sql stable
set jit = off
as $$ select (now() at time zone analytics.time_zone())::date $$;
comment on function ask.today() is 'Today''s date in the company time zone';

-- A question's period, as the (as_of, analytics period) pair the KPI functions take:
-- "last month" is the whole previous month, i.e. month-to-date as of its last day. It returns one
-- row, and says so (rows 1): planned for the default 1,000, intents joined the window to every
-- open deal instead of reading the window's deals by index. At 1M leads, over 10 periods, the same
-- answers: compare 1,189 → 541 ms, new deals 494 → 333, why revenue 274 → 152, closing soon 93
-- → 38, lost deals 90 → 65.
create function ask.period_window(p_as_of date, p_period text)
returns table (as_of date, period text, label text)
language plpgsql immutable
set jit = off
rows 1
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

-- The names a question may mention, for the matcher: lead sources, deal owners and stages.
create function ask.vocabulary()
returns table (kind text, name text)
language sql stable
set jit = off
as $$
  select 'source', s from (
    select distinct lead_source as s from analytics.f_leads where lead_source is not null
    union select distinct lead_source from analytics.f_deals where lead_source is not null
  ) x
  union all
  select 'owner', o from (
    select distinct owner_name as o from analytics.f_deals where owner_name is not null
    union select distinct owner_name from analytics.f_leads where owner_name is not null
  ) y
  union all
  select 'stage', stage from analytics.stage_settings
  union all
  select 'currency', currency from analytics.settings
  order by 1, 2
$$;
comment on function ask.vocabulary() is
  'Lead sources, owner names and stages present in the facts, and the company currency';

revoke all on all functions in schema ask from public;
grant execute on all functions in schema ask to service_role;

-- What an answer depends on besides its parameters: the synced data (a sync run's progress), the
-- settings, stages, targets and campaign sources, and today's date. Equal versions give equal
-- answers, so the webhook may reuse an answer while the version stays the same.
-- PL/pgSQL (not SQL) so a connection plans it once: the webhook reads it with every message.
create function ask.data_version() returns text
language plpgsql stable
as $$
begin
  return concat_ws('|',
    (select max(updated_at) from zoho.sync_runs),
    (select md5(string_agg(s::text, ',' order by s.stage)) from analytics.stage_settings s),
    (select updated_at from analytics.settings),
    (select count(*) || ':' || coalesce(max(updated_at)::text, '') from analytics.revenue_targets),
    (select count(*) from analytics.campaign_sources),
    ask.today());
end
$$;
comment on function ask.data_version() is
  'Changes whenever an ask answer may change: sync progress, settings, stages, targets, day';
revoke all on function ask.data_version() from public;
grant execute on function ask.data_version() to service_role;
