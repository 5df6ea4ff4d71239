-- The daily pipeline's state: stage definitions (data), runs, their stages and an event log.
-- A run is rows, not a process: each stage is an HTTP call through pg_net, and the called
-- function reports back with the run_id it was given (see 20261129184100_pipeline_dispatch.sql).
create schema if not exists pipeline;
revoke all on schema pipeline from public, anon, authenticated;
grant usage on schema pipeline to service_role;

-- The stages in order and the function each calls (POST <project_url>/functions/v1/<path>).
-- A disabled stage is skipped by every new run (the brief/pulse stages are enabled once their
-- functions report back). run_params: the parameters copied into the stage's JSON body, from
-- the run's params or an earlier stage's result (pipeline._dispatch).
create table pipeline.stage_defs (
  stage text primary key check (stage ~ '^[a-z][a-z_]*$'),
  position integer not null unique check (position > 0),
  function_path text not null check (function_path ~ '^[a-z][a-z0-9-]*(/[a-z0-9-]+)*$'),
  enabled boolean not null default true,
  -- An attempt (or one sync slice) not reported within this many seconds counts as timed out.
  budget_seconds integer not null check (budget_seconds between 5 and 3600),
  max_attempts integer not null default 3 check (max_attempts between 1 and 20),
  -- Retry n waits backoff_seconds * 2^(n-1) after the failed attempt n.
  backoff_seconds integer not null default 30 check (backoff_seconds >= 0),
  run_params text[] not null default '{}'
);
comment on table pipeline.stage_defs is
  'Pipeline stages in order: the function each calls through pg_net, its time budget and retries';

insert into pipeline.stage_defs
  (stage, position, function_path, enabled, budget_seconds, max_attempts, backoff_seconds,
   run_params)
values
  -- One sync slice works up to budget_ms (zoho-sync default 120 s) and then reports `partial`.
  ('sync', 1, 'zoho-sync', true, 300, 3, 30, '{mode,budget_ms,modules}'),
  ('metrics', 2, 'compute-metrics', true, 120, 3, 30, '{as_of}'),
  ('brief', 3, 'generate-brief', true, 300, 3, 60, '{snapshot_id}'),
  ('pulse', 4, 'generate-brief/send', true, 120, 3, 60, '{}');

-- One row per run. At most one run is `running`: the partial unique index is the guard, so two
-- concurrent start_run calls cannot both succeed (the second waits for the first to commit and
-- then fails on the index), whatever the isolation level.
create table pipeline.runs (
  id uuid primary key default gen_random_uuid(),
  trigger text not null check (trigger ~ '^[a-z][a-z0-9_-]{0,39}$'),
  status text not null default 'running'
    check (status in ('running', 'succeeded', 'failed', 'cancelled')),
  params jsonb not null default '{}'::jsonb check (jsonb_typeof(params) = 'object'),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  error text,
  constraint runs_finished_iff_done check ((status = 'running') = (finished_at is null)),
  constraint runs_failed_has_reason check (status <> 'failed' or error is not null)
);
create unique index runs_one_running on pipeline.runs ((true)) where status = 'running';
create index runs_started_at_idx on pipeline.runs (started_at desc);
comment on table pipeline.runs is 'Pipeline runs; at most one running (index runs_one_running)';

-- One row per (run, stage). status:
--   pending   not reached yet            queued    sent through pg_net, not yet picked up
--   running   the function started it    retrying  an attempt failed; the tick re-sends it
--   succeeded / failed / skipped (disabled, or after an earlier stage failed)
create table pipeline.stages (
  run_id uuid not null references pipeline.runs (id) on delete cascade,
  stage text not null references pipeline.stage_defs (stage),
  position integer not null,
  status text not null default 'pending' check (status in
    ('pending', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'skipped')),
  attempts integer not null default 0,
  slices integer not null default 0,
  request_id bigint,
  queued_at timestamptz,
  started_at timestamptz,
  attempt_started_at timestamptz,
  deadline_at timestamptz,
  next_attempt_at timestamptz,
  finished_at timestamptz,
  counts jsonb not null default '{}'::jsonb,
  result jsonb,
  error text,
  primary key (run_id, stage),
  constraint stages_active_has_deadline
    check (status not in ('queued', 'running') or deadline_at is not null),
  constraint stages_retrying_has_time check (status <> 'retrying' or next_attempt_at is not null)
);
create index stages_active_idx on pipeline.stages (status)
  where status in ('queued', 'running', 'retrying');

-- Append-only log of every transition, for the status API and post-mortems.
create table pipeline.events (
  id bigserial primary key,
  run_id uuid not null references pipeline.runs (id) on delete cascade,
  stage text,
  event text not null,
  detail text,
  at timestamptz not null default clock_timestamp()
);
create index events_run_idx on pipeline.events (run_id, id);

-- The daily schedule: the local time (company time zone, analytics.settings) of the daily run,
-- the parameters it runs with, and the last local day a scheduled run was started.
create table pipeline.schedule (
  id boolean primary key default true check (id),
  daily_at time not null default '07:00',
  params jsonb not null default '{}'::jsonb check (jsonb_typeof(params) = 'object'),
  last_run_on date,
  updated_at timestamptz not null default now()
);
insert into pipeline.schedule default values;

revoke all on all tables in schema pipeline from public, anon, authenticated;
grant select, insert, update, delete on all tables in schema pipeline to service_role;
grant usage on all sequences in schema pipeline to service_role;
