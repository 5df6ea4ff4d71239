-- pgTAP: ask.deal_status's five best candidates for a name many deals share equal their plain
-- definition (the first five deals alive that day, of the owner when given, whose name holds the
-- words with word similarity 1.00, in the shown order), whether they come from the first 2,000
-- deals of f_deals_shown_order_idx or from sorting every deal containing the words.
begin;
select plan(4);

-- Only ask.deal_status reads these rows: the facts' triggers (rollups, forecast) are not wanted.
set local session_replication_role = replica;
delete from analytics.f_deals;
-- 2,600 deals: 40 surnames (Zed0-Zed39: "zed1" is also contained in Zed10-Zed19's names, below
-- word similarity 1.00), ties and missing amounts, a third closed, some created after as_of,
-- some deleted before it and some after.
insert into analytics.f_deals (id, created_at, created_day, modified_at, owner_name, stage, amount,
  closing_date, is_won, is_lost, is_closed, deleted_at, name)
select 'D' || k, d::timestamptz, d, d::timestamptz, 'Owner ' || (k % 3),
  case when k % 3 = 0 then 'Closed Won' else 'Qualification' end,
  case when k % 17 = 0 then null else (k * 7919) % 5000 end, '2026-04-30',
  k % 3 = 0, false, k % 3 = 0,
  case when k % 11 = 0 then '2026-02-01'::timestamptz when k % 13 = 0 then '2026-06-01' end,
  'Zed' || (k % 40) || ' - Deal ' || k
from generate_series(1, 2600) k, lateral (select '2026-01-01'::date + (k % 90) as d) c;
-- The first deal in the shown order; a surname whose deals all sort after the first 2,000 (closed,
-- no amount); a surname only three deals have.
insert into analytics.f_deals (id, created_at, created_day, owner_name, stage, amount, is_won,
  is_lost, is_closed, name)
values ('TOP', '2026-01-01'::timestamptz, '2026-01-01'::date, 'Owner 1', 'Qualification', 999999::numeric, false, false, false,
  'Zed7 - Top'::text)
union all
select 'E' || k, '2026-01-01', '2026-01-01', 'Owner ' || (k % 3), 'Closed Lost', null, false, true,
  true, 'Ember - Deal ' || k
from generate_series(1, 8) k
union all
select 'Q' || k, '2026-01-01', '2026-01-01', 'Owner 1', 'Qualification', 100 * k, false, false,
  false, 'Quill - Deal ' || k
from generate_series(1, 3) k;

create temp table cases as
select n, o,
  (select array_agg(x.name order by x.is_closed, x.amount desc nulls last, x.name)
    from ask.deal_status('2026-03-04', n, o) x) as got,
  (select array_agg(d.name order by d.is_closed, d.amount desc nulls last, d.name, d.id) from (
    select d.* from analytics.f_deals d
    where d.name ilike '%' || n || '%' and d.created_day <= '2026-03-04'
      and (d.deleted_at is null or d.deleted_at >= analytics.day_end('2026-03-04'))
      and (o is null or d.owner_name = o)
      and round(extensions.word_similarity(lower(n), lower(d.name))::numeric, 2) = 1.00
    order by d.is_closed, d.amount desc nulls last, d.name, d.id limit 5) d) as plain,
  (select bool_and(x.match = 'ambiguous') from ask.deal_status('2026-03-04', n, o) x) as ambiguous
from (select 'Zed' || i as n from generate_series(0, 39) i union all select 'Ember') names,
  (values (null), ('Owner 1')) owners(o);

select is((select count(*) from cases where cardinality(plain) = 5), 81::bigint,
  'every surname has five candidates, with and without an owner (Ember: three of Owner 1)');
select is((select array_agg(n || coalesce(' ' || o, '') order by n, o) from cases
    where got is distinct from plain or not ambiguous), null,
  'the five shown equal the first five in the shown order, marked ambiguous');
select is((select got[1] from cases where n = 'Zed7' and o is null), 'Zed7 - Top',
  'the first deal in the shown order is among them');
select is((select cardinality(got) from cases where n = 'Ember' and o is null), 5,
  'five deals that all sort after the first 2,000 are found by the full sort');

select * from finish();
rollback;
