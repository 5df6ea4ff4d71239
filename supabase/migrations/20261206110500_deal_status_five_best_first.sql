-- ask.deal_status: when five names containing the words score the best similarity there is
-- (1.00), they are the five shown (ambiguous): found in the shown order, scored one by one,
-- instead of scoring every candidate (a surname ~4,900 deals share on the 1M-lead demo: 31 -> 18
-- ms; same answers for 11 names with and without an owner, on the demo and the 1M databases).
create or replace function ask.deal_status(p_as_of date, p_name text, p_owner text default null)
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
  -- match is ambiguous. Taken in the shown order, scored one by one until five score 1.00
  -- (offset 0 keeps the score out of the sort: 31 → 18 ms for that surname); otherwise
  -- every candidate is scored below.
  best5 as (
    select o.*, 1.00::numeric as score
    from (
      select x.id, x.name, x.owner_name as owner, x.stage, x.amount, x.probability,
        x.closing_date, x.is_closed, x.modified_at, x.created_at
      from contains x
      order by x.is_closed, x.amount desc nulls last, x.name, x.id
      offset 0
    ) o
    cross join q
    where round(word_similarity(q.q, lower(o.name))::numeric, 2) = 1.00
    limit 5
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
