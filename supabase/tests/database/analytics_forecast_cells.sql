-- pgTAP: every open deal's chance (analytics.forecast_deals' p) equals its plain definition on a
-- generated company (the shared 700-deal fixture) on days across three quarters: the deal's cell
-- from its own reported features (days in stage, age, Amount, Closing_Date: the bands' bounds are
-- whole days, so the floored days fall in the same band), the training observations counted per
-- level by plain filters (no grouping sets, no joins on the cell's parts), each level shrunk
-- toward the one above (k = 5), the stage toward Zoho's probability.
begin;
select plan(6);
set local jit = off;

update analytics.settings set time_zone = 'UTC';
\set deal_prefix 'fc-D'
\ir ../fixtures/deal_history.psql
-- Deals without a Closing_Date (the stays that carry none then have none: an unknown horizon
-- cell), without an Amount, and with a zero Amount.
update analytics.f_deals set closing_date = null where abs(hashtext(id)) % 5 = 0;
update analytics.f_deals set amount = null where abs(hashtext(id)) % 11 = 0;
update analytics.f_deals set amount = 0 where abs(hashtext(id)) % 13 = 1;

create function pg_temp.days() returns table (d date) language sql as $$
  select unnest(array[date '2025-08-20', '2025-11-05', '2026-01-07', '2026-03-04',
    '2026-03-30'])
$$;

-- What the day's scoring is made of, from the documented definition (analytics/forecast.sql):
-- the horizon h = days left in the quarter after as_of; the last training Monday m0, the latest
-- whose horizon ends by the end of as_of; 104 Mondays back from it; amount bands at the terciles
-- of the amounts of the deals created by the end of as_of. Every deal is sampled (700 < 10,000).
create temp table plan_days as
select d.d, q.full_end as horizon, q.full_end - (d.d + 1) as h,
  analytics.monday_of(d.d + 1 - (q.full_end - (d.d + 1))) as m0,
  t.b1, t.b2
from pg_temp.days() d
cross join lateral (select w.full_end from analytics.periods(d.d) w where w.period = 'qtd') q
cross join lateral (
  select coalesce(percentile_cont(1 / 3.0) within group (order by f.amount), 0) as b1,
    coalesce(percentile_cont(2 / 3.0) within group (order by f.amount), 0) as b2
  from analytics.f_deals f where f.created_at < analytics.day_end(d.d) and f.amount > 0) t;

create temp table plan_obs as
select pd.d, o.stage,
  case when o.closing_date is null then 2 when o.closing_date < o.monday + pd.h then 0 else 1
    end as cd,
  o.ds::integer as ds, o.ag::integer as ag,
  case when coalesce(o.amount, 0) <= pd.b1 then 0 when o.amount <= pd.b2 then 1 else 2 end
    as am,
  coalesce(o.won_day > o.monday and o.won_day <= o.monday + pd.h, false) as won
from plan_days pd
cross join lateral analytics.forecast_obs_rows(1024, pd.m0 - 91 * 8, pd.m0) o;
create index on plan_obs (d, stage, cd, ds, ag, am);
analyze plan_obs;

create temp table scored as
select pd.d, f.deal_id, f.stage, f.zoho_p, f.p, f.closing_date,
  analytics.forecast_cell(f.days_in_stage * 86400, f.age_days * 86400, f.amount, pd.b1, pd.b2,
    f.closing_date, pd.horizon) as cell
from plan_days pd
cross join lateral analytics.forecast_deals(pd.d) f;

create function pg_temp.shrunk(p_d date, p_stage text, p_cell integer[], p_levels integer,
  p_parent numeric)
returns numeric language sql stable as $$
  select (count(*) filter (where o.won) + 5 * p_parent) / (count(*) + 5)
  from plan_obs o
  where o.d = p_d and o.stage = p_stage
    and (p_levels < 2 or o.cd = p_cell[1]) and (p_levels < 3 or o.ds = p_cell[2])
    and (p_levels < 4 or o.ag = p_cell[3]) and (p_levels < 5 or o.am = p_cell[4])
$$;

create temp table plain as
select s.d, s.deal_id, s.p,
  pg_temp.shrunk(s.d, s.stage, s.cell, 5, pg_temp.shrunk(s.d, s.stage, s.cell, 4,
    pg_temp.shrunk(s.d, s.stage, s.cell, 3, pg_temp.shrunk(s.d, s.stage, s.cell, 2,
    pg_temp.shrunk(s.d, s.stage, s.cell, 1, s.zoho_p))))) as plain_p
from scored s;

select ok((select count(*) > 500 and count(distinct d) = 5 from plain),
  'over 500 deal-days scored across the five days');
-- The scored deals are the deals in an open stage at the end of each day, by the stays.
select is((select count(*)::int from (
    (select s.d, s.deal_id from scored s
      except select pd.d, e.deal_id from plan_days pd
      join analytics.f_stage_entries e on e.entered_at < analytics.day_end(pd.d)
        and (e.left_at is null or e.left_at >= analytics.day_end(pd.d))
        and e.stage in (select st.stage from analytics.stage_settings st where st.is_open))
    union all
    (select pd.d, e.deal_id from plan_days pd
      join analytics.f_stage_entries e on e.entered_at < analytics.day_end(pd.d)
        and (e.left_at is null or e.left_at >= analytics.day_end(pd.d))
        and e.stage in (select st.stage from analytics.stage_settings st where st.is_open)
      except select s.d, s.deal_id from scored s)) x), 0,
  'the deals scored = the deals in an open stage at the end of each day');
-- Each with the Closing_Date then known: its stay's, else the deal's.
select is((select count(*)::int from scored s
  join analytics.f_stage_entries e on e.deal_id = s.deal_id
    and e.entered_at < analytics.day_end(s.d)
    and (e.left_at is null or e.left_at >= analytics.day_end(s.d))
  join analytics.f_deals f on f.id = s.deal_id
  where s.closing_date is distinct from coalesce(e.closing_date, f.closing_date)), 0,
  'each scored deal''s Closing_Date is its stay''s, else the deal''s');
select ok((select count(*) filter (where s.cell[1] = 2) > 10
    and count(*) filter (where f.amount is null) > 10 and count(*) filter (where f.amount = 0) > 10
  from scored s join analytics.f_deals f on f.id = s.deal_id),
  'scored deals with an unknown Closing_Date, without an Amount and with a zero Amount');
-- The levels must matter, or the comparison below says little: cells that split a stage.
select ok((select count(distinct round(plain_p, 6)) > 40 from plain),
  'the deals'' chances differ by cell (over 40 distinct chances)');
select is((select count(*)::int from plain where round(p, 12) is distinct from round(plain_p, 12)),
  0, 'every open deal''s chance = the plain shrinkage over its cell''s levels');

select * from finish();
rollback;
