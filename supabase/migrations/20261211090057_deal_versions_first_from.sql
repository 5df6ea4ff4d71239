-- Each deal version carries the valid_from of its deal's first version (analytics.f_deal_versions,
-- supabase/schemas/analytics/facts.sql), kept with valid_to by analytics.relink_deal_versions: the
-- pipeline waterfall reads it from its window index and looks up a deal's state at the period's
-- start only when the deal's first version began by then. Filled here from the versions as they
-- are; the window index is built again with the column included.
alter table analytics.f_deal_versions add column first_from timestamptz;
update analytics.f_deal_versions v set first_from = m.first_from
from (select x.deal_id, min(x.valid_from) as first_from from analytics.f_deal_versions x
  group by x.deal_id) m
where m.deal_id = v.deal_id;
drop index analytics.f_deal_versions_window_idx;
create index f_deal_versions_window_idx on analytics.f_deal_versions (closing_date,
  (coalesce(valid_to, 'infinity'::timestamptz)), valid_from)
  include (deal_id, change, stage, amount, valid_to, first_from);
analyze analytics.f_deal_versions;
