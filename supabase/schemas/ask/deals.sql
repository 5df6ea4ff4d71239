-- Deal outcome questions: win rate (all, one source or owner), lost deals and their reasons, one named deal's status (fuzzy name match, candidates when ambiguous) and when data was last synced.

-- Won ÷ (won + lost) of deals closing in the period, by count and by value.
create function ask.win_rate(p_as_of date, p_period text default 'this_quarter',
  p_source text default null, p_owner text default null)
returns table (label text, won bigint, lost bigint, won_amount numeric, lost_amount numeric,
  win_rate_count_pct numeric, win_rate_value_pct numeric)
language sql stable
set jit = off
as $$
  select w.label, coalesce(r.won, 0), coalesce(r.lost, 0), coalesce(r.won_amount, 0),
    coalesce(r.lost_amount, 0), r.win_rate_count_pct, r.win_rate_value_pct
  from ask.period_window(p_as_of, p_period) w
  left join lateral analytics.win_rate(w.as_of, w.period) r on
    case when p_source is not null then r.dimension = 'source' and r.key = p_source
      when p_owner is not null then r.dimension = 'owner' and r.label = p_owner
      else r.dimension = 'all' end
$$;
comment on function ask.win_rate(date, text, text, text) is
  'Win rate = won ÷ (won + lost) deals closing in the period, by count and by Amount '
  '(analytics.win_rate), all or one source or owner';

-- Deals lost in the period: count, amount and the most frequent loss reasons.
create function ask.lost_deals(p_as_of date, p_period text default 'this_quarter')
returns table (label text, lost bigint, lost_amount numeric, reasons jsonb)
language sql stable
set jit = off
as $$
  with w as (
    select w.label, w.as_of, p.start_day, p.end_day
    from ask.period_window(p_as_of, p_period) w
    join analytics.periods(w.as_of) p on p.period = w.period
  ),
  l as (
    -- the reason from the deal facts (f_deals.loss_reason), not each lost deal's raw record
    select d.id, d.amount,
      coalesce(nullif(nullif(d.loss_reason, ''), '-None-'), '(none)') as reason
    from w
    join analytics.f_deals d on d.is_lost and d.closing_date >= w.start_day
      and d.closing_date < w.end_day and d.created_day < w.end_day
      and (d.deleted_at is null or d.deleted_at >= (select analytics.day_end(w.as_of)))
  )
  select w.label, (select count(*) from l), (select coalesce(sum(l.amount), 0) from l),
    coalesce((select jsonb_agg(jsonb_build_object('reason', x.reason, 'deals', x.n)
        order by x.n desc, x.reason)
      from (select l.reason, count(*) as n from l group by l.reason
        order by count(*) desc, l.reason limit 3) x), '[]')
  from w
$$;
comment on function ask.lost_deals(date, text) is
  'Closed Lost deals closing in the period (the lost side of analytics.win_rate) and their top '
  '3 Reason_For_Loss__s';

-- Deal-name search over the deal facts' names (analytics.f_deals.name = Deal_Name): names
-- containing the words, else trigram word similarity ≥ 0.5. Reading the names from the raw
-- records cost a read of each matching record's JSON (≈ 5,000 records for a common surname on
-- the 1M-lead demo, ≈ 90 ms).
create index if not exists f_deals_name_trgm_idx on analytics.f_deals
  using gin (name extensions.gin_trgm_ops);
-- Deals in the order deal_status shows candidates (open first, largest first): for a name many
-- deals share, its five best matches are usually among the first 2,000 (see deal_status).
create index if not exists f_deals_shown_order_idx on analytics.f_deals
  (is_closed, amount desc nulls last, name, id);

-- One named deal's status. match = 'one' when a single deal fits clearly, 'ambiguous' with up to
-- 5 candidates otherwise, no rows when nothing fits. Optional owner narrows the candidates.
create function ask.deal_status(p_as_of date, p_name text, p_owner text default null)
returns table (match text, name text, owner text, stage text, amount numeric,
  probability numeric, closing_date date, is_closed boolean, days_since_change numeric,
  last_activity_at timestamptz, score numeric)
