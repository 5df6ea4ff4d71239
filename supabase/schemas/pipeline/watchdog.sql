-- The pipeline's watchdog, daily schedule and admin calls. pg_cron runs pipeline.tick() every
-- minute: it fails attempts that timed out or never reached their function, re-sends retries whose
-- backoff has passed, and fails the run with the reason after the last attempt. pg_cron 1.4 runs
-- in UTC, so the daily run is an hourly job that starts the run once the company's local time has
-- reached schedule.daily_at (see pipeline.daily).

-- The watchdog. Returns counts of what it did.
create function pipeline.tick() returns jsonb
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  s record;
  unreachable integer := 0;
  timed_out integer := 0;
  retried integer := 0;
begin
  -- An attempt whose request pg_net could not deliver (connection refused) or that the gateway
  -- or function answered with an error, and that no report ended: fail it now rather than at
  -- its deadline. A pg_net timeout is not a failure: the function may still be working.
  for s in
    select st.run_id, st.stage, resp.status_code, resp.error_msg, resp.content
    from pipeline.stages st
    join net._http_response resp on resp.id = st.request_id
    where st.status in ('queued', 'running')
      and ((resp.status_code is null and not coalesce(resp.timed_out, false))
        or resp.status_code >= 400)
    for update of st skip locked
  loop
    perform pipeline._attempt_failed(s.run_id, s.stage, case
      when s.status_code is null then 'cannot reach the function: ' || coalesce(s.error_msg, '?')
      else format('the function answered %s: %s', s.status_code, left(s.content, 300)) end);
    unreachable := unreachable + 1;
  end loop;

  for s in
    select st.run_id, st.stage, st.attempts, d.budget_seconds, st.status
    from pipeline.stages st join pipeline.stage_defs d using (stage)
    where st.status in ('queued', 'running') and st.deadline_at < now()
    for update of st skip locked
  loop
    perform pipeline._attempt_failed(s.run_id, s.stage,
      format('timed out: no report within %s s (%s)', s.budget_seconds,
        case when s.status = 'queued' then 'the function never started'
        else 'the function started but did not finish' end));
    timed_out := timed_out + 1;
  end loop;

  for s in
    select st.run_id, st.stage from pipeline.stages st
    where st.status = 'retrying' and st.next_attempt_at <= now()
    for update of st skip locked
  loop
    perform pipeline._dispatch(s.run_id, s.stage, true);
    retried := retried + 1;
  end loop;

  return jsonb_build_object('unreachable', unreachable, 'timed_out', timed_out,
    'retried', retried);
end
$$;

-- The daily run: starts it when the company's local time (analytics.settings.time_zone) has
-- reached schedule.daily_at and no scheduled run was started on that local day. Comparing in
-- local time is what makes it daylight-saving proof: on a spring-forward day a daily_at that
-- does not exist (02:30) runs at the first check after it (03:30); on a fall-back day the
-- repeated hour does not run twice. A manual run already in progress counts as the day's run.
-- p_now is for tests (a fixed instant on a DST day); pg_cron calls it without arguments.
create function pipeline.daily(p_now timestamptz default now()) returns uuid
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  local_now timestamp := p_now at time zone analytics.time_zone();
  sch pipeline.schedule;
  r pipeline.runs;
begin
  update pipeline.schedule set last_run_on = local_now::date, updated_at = now()
  where last_run_on is distinct from local_now::date and local_now::time >= daily_at
  returning * into sch;
  if not found then
    return null;
  end if;
  begin
    r := pipeline.start_run('schedule', sch.params);
  exception when unique_violation then
    raise notice 'pipeline: daily run of % not started: %', local_now::date, sqlerrm;
    return null;
  end;
  return r.id;
end
$$;

-- Installs the pg_cron jobs: the watchdog every minute and, unless p_daily_at is null, the daily
-- run at p_daily_at company time. pg_cron 1.4 takes five-field UTC schedules only, so the daily
-- job fires every hour at the UTC minute that is p_daily_at's local minute (a zone's offset
-- changes by whole hours at DST, so the minute holds all year) and pipeline.daily() decides.
-- p_params: parameters of the scheduled runs (stage_defs.run_params). Idempotent.
create function pipeline.install_schedule(
  p_daily_at time default '07:00',
  p_params jsonb default null
) returns text
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  tz text := analytics.time_zone();
  local_now timestamp := now() at time zone tz;
  minute integer;
begin
  perform cron.schedule('pipeline-tick', '* * * * *', 'select pipeline.tick()');
  if p_daily_at is null then
    perform cron.unschedule(jobid) from cron.job where jobname = 'pipeline-daily';
    return 'pipeline-tick every minute; no daily run';
  end if;
  update pipeline.schedule set daily_at = p_daily_at, params = coalesce(p_params, params),
    -- Installing after today's time does not start a run now: the first is tomorrow's.
    last_run_on = case when local_now::time >= p_daily_at then local_now::date end,
    updated_at = now();
  minute := extract(minute from ((local_now::date + p_daily_at) at time zone tz)
    at time zone 'UTC')::integer;
  perform cron.schedule('pipeline-daily', format('%s * * * *', minute),
    'select pipeline.daily()');
  return format('pipeline-tick every minute; pipeline-daily at %s %s (hourly at minute %s UTC)',
    p_daily_at, tz, minute);
