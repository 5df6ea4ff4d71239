-- One row per pipeline run with every stage's state and time: `select * from pipeline.run_overview`
-- answers "did today's run succeed, and where did the time go" without joining by hand.
create view pipeline.run_overview as
select r.id, r.trigger, r.status, r.started_at, r.finished_at,
  round(extract(epoch from coalesce(r.finished_at, now()) - r.started_at) * 1000)::bigint
    as duration_ms,
  string_agg(format('%s %s%s', s.stage, s.status, case when s.started_at is not null then
    format(' %s ms', round(extract(epoch from coalesce(s.finished_at, now()) - s.started_at)
      * 1000)) else '' end) || case when s.attempts > 1 then format(' (%s attempts)', s.attempts)
    else '' end || case when s.slices > 1 then format(' (%s slices)', s.slices) else '' end,
    ', ' order by s.position) as stages,
  r.error
from pipeline.runs r
join pipeline.stages s on s.run_id = r.id
group by r.id;
comment on view pipeline.run_overview is
  'Pipeline runs with each stage''s status, duration, attempts and slices';

revoke all on pipeline.run_overview from public, anon, authenticated;
grant select on pipeline.run_overview to service_role;