language sql stable
set jit = off
set search_path = pg_catalog, extensions, pg_temp
set pg_trgm.word_similarity_threshold = 0.5
as $$
  with q as (
    select lower(trim(p_name)) as q,
      '%' || replace(replace(replace(lower(trim(p_name)), '\', '\\'), '%', '\%'), '_', '\_')
        || '%' as pat
  ),
  -- Deals (alive that day, of the owner when given) whose name contains the words ...
  contains as (
    select d.*
    from q
    join analytics.f_deals d on d.name ilike q.pat and d.created_day <= p_as_of
      and (d.deleted_at is null or d.deleted_at >= (select analytics.day_end(p_as_of)))
    where length(q.q) >= 3 and (p_owner is null or d.owner_name = p_owner)
  ),
  -- ... else whose name resembles them: searched only when none contains them (words that most
  -- names share, like "smart home project", resemble every name and cost a scan of them all).
  resembles as (
    select d.*
    from q
    join analytics.f_deals d on q.q <% d.name and d.created_day <= p_as_of
      and (d.deleted_at is null or d.deleted_at >= (select analytics.day_end(p_as_of)))
    where length(q.q) >= 3 and (p_owner is null or d.owner_name = p_owner)
      and not exists (select from contains)
  ),
  c as (
    select d.id, d.name, d.owner_name as owner, d.stage, d.amount, d.probability,
      d.closing_date, d.is_closed, d.modified_at, d.created_at,
      round(word_similarity(q.q, lower(d.name))::numeric, 2) as score
    from (select * from contains union all select * from resembles) d
    cross join q
  ),
  -- Many names containing the words (a surname ~4,900 deals share on the 1M-lead demo): 1.00 is
  -- the best score there is, so when five of them score it, they are the five shown and the
  -- match is ambiguous. Taken in the shown order, scored one by one until five score 1.00;
  -- otherwise every candidate is scored below.
  -- The five are usually among the first deals in that order (a surname 2.5 % of deals share
  -- has about 50 among the first 2,000): those 2,000 are read in order from
  -- f_deals_shown_order_idx, and when five of them fit they are the five (no deal before them
  -- was passed over). Else every deal containing the words is sorted and scored (offset 0 keeps
  -- the score out of the sort). At 1M leads: a common surname 20 → 2.5 ms, words nearly every
  -- name holds ("smart home project") 1.09 s → 2.2 ms, a name no deal has 1 → 3 ms.
  head as (
    select x.id, x.name, x.owner_name as owner, x.stage, x.amount, x.probability,
      x.closing_date, x.is_closed, x.modified_at, x.created_at
    from (
      select x.* from analytics.f_deals x
      order by x.is_closed, x.amount desc nulls last, x.name, x.id
      limit 2000
    ) x
    cross join q
    where length(q.q) >= 3 and x.name ilike q.pat and x.created_day <= p_as_of
      and (x.deleted_at is null or x.deleted_at >= (select analytics.day_end(p_as_of)))
      and (p_owner is null or x.owner_name = p_owner)
      and round(word_similarity(q.q, lower(x.name))::numeric, 2) = 1.00
    limit 5
  ),
  head5 as (select count(*) = 5 as yes from head),
  best5 as (
    select h.*, 1.00::numeric as score from head h where (select head5.yes from head5)
    union all
    (select o.*, 1.00::numeric as score
    from (
      select x.id, x.name, x.owner_name as owner, x.stage, x.amount, x.probability,
        x.closing_date, x.is_closed, x.modified_at, x.created_at
      from contains x
      where not (select head5.yes from head5)
      order by x.is_closed, x.amount desc nulls last, x.name, x.id
      offset 0
    ) o
    cross join q
    where round(word_similarity(q.q, lower(o.name))::numeric, 2) = 1.00
    limit 5)
  ),
  five as (select count(*) = 5 as yes from best5),
  -- how many candidates (score ≥ 0.5) share the best score: one = a clear match
  top as (
    select count(*) as n from c
    where c.score >= 0.5 and c.score = (select max(x.score) from c x)
  ),
  -- the clear match, else the five best candidates, before their last activity is looked up
  shown as (
    select b.* from best5 b where (select five.yes from five)
    union all
    (select c.* from c
    where c.score >= 0.5 and not (select five.yes from five)
    order by c.score desc, c.is_closed, c.amount desc nulls last, c.name, c.id
    -- (five: no row, and the candidates are not all scored for a count nobody reads)
    limit case when (select five.yes from five) then 0 when (select top.n from top) = 1 then 1
      else 5 end)
  )
  select case when (select five.yes from five) then 'ambiguous'
    when (select top.n from top) = 1 then 'one' else 'ambiguous' end,
    b.name, b.owner, b.stage, b.amount, b.probability, b.closing_date, b.is_closed,
    round(extract(epoch from (select analytics.day_end(p_as_of))
      - greatest(b.modified_at, t.last_at, b.created_at)) / 86400, 1),
    t.last_at, b.score
  from shown b
  left join analytics.f_touches t on t.parent_module = 'Deals' and t.parent_id = b.id
  order by b.score desc, b.is_closed, b.amount desc nulls last, b.name, b.id
$$;
comment on function ask.deal_status(date, text, text) is
  'Deals whose Deal_Name contains p_name, else resembles it (pg_trgm word similarity ≥ 0.5): the '
  'single best match, or up to 5 equally good candidates (match = ambiguous)';

-- When the CRM data was last synced.
create function ask.last_sync()
returns table (finished_at timestamptz, status text, mode text, started_at timestamptz)
language sql stable
set jit = off
as $$
  select r.updated_at, r.status, r.mode, r.started_at from zoho.sync_runs r
  order by r.started_at desc limit 1
$$;
comment on function ask.last_sync() is 'The latest Zoho sync run: status and when it last moved';

revoke all on all functions in schema ask from public;
grant execute on all functions in schema ask to service_role;