end
$$;

-- Removes both jobs. (PL/pgSQL, like the functions above: its body is resolved when called, so
-- the migration also applies to a database without pg_cron, such as a test's scratch database.)
create function pipeline.uninstall_schedule() returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform cron.unschedule(jobid) from cron.job
  where jobname in ('pipeline-tick', 'pipeline-daily');
end
$$;

-- Re-runs one stage. In a running run, a stage waiting for its retry is sent now. In a finished
-- run, the run is reopened (refused while another runs, as start_run) from that stage: it and the
-- stages after it start over, fresh attempts, and the run goes on from there.
create function pipeline.retry_stage(p_run_id uuid, p_stage text) returns pipeline.runs
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  r pipeline.runs;
  s pipeline.stages;
  other pipeline.runs;
begin
  select * into r from pipeline.runs where id = p_run_id for update;
  if not found then
    raise exception 'Cannot retry: no run %', p_run_id using errcode = 'no_data_found';
  end if;
  select * into s from pipeline.stages where run_id = p_run_id and stage = p_stage for update;
  if not found then
    raise exception 'Cannot retry: no stage % (stages: sync, metrics, brief, pulse)', p_stage
      using errcode = 'no_data_found';
  end if;
  if not (select enabled from pipeline.stage_defs where stage = p_stage) then
    raise exception 'Cannot retry stage %: it is disabled', p_stage
      using errcode = 'object_not_in_prerequisite_state';
  end if;
  if r.status = 'running' then
    if s.status <> 'retrying' then
      raise exception 'Cannot retry stage % of running run %: it is %, not waiting for a retry',
        p_stage, p_run_id, s.status using errcode = 'object_not_in_prerequisite_state';
    end if;
    perform pipeline._log(p_run_id, p_stage, 'retry_requested', null);
    perform pipeline._dispatch(p_run_id, p_stage, true);
    return r;
  end if;
  begin
    update pipeline.runs set status = 'running', finished_at = null, error = null
    where id = p_run_id;
  exception when unique_violation then
    select * into other from pipeline.runs where status = 'running';
    raise exception 'Cannot re-run stage %: run % is already running', p_stage,
      coalesce(other.id::text, '(just finished)')
      using errcode = 'unique_violation', constraint = 'runs_one_running',
        detail = coalesce(other.id::text, '');
  end;
  update pipeline.stages st set status = case when d.enabled then 'pending' else 'skipped' end,
    attempts = 0, slices = 0, request_id = null, queued_at = null, started_at = null,
    attempt_started_at = null, deadline_at = null, next_attempt_at = null, finished_at = null,
    counts = '{}'::jsonb, result = null, error = null
  from pipeline.stage_defs d
  where st.run_id = p_run_id and d.stage = st.stage and st.position >= s.position;
  perform pipeline._log(p_run_id, p_stage, 'rerun', format('run was %s', r.status));
  perform pipeline._dispatch(p_run_id, p_stage, true);
  select * into r from pipeline.runs where id = p_run_id;
  return r;
end
$$;

-- A run with every stage, as the admin API answers it (durations in milliseconds).
create function pipeline.run_json(p_run_id uuid) returns jsonb
language sql stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select jsonb_build_object(
    'id', r.id, 'trigger', r.trigger, 'status', r.status, 'params', r.params,
    'started_at', r.started_at, 'finished_at', r.finished_at, 'error', r.error,
    'duration_ms', round(extract(epoch from coalesce(r.finished_at, now()) - r.started_at) * 1000),
    'stages', (
      select jsonb_agg(jsonb_build_object(
        'stage', st.stage, 'function', d.function_path, 'status', st.status,
        'attempts', st.attempts, 'max_attempts', d.max_attempts, 'slices', st.slices,
        'queued_at', st.queued_at, 'started_at', st.started_at, 'finished_at', st.finished_at,
        'next_attempt_at', st.next_attempt_at, 'deadline_at', st.deadline_at,
        'duration_ms', case when st.started_at is not null then round(extract(epoch from
          coalesce(st.finished_at, now()) - st.started_at) * 1000) end,
        'counts', st.counts, 'result', st.result, 'error', st.error
      ) order by st.position)
      from pipeline.stages st join pipeline.stage_defs d using (stage)
      where st.run_id = r.id
    ))
  from pipeline.runs r where r.id = p_run_id
$$;

revoke execute on all functions in schema pipeline from public, anon, authenticated;
grant execute on function pipeline.start_run(text, jsonb), pipeline.stage_started(uuid, text),
  pipeline.report(uuid, text, text, jsonb, jsonb, text), pipeline.retry_stage(uuid, text),
  pipeline.run_json(uuid), pipeline.tick(), pipeline.daily(timestamptz) to service_role;
