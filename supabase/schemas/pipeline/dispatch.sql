-- Pipeline transitions: start_run queues the first stage through pg_net; a stage function calls
-- stage_started when it begins and report when it ends (in the same transaction as its work
-- where it can), and report queues the next stage (or the next sync slice) at once. Nothing here
-- reads pg_net's response: the watchdog (20261129184200_pipeline_watchdog.sql) handles silence.

-- A Vault secret by name; a missing one is an error naming it (never its value).
create function pipeline.secret(p_name text) returns text
language plpgsql stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v text;
begin
  select decrypted_secret into v from vault.decrypted_secrets where name = p_name;
  if v is null or v = '' then
    -- The setup is incomplete (object_not_in_prerequisite_state), not the caller's input.
    raise exception 'Cannot call a pipeline stage: Vault secret % is missing', p_name
      using errcode = '55000',
        hint = format('select vault.create_secret(''<value>'', %L);', p_name);
  end if;
  return v;
end
$$;

create function pipeline._log(p_run_id uuid, p_stage text, p_event text, p_detail text)
returns void
language sql
security definer
set search_path = pg_catalog, pg_temp
as $$
  insert into pipeline.events (run_id, stage, event, detail)
  values (p_run_id, p_stage, p_event, p_detail)
$$;

-- Adds numeric counts key by key (sync slices add up); other values are replaced.
create function pipeline._add_counts(a jsonb, b jsonb) returns jsonb
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
  select coalesce(jsonb_object_agg(k, case
    when jsonb_typeof(a -> k) = 'number' and jsonb_typeof(b -> k) = 'number'
      then to_jsonb((a ->> k)::numeric + (b ->> k)::numeric)
    else coalesce(b -> k, a -> k) end), '{}'::jsonb)
  from (select jsonb_object_keys(coalesce(a, '{}'::jsonb)) as k
    union select jsonb_object_keys(coalesce(b, '{}'::jsonb))) keys
$$;

-- Sends one request for a stage: POST <project_url>/functions/v1/<function_path> with
-- {"run_id", ...the parameters the stage takes} and the service-role key, both from Vault. The
-- parameters come from the run's params and the results of its earlier stages (the brief stage
-- takes the metrics stage's snapshot_id). pg_net sends it only when this transaction commits.
-- A new attempt counts against the stage's limit.
create function pipeline._dispatch(p_run_id uuid, p_stage text, p_new_attempt boolean)
returns bigint
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  d pipeline.stage_defs;
  params jsonb;
  body jsonb;
  new_request bigint;
  attempt integer;
begin
  select * into strict d from pipeline.stage_defs where stage = p_stage;
  select r.params into strict params from pipeline.runs r where r.id = p_run_id;
  params := params || coalesce((
    select jsonb_object_agg(e.key, e.value order by s.position)
    from pipeline.stages s, jsonb_each(s.result) e
    where s.run_id = p_run_id and s.position < d.position and s.status = 'succeeded'
      and jsonb_typeof(s.result) = 'object'
  ), '{}'::jsonb);
  body := jsonb_build_object('run_id', p_run_id) || coalesce((
    select jsonb_object_agg(key, value) from jsonb_each(params) where key = any(d.run_params)
  ), '{}'::jsonb);
  new_request := net.http_post(
    url := rtrim(pipeline.secret('project_url'), '/') || '/functions/v1/' || d.function_path,
    body := body,
    headers := jsonb_build_object('Content-Type', 'application/json',
      'Authorization', 'Bearer ' || pipeline.secret('service_role_key')),
    -- The function may work up to its budget; pg_net's answer is not needed either way.
    timeout_milliseconds := d.budget_seconds * 1000
  );
  update pipeline.stages set
    status = 'queued',
    request_id = new_request,
    attempts = attempts + case when p_new_attempt then 1 else 0 end,
    queued_at = coalesce(queued_at, now()),
    deadline_at = now() + make_interval(secs => d.budget_seconds),
    next_attempt_at = null
  where run_id = p_run_id and stage = p_stage
  returning attempts into attempt;
  perform pipeline._log(p_run_id, p_stage, 'queued',
    format('attempt %s, POST /functions/v1/%s (request %s)', attempt, d.function_path,
      new_request));
  return new_request;
