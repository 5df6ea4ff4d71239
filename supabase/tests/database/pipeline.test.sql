-- The pipeline's state machine: start_run and its concurrency guard, the request each stage sends
-- through pg_net, stage_started, report (partial / succeeded / failed / late), the watchdog tick
-- (unreachable, timed out, retry with backoff, give up with the reason), retry_stage, the daily
-- schedule across daylight saving, and install_schedule's UTC minute.
begin;
select plan(69);

-- A clean slate inside this transaction: no running run, known Vault secrets, known backoff.
update pipeline.runs set status = 'cancelled', finished_at = now() where status = 'running';
delete from vault.secrets where name in ('project_url', 'service_role_key');
select vault.create_secret('http://pipeline.test/', 'project_url');
select vault.create_secret('test-service-key', 'service_role_key');
update pipeline.stage_defs set max_attempts = 3, backoff_seconds = 30;
-- Brief and pulse disabled first (a disabled stage is skipped), enabled further down.
update pipeline.stage_defs set enabled = false where stage in ('brief', 'pulse');

create temp table t (k text primary key, id uuid);
create function pg_temp.last_request() returns table (url text, body jsonb, auth text, timeout int)
language sql as $$
  select url, convert_from(body, 'UTF8')::jsonb, headers ->> 'Authorization', timeout_milliseconds
  from net.http_request_queue order by id desc limit 1
$$;
create function pg_temp.st(p_stage text) returns pipeline.stages
language sql as $$
  select * from pipeline.stages where run_id = (select id from t where k = 'run') and stage = p_stage
$$;
create function pg_temp.run() returns pipeline.runs
language sql as $$ select * from pipeline.runs where id = (select id from t where k = 'run') $$;

-- start_run
insert into t select 'run', (pipeline.start_run('test', '{"as_of": "2026-03-04", "mode": "full"}')).id;
select is((pg_temp.run()).status, 'running', 'start_run: the run is running');
select is((pg_temp.st('sync')).status, 'queued', 'start_run: the first stage is queued');
select is((pg_temp.st('sync')).attempts, 1, 'start_run: the first attempt is counted');
select is((pg_temp.st('metrics')).status, 'pending', 'start_run: later stages are pending');
select is((pg_temp.st('brief')).status, 'skipped', 'start_run: a disabled stage is skipped');
select is((select url from pg_temp.last_request()), 'http://pipeline.test/functions/v1/zoho-sync',
  'dispatch: POST <project_url>/functions/v1/<function> from Vault');
select is((select auth from pg_temp.last_request()), 'Bearer test-service-key',
  'dispatch: the service-role key from Vault as bearer token');
select is((select body from pg_temp.last_request()),
  jsonb_build_object('run_id', (select id from t where k = 'run'), 'mode', 'full'),
  'dispatch: the body is run_id plus the run params the stage takes (not as_of)');
select is((select timeout from pg_temp.last_request()), 300000,
  'dispatch: pg_net timeout is the stage budget');
select is((pg_temp.st('sync')).request_id, (select max(id) from net.http_request_queue),
  'dispatch: the pg_net request id is kept on the stage');

-- the concurrency guard
select throws_ok($$ select pipeline.start_run('test') $$, '23505', null,
  'start_run: a second concurrent run is refused (unique_violation)');
do $$
begin
  perform pipeline.start_run('test');
exception when unique_violation then
  insert into t values ('busy_msg', null);
  update t set k = 'busy:' || sqlerrm where k = 'busy_msg';
end
$$;
select ok((select k from t where k like 'busy:%') like
  '%run ' || (select id from t where k = 'run') || ' is already running%',
  'start_run: the refusal names the running run');
select throws_ok($$ insert into pipeline.runs (trigger) values ('sneaky') $$, '23505', null,
  'runs_one_running: a direct insert of a second running run violates the index');
select has_index('pipeline', 'runs', 'runs_one_running', 'the guard is a unique index');
select throws_ok($$ select pipeline.start_run('test', '{"colour": "red"}') $$, '22023', null,
  'start_run: an unknown parameter is refused');

-- stage_started
select is(pipeline.stage_started((select id from t where k = 'run'), 'sync'), true,
  'stage_started: a queued stage starts');
select is((pg_temp.st('sync')).status, 'running', 'stage_started: the stage is running');
select is(pipeline.stage_started((select id from t where k = 'run'), 'sync'), false,
  'stage_started: a second request for a running stage is refused (never twice at once)');
select is(pipeline.stage_started(gen_random_uuid(), 'sync'), null,
  'stage_started: a run id that is not a pipeline run means a standalone call');

-- report: partial slices, then success
select is(pipeline.report((select id from t where k = 'run'), 'sync', 'partial',
  '{"fetched": 10, "inserted": 10}'), 'continued', 'report partial: the next slice is queued');
