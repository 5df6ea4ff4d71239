-- analytics.fold_rollups deletes the folded rows this fold brought to 0 by their row address
-- instead of reading every folded row for zeros (analytics/rollups_keep.sql).
-- Moves the logs into the folded rollups (what a reader of the views sees does not change);
-- keys whose count reaches 0 are removed. Exactly the log rows this statement deletes are
-- folded: rows appended by transactions committing later wait for the next fold.
create or replace function analytics.fold_rollups() returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  -- The folded rows this fold brought to 0, by row address, then deleted: the fold touches only
  -- the keys in the log. (Deleting "where count = 0" read every folded row: 57 ms a fold at 1M
  -- leads, at the end of every sync slice and every snapshot, with nothing to fold.)
  z tid[];
begin
  perform pg_advisory_xact_lock(hashtext('analytics.fold_rollups'));
  with moved as (delete from analytics.r_leads_log returning *),
  up as (
    insert into analytics.r_leads_folded as r
    select m.created_day, m.dimension, m.key, m.owner_name, m.deleted_at, sum(m.leads)
    from moved m
    group by 1, 2, 3, 4, 5
    having sum(m.leads) <> 0
    on conflict (created_day, dimension, key, owner_name, deleted_at)
    do update set leads = r.leads + excluded.leads
    returning r.ctid, r.leads)
  select array_agg(up.ctid) filter (where up.leads = 0) into z from up;
  delete from analytics.r_leads_folded where ctid = any(z) and leads = 0;

  with moved as (delete from analytics.r_deals_closed_log returning *),
  up as (
    insert into analytics.r_deals_closed_folded as r
    select m.closing_date, m.dimension, m.key, m.owner_name, m.is_won, m.created_late,
      m.deleted_at, sum(m.deals), sum(m.amount)
    from moved m
    group by 1, 2, 3, 4, 5, 6, 7
    having sum(m.deals) <> 0 or sum(m.amount) <> 0
    on conflict (closing_date, dimension, key, owner_name, is_won, created_late, deleted_at)
    do update set deals = r.deals + excluded.deals,
      amount = case when excluded.amount is null then r.amount
        else coalesce(r.amount, 0) + excluded.amount end
    returning r.ctid, r.deals)
  select array_agg(up.ctid) filter (where up.deals = 0) into z from up;
  delete from analytics.r_deals_closed_folded where ctid = any(z) and deals = 0;

  with moved as (delete from analytics.r_stage_stays_log returning *),
  up as (
    insert into analytics.r_stage_stays_folded as r
    select m.entered_day, m.stage, m.advanced, m.bucket, sum(m.stays), sum(m.days_h)
    from moved m
    group by 1, 2, 3, 4
    having sum(m.stays) <> 0 or sum(m.days_h) <> 0
    on conflict (entered_day, stage, advanced, bucket)
    do update set stays = r.stays + excluded.stays, days_h = r.days_h + excluded.days_h
    returning r.ctid, r.stays)
  select array_agg(up.ctid) filter (where up.stays = 0) into z from up;
  delete from analytics.r_stage_stays_folded where ctid = any(z) and stays = 0;

  with moved as (delete from analytics.r_lead_response_log returning *),
  up as (
    insert into analytics.r_lead_response_folded as r
    select m.created_day, m.dimension, m.key, m.owner_name, m.deleted_at, m.bucket,
      sum(m.leads), sum(m.hours_h)
    from moved m
    group by 1, 2, 3, 4, 5, 6
    having sum(m.leads) <> 0 or sum(m.hours_h) <> 0
    on conflict (created_day, dimension, key, owner_name, deleted_at, bucket)
    do update set leads = r.leads + excluded.leads, hours_h = r.hours_h + excluded.hours_h
    returning r.ctid, r.leads)
  select array_agg(up.ctid) filter (where up.leads = 0) into z from up;
  delete from analytics.r_lead_response_folded where ctid = any(z) and leads = 0;
end
$$;
comment on function analytics.fold_rollups() is
  'Moves analytics.r_leads_log / r_deals_closed_log / r_stage_stays_log / r_lead_response_log '
  'into r_leads_folded / r_deals_closed_folded / r_stage_stays_folded / r_lead_response_folded '
  '(the views r_leads / r_deals_closed / r_stage_stays / r_lead_response read the same before '
  'and after)';