end
$$;

-- Queues the next pending stage, or marks the run succeeded when none is left.
create function pipeline._advance(p_run_id uuid) returns text
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  next_stage text;
begin
  select stage into next_stage from pipeline.stages
  where run_id = p_run_id and status = 'pending' order by position limit 1;
  if next_stage is null then
    update pipeline.runs set status = 'succeeded', finished_at = clock_timestamp() where id = p_run_id;
    perform pipeline._log(p_run_id, null, 'succeeded', null);
    return 'succeeded';
  end if;
  perform pipeline._dispatch(p_run_id, next_stage, true);
  return next_stage;
end
$$;

-- A failed or timed-out attempt: retry later with backoff, or fail the stage and the run.
create function pipeline._attempt_failed(p_run_id uuid, p_stage text, p_error text)
returns text
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  d pipeline.stage_defs;
  s pipeline.stages;
  wait interval;
begin
  select * into strict d from pipeline.stage_defs where stage = p_stage;
  select * into strict s from pipeline.stages where run_id = p_run_id and stage = p_stage;
  if s.attempts < d.max_attempts then
    wait := make_interval(secs => d.backoff_seconds * power(2, greatest(s.attempts - 1, 0)));
    update pipeline.stages set status = 'retrying', error = p_error, deadline_at = null,
      next_attempt_at = now() + wait
    where run_id = p_run_id and stage = p_stage;
    perform pipeline._log(p_run_id, p_stage, 'attempt_failed',
      format('attempt %s of %s: %s; retry in %s', s.attempts, d.max_attempts, p_error, wait));
    return 'retrying';
  end if;
  update pipeline.stages set status = 'failed', error = p_error, deadline_at = null,
    finished_at = clock_timestamp()
  where run_id = p_run_id and stage = p_stage;
  update pipeline.stages set status = 'skipped' where run_id = p_run_id and status = 'pending';
  update pipeline.runs set status = 'failed', finished_at = clock_timestamp(),
    error = format('Stage %s failed after %s attempt(s): %s', p_stage, s.attempts, p_error)
  where id = p_run_id;
  perform pipeline._log(p_run_id, p_stage, 'failed', p_error);
  return 'failed';
end
$$;

-- Starts a run: refuses while another runs (index runs_one_running, raised as unique_violation
-- naming the running run in DETAIL), creates its stages and queues the first enabled one.
-- params: run parameters the stages take (stage_defs.run_params), e.g. {"as_of": "2026-03-04"}.
create function pipeline.start_run(p_trigger text, p_params jsonb default '{}'::jsonb)
returns pipeline.runs
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  r pipeline.runs;
  other pipeline.runs;
  unknown text;
begin
  select string_agg(k, ', ') into unknown from jsonb_object_keys(coalesce(p_params, '{}')) k
  where k not in (select unnest(run_params) from pipeline.stage_defs);
  if unknown is not null then
    raise exception 'Cannot start a run: unknown parameter(s) %', unknown using errcode = '22023';
  end if;
  if p_params ? 'as_of' and (p_params ->> 'as_of') !~ '^\d{4}-\d{2}-\d{2}$' then
    raise exception 'Cannot start a run: as_of must be a YYYY-MM-DD date' using errcode = '22023';
  end if;
  begin
    insert into pipeline.runs (trigger, params)
    values (p_trigger, coalesce(p_params, '{}'::jsonb)) returning * into r;
  exception when unique_violation then
    select * into other from pipeline.runs where status = 'running';
    raise exception 'Cannot start a run: run % is already running (started %)',
      coalesce(other.id::text, '(just finished)'), other.started_at
      using errcode = 'unique_violation', constraint = 'runs_one_running',
        detail = coalesce(other.id::text, '');
  end;
  insert into pipeline.stages (run_id, stage, position, status)
  select r.id, d.stage, d.position, case when d.enabled then 'pending' else 'skipped' end
  from pipeline.stage_defs d;
  perform pipeline._log(r.id, null, 'started', format('trigger %s, params %s', p_trigger, r.params));
  perform pipeline._advance(r.id);
  select * into r from pipeline.runs where id = r.id;
  return r;