select is((pg_temp.st('sync')).status, 'queued', 'report partial: the stage is queued again');
select is((pg_temp.st('sync')).slices, 1, 'report partial: one slice counted');
select is((pg_temp.st('sync')).request_id, (select max(id) from net.http_request_queue),
  'report partial: a new pg_net request was sent at once');
select is(pipeline.report(gen_random_uuid(), 'sync', 'succeeded'), 'ignored',
  'report: a run id that is not a pipeline run is ignored');
select throws_ok($$ select pipeline.report(gen_random_uuid(), 'sync', 'done') $$, '22023', null,
  'report: an unknown outcome is refused');
select pipeline.stage_started((select id from t where k = 'run'), 'sync');
select is(pipeline.report((select id from t where k = 'run'), 'sync', 'succeeded',
  '{"fetched": 5, "inserted": 1, "updated": 4}', '{"mode": "full"}'), 'advanced',
  'report succeeded: the pipeline advances');
select is((pg_temp.st('sync')).counts, '{"fetched": 15, "inserted": 11, "updated": 4}'::jsonb,
  'report: counts add up across slices');
select is((pg_temp.st('sync')).status, 'succeeded', 'report succeeded: the stage succeeded');
select isnt((pg_temp.st('sync')).finished_at, null, 'report succeeded: finish time recorded');
select is((pg_temp.st('metrics')).status, 'queued', 'report succeeded: the next stage is queued');
select is((select body from pg_temp.last_request()),
  jsonb_build_object('run_id', (select id from t where k = 'run'), 'as_of', '2026-03-04'),
  'dispatch: metrics receives as_of');
select is(pipeline.report((select id from t where k = 'run'), 'sync', 'succeeded'), 'ignored',
  'report: a late report for a finished stage is ignored');
select ok(exists (select 1 from pipeline.events where run_id = (select id from t where k = 'run')
  and stage = 'sync' and event = 'late_report'), 'report: the late report is logged');

-- failures, backoff, the watchdog
select is(pipeline.report((select id from t where k = 'run'), 'metrics', 'failed', '{}', null,
  'boom'), 'retrying', 'report failed: the attempt is retried later');
select is((pg_temp.st('metrics')).status, 'retrying', 'report failed: the stage waits to retry');
select is((pg_temp.st('metrics')).next_attempt_at, now() + interval '30 seconds',
  'backoff: the first retry waits backoff_seconds');
select is((pipeline.tick() ->> 'retried')::int, 0, 'tick: no retry before its time');
update pipeline.stages set next_attempt_at = now() - interval '1 second'
where run_id = (select id from t where k = 'run') and stage = 'metrics';
select is((pipeline.tick() ->> 'retried')::int, 1, 'tick: a due retry is sent again');
select is((pg_temp.st('metrics')).status, 'queued', 'tick: the retried stage is queued');
select is((pg_temp.st('metrics')).attempts, 2, 'tick: the retry counts as attempt 2');

-- a pg_net timeout is not a failure; a refused connection is
insert into net._http_response (id, status_code, timed_out, error_msg)
values ((pg_temp.st('metrics')).request_id, null, true, 'Timeout of 120000 ms reached');
select is((pipeline.tick() ->> 'unreachable')::int, 0,
  'tick: a pg_net timeout does not fail the stage (the function may still work)');
delete from net._http_response where id = (pg_temp.st('metrics')).request_id;
insert into net._http_response (id, status_code, timed_out, error_msg)
values ((pg_temp.st('metrics')).request_id, null, false, 'Couldn''t connect to server');
select is((pipeline.tick() ->> 'unreachable')::int, 1, 'tick: an undelivered request fails');
select is((pg_temp.st('metrics')).error, 'cannot reach the function: Couldn''t connect to server',
  'tick: the reason says the function could not be reached');
select is((pg_temp.st('metrics')).next_attempt_at, now() + interval '60 seconds',
  'backoff: the second retry waits twice as long');

-- a hang: no report before the deadline; the third attempt is the last
update pipeline.stages set next_attempt_at = now() - interval '1 second'
where run_id = (select id from t where k = 'run') and stage = 'metrics';
select pipeline.tick();
select pipeline.stage_started((select id from t where k = 'run'), 'metrics');
update pipeline.stages set deadline_at = now() - interval '1 second'
where run_id = (select id from t where k = 'run') and stage = 'metrics';
select is((pipeline.tick() ->> 'timed_out')::int, 1, 'tick: a stage past its budget times out');
select is((pg_temp.st('metrics')).status, 'failed', 'tick: after max_attempts the stage fails');
select is((pg_temp.run()).status, 'failed', 'tick: and the run fails');
select is((pg_temp.run()).error,
  'Stage metrics failed after 3 attempt(s): timed out: no report within 120 s (the function ' ||
  'started but did not finish)', 'the run says which stage failed, how often, and why');
select is((pg_temp.st('pulse')).status, 'skipped', 'a failed run skips what is left');

