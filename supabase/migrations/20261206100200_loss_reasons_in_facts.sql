-- Issue 25: the loss reason in the deal facts (analytics.f_deals.loss_reason =
-- Reason_For_Loss__s), so ask.lost_deals reads no raw record (a period's lost deals each read
-- their record's JSON: ≈ 40 ms for a quarter on the 1M-lead demo).

alter table analytics.f_deals add column loss_reason text;

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
    p_deleted_at, x."Deal_Name", x."Reason_For_Loss__s"
  from jsonb_to_record(p_data) as x("Created_Time" text, "Modified_Time" text,
    "Owner" jsonb, "Stage" text, "Amount" text, "Probability" text, "Closing_Date" text,
    "Lead_Source" text, "Campaign_Source" jsonb, "Deal_Name" text, "Reason_For_Loss__s" text)
  left join analytics.stage_settings s on s.stage = x."Stage"
$$;

-- The deal facts already built get their reasons: rewritten once (as in
-- 20261206100100_deal_names_in_facts); the truncate and insert rebuild their rollups as well.
create temp table deal_facts_before on commit drop as select * from analytics.f_deals;
truncate analytics.f_deals;
insert into analytics.f_deals
select b.id, b.created_at, b.created_day, b.modified_at, b.owner_id, b.owner_name, b.stage,
  b.amount, b.probability, b.closing_date, b.lead_source, b.campaign_id, b.is_won, b.is_lost,
  b.is_closed, b.deleted_at, b.name, r.data ->> 'Reason_For_Loss__s'
from deal_facts_before b
left join zoho.records r on r.module = 'Deals' and r.id = b.id;
analyze analytics.f_deals;

create or replace function ask.lost_deals(p_as_of date, p_period text default 'this_quarter')
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
