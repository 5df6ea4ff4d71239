-- Stage_History rows keep the deal's Amount then (analytics.f_stage_history.amount): the pipeline
-- waterfall takes a deal's state before its first observed version from them. Filled here from
-- the stored rows (the newest version of each, as the facts read them); later rows get it from
-- analytics.stage_history_fact.

alter table analytics.f_stage_history add column if not exists amount numeric;

update analytics.f_stage_history f
set amount = crm.num(h.data ->> 'Amount')
from (
  select distinct on (sh.deal_id, sh.row_id) sh.deal_id, sh.row_id, sh.data
  from zoho.stage_history sh
  order by sh.deal_id, sh.row_id, sh.version desc
) h
where h.deal_id = f.deal_id and h.row_id = f.row_id;