-- retry_stage on a finished run reopens it from that stage
select is((pipeline.retry_stage((select id from t where k = 'run'), 'metrics')).status,
  'running', 'retry_stage: the failed run runs again');
select is((pg_temp.st('metrics')).attempts, 1, 'retry_stage: with fresh attempts');
select is((pg_temp.st('sync')).status, 'succeeded', 'retry_stage: earlier stages are kept');
select throws_ok(format($$ select pipeline.retry_stage(%L, 'metrics') $$,
  (select id from t where k = 'run')), '55000', null,
  'retry_stage: a queued stage of a running run is not retried twice');

-- a 500 from the function, then success: the run ends succeeded (brief and pulse disabled)
insert into net._http_response (id, status_code, content, timed_out)
values ((pg_temp.st('metrics')).request_id, 500, '{"error":{"code":"internal_error"}}', false);
select pipeline.tick();
select alike((pg_temp.st('metrics')).error, 'the function answered 500:%',
  'tick: a 500 answer fails the attempt with the status');
select is((pipeline.retry_stage((select id from t where k = 'run'), 'metrics')).status, 'running',
  'retry_stage: a retrying stage of a running run is sent now');
select pipeline.report((select id from t where k = 'run'), 'metrics', 'succeeded');
select is((pg_temp.run()).status, 'succeeded', 'the run succeeds after its last enabled stage');
select alike((select stages from pipeline.run_overview where id = (select id from t where k = 'run')),
  'sync succeeded % ms (2 slices), metrics succeeded (2 attempts), brief skipped, pulse skipped',
  'run_overview: one line per run with every stage''s status, time and attempts');

-- brief and pulse, once enabled, call generate-brief and generate-brief/send
update pipeline.stage_defs set enabled = true where stage in ('brief', 'pulse');
update t set id = (pipeline.start_run('test')).id where k = 'run';
select pipeline.report((select id from t where k = 'run'), 'sync', 'succeeded');
select pipeline.report((select id from t where k = 'run'), 'metrics', 'succeeded', '{}',
  '{"snapshot_id": "00000000-0000-4000-8000-000000000001", "as_of": "2026-03-04"}');
select is((select url from pg_temp.last_request()), 'http://pipeline.test/functions/v1/generate-brief',
  'brief stage calls generate-brief');
select is((select body from pg_temp.last_request()), jsonb_build_object('run_id',
  (select id from t where k = 'run'), 'snapshot_id', '00000000-0000-4000-8000-000000000001'),
  'brief stage receives the snapshot_id of the metrics stage''s result');
select pipeline.report((select id from t where k = 'run'), 'brief', 'succeeded');
select is((select url from pg_temp.last_request()),
  'http://pipeline.test/functions/v1/generate-brief/send', 'pulse stage calls generate-brief/send');
select throws_ok($$ select pipeline.start_run('test') $$, '23505', null,
  'still one run at a time');
select pipeline.report((select id from t where k = 'run'), 'pulse', 'succeeded');
select is((pg_temp.run()).status, 'succeeded', 'four stages, succeeded');

-- the daily run across daylight saving (America/New_York: 2026-03-08 02:00 → 03:00 EDT,
-- 2026-11-01 02:00 EDT → 01:00 EST)
update analytics.settings set time_zone = 'America/New_York';
update pipeline.schedule set daily_at = '02:30', last_run_on = '2026-03-07', params = '{}';
select is(pipeline.daily('2026-03-08 06:45+00'), null,
  'daily: 01:45 EST is before 02:30, no run');
select isnt(pipeline.daily('2026-03-08 07:00+00'), null,
  'daily: 02:30 does not exist on spring-forward day; 03:00 EDT starts the run');
update pipeline.runs set status = 'cancelled', finished_at = now() where status = 'running';
select is(pipeline.daily('2026-03-08 08:00+00'), null, 'daily: once per local day');
update pipeline.schedule set daily_at = '01:30', last_run_on = '2026-10-31';
select isnt(pipeline.daily('2026-11-01 05:30+00'), null, 'daily: 01:30 EDT on fall-back day runs');
update pipeline.runs set status = 'cancelled', finished_at = now() where status = 'running';
select is(pipeline.daily('2026-11-01 06:30+00'), null,
  'daily: the repeated 01:30 (EST) does not run twice');

-- install_schedule: hourly at the UTC minute of the local time
update analytics.settings set time_zone = 'Asia/Kolkata';
select pipeline.install_schedule('07:00');
select is((select schedule from cron.job where jobname = 'pipeline-daily'), '30 * * * *',
  'install_schedule: 07:00 in Asia/Kolkata (UTC+05:30) is minute 30 of a UTC hour');
select is((select schedule from cron.job where jobname = 'pipeline-tick'), '* * * * *',
  'install_schedule: the watchdog ticks every minute');

select * from finish();
rollback;
