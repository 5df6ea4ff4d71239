-- Issue 25: deal names in the deal facts (analytics.f_deals.name = Deal_Name) with a trigram
-- index, so ask.deal_status searches and shows names without reading the raw records' JSON;
-- it scores the candidates once and looks up the last activity of the five it shows only. The raw records' Deal_Name
-- trigram index had no other reader: dropped (one index less on every sync write).

alter table analytics.f_deals add column name text;

create or replace function analytics.deal_fact(p_id text, p_data jsonb, p_deleted_at timestamptz, tz text)
returns setof analytics.f_deals
language sql stable
as $$
  select p_id, crm.ts(x."Created_Time"), (crm.ts(x."Created_Time") at time zone tz)::date,
    crm.ts(x."Modified_Time"), x."Owner" ->> 'id', x."Owner" ->> 'name', x."Stage",
    crm.num(x."Amount"), coalesce(crm.num(x."Probability"), s.probability),
    crm.day(x."Closing_Date"), crm.picklist(x."Lead_Source"),
    x."Campaign_Source" ->> 'id', coalesce(x."Stage" = 'Closed Won', false),
    coalesce(x."Stage" like 'Closed Lost%', false), coalesce(x."Stage" like 'Closed%', false),
    p_deleted_at, x."Deal_Name"
  from jsonb_to_record(p_data) as x("Created_Time" text, "Modified_Time" text,
    "Owner" jsonb, "Stage" text, "Amount" text, "Probability" text, "Closing_Date" text,
    "Lead_Source" text, "Campaign_Source" jsonb, "Deal_Name" text)
  left join analytics.stage_settings s on s.stage = x."Stage"
$$;

-- The names of the deal facts already built: rewritten once (an UPDATE of every row would
-- leave the table twice its size); the truncate and insert rebuild their rollups as well.
create temp table deal_facts_before on commit drop as select * from analytics.f_deals;
truncate analytics.f_deals;
insert into analytics.f_deals
select b.id, b.created_at, b.created_day, b.modified_at, b.owner_id, b.owner_name, b.stage,
  b.amount, b.probability, b.closing_date, b.lead_source, b.campaign_id, b.is_won, b.is_lost,
  b.is_closed, b.deleted_at, r.data ->> 'Deal_Name'
from deal_facts_before b
left join zoho.records r on r.module = 'Deals' and r.id = b.id;
analyze analytics.f_deals;

drop index if exists zoho.records_deal_name_trgm_idx;
create index if not exists f_deals_name_trgm_idx on analytics.f_deals
  using gin (name extensions.gin_trgm_ops);

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
  -- how many candidates (score ≥ 0.5) share the best score: one = a clear match
  top as (
    select count(*) as n from c
    where c.score >= 0.5 and c.score = (select max(x.score) from c x)
  ),
  -- the clear match, else the five best candidates, before their last activity is looked up
  shown as (
    select c.* from c
    where c.score >= 0.5
    order by c.score desc, c.is_closed, c.amount desc nulls last, c.name, c.id
    limit case when (select top.n from top) = 1 then 1 else 5 end
  )
  select case when (select top.n from top) = 1 then 'one' else 'ambiguous' end,
    b.name, b.owner, b.stage, b.amount, b.probability, b.closing_date, b.is_closed,
    round(extract(epoch from (select analytics.day_end(p_as_of))
      - greatest(b.modified_at, t.last_at, b.created_at)) / 86400, 1),
    t.last_at, b.score
  from shown b
  left join analytics.f_touches t on t.parent_module = 'Deals' and t.parent_id = b.id
  order by b.score desc, b.is_closed, b.amount desc nulls last, b.name, b.id
$$;