end
$$;

-- Called by a stage function when it begins. null: run_id is not a pipeline run (a standalone
-- call: go ahead); true: the stage was queued and is now running; false: the stage is not
-- waiting for work (already running elsewhere, finished, or the run is over): do nothing.
create function pipeline.stage_started(p_run_id uuid, p_stage text) returns boolean
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  s pipeline.stages;
begin
  select * into s from pipeline.stages where run_id = p_run_id and stage = p_stage for update;
  if not found then
    return null;
  end if;
  if s.status <> 'queued' then
    perform pipeline._log(p_run_id, p_stage, 'refused',
      format('a request arrived while the stage was %s', s.status));
    return false;
  end if;
  update pipeline.stages set status = 'running', started_at = coalesce(started_at, now()),
    attempt_started_at = now()
  where run_id = p_run_id and stage = p_stage;
  perform pipeline._log(p_run_id, p_stage, 'running', format('attempt %s', s.attempts));
  return true;
end
$$;

-- A stage function's outcome: 'succeeded' (queues the next stage or ends the run), 'partial'
-- (a sync slice: queues the next slice at once) or 'failed' (retried by the tick, with backoff,
-- up to the stage's limit). Returns what happened: advanced, continued, retrying, failed, or
-- ignored (not a pipeline run, or a late report for a stage no longer active).
create function pipeline.report(
  p_run_id uuid,
  p_stage text,
  p_outcome text,
  p_counts jsonb default '{}'::jsonb,
  p_result jsonb default null,
  p_error text default null
) returns text
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  s pipeline.stages;
begin
  if p_outcome is null or p_outcome not in ('succeeded', 'partial', 'failed') then
    raise exception 'Cannot record a stage outcome: % is not succeeded, partial or failed',
      coalesce(p_outcome, 'null') using errcode = '22023';
  end if;
  select * into s from pipeline.stages where run_id = p_run_id and stage = p_stage for update;
  if not found then
    return 'ignored';
  end if;
  if s.status not in ('queued', 'running') then
    perform pipeline._log(p_run_id, p_stage, 'late_report',
      format('%s reported while the stage was %s', p_outcome, s.status));
    return 'ignored';
  end if;
  if p_outcome = 'failed' then
    return pipeline._attempt_failed(p_run_id, p_stage,
      coalesce(nullif(p_error, ''), 'the function reported a failure'));
  end if;
  update pipeline.stages set
    slices = slices + 1,
    counts = pipeline._add_counts(counts, coalesce(p_counts, '{}'::jsonb)),
    result = coalesce(p_result, result),
    error = null
  where run_id = p_run_id and stage = p_stage;
  if p_outcome = 'partial' then
    -- Progress was committed: the next slice starts with a fresh attempt budget.
    update pipeline.stages set attempts = 0 where run_id = p_run_id and stage = p_stage;
    perform pipeline._log(p_run_id, p_stage, 'slice', format('slice %s partial', s.slices + 1));
    perform pipeline._dispatch(p_run_id, p_stage, true);
    return 'continued';
  end if;
  update pipeline.stages set status = 'succeeded', finished_at = clock_timestamp(), deadline_at = null
  where run_id = p_run_id and stage = p_stage;
  perform pipeline._log(p_run_id, p_stage, 'succeeded',
    format('after %s slice(s), %s attempt(s)', s.slices + 1, s.attempts));
  perform pipeline._advance(p_run_id);
  return 'advanced';
end
$$;
