// The whole pipeline on the demo company the way production runs it: pg_cron fires the daily job
// (pipeline.daily at the configured local time), Postgres sends each stage through pg_net to its
// function behind the gateway, each function reports back, and the next stage follows at once.
// Checks the run, every stage's timings, the stored snapshot and cron's own record.
import assert from "node:assert/strict";
import { cancelRunning, simulatorDate, waitForRun } from "./_pipeline.ts";
import { stackSql, waitFor } from "./_stack.ts";

Deno.test("pg_cron's daily job runs sync → metrics through pg_net to success", async () => {
  const sql = stackSql();
  const [settings] = await sql<{ time_zone: string }[]>`select time_zone from analytics.settings`;
  try {
    await cancelRunning(sql);
    // A zone with a half-hour offset: the hourly UTC job must land on the local minute.
    await sql`update analytics.settings set time_zone = 'Asia/Kolkata'`;
    const asOf = await simulatorDate();
    // The next whole local minute, at least 20 s away (pg_cron 1.4 fires on minute boundaries).
    const [at] = await sql<{ daily_at: string; startedAfter: Date }[]>`
      select to_char(date_trunc('minute', (now() + interval '80 seconds') at time zone
        'Asia/Kolkata'), 'HH24:MI') as daily_at, now() as "startedAfter"`;
    const installed = await sql<{ s: string }[]>`
      select pipeline.install_schedule(${at!.daily_at}::time,
        ${JSON.stringify({ as_of: asOf })}::text::jsonb) as s`;
    assert.match(installed[0]!.s, /pipeline-daily at .* Asia\/Kolkata/);
    const runId = await waitFor("the scheduled run", async () => {
      const [r] = await sql<{ id: string }[]>`select id::text from pipeline.runs
        where trigger = 'schedule' and started_at >= ${at!.startedAfter}`;
      return r?.id;
    }, 150_000);
    const run = await waitForRun(sql, runId, { timeoutMs: 120_000 });
    assert.equal(run.status, "succeeded", run.error ?? "");
    assert.deepEqual(run.params, { as_of: asOf });
    for (const stage of run.stages.filter((s) => s.stage === "sync" || s.stage === "metrics")) {
      assert.equal(stage.status, "succeeded", `${stage.stage}: ${stage.error}`);
      assert.ok(stage.queued_at && stage.started_at && stage.finished_at, stage.stage);
      assert.ok(stage.duration_ms! >= 0, stage.stage);
      assert.equal(stage.attempts, 1, `${stage.stage} needed no retry`);
    }
    const [snap] = await sql<{ as_of: string; n: number }[]>`
      select as_of::text, jsonb_array_length(brief -> 'facts') as n
      from analytics.snapshots where run_id = ${runId}`;
    assert.equal(snap?.as_of, asOf, "the snapshot is the demo company's today");
    assert.ok(snap!.n >= 20);
    const [cronRun] = await sql<{ status: string }[]>`
      select d.status from cron.job_run_details d join cron.job j using (jobid)
      where j.jobname = 'pipeline-daily' and d.start_time >= ${at!.startedAfter}
      order by d.start_time limit 1`;
    assert.equal(cronRun?.status, "succeeded");
    // Each stage's request went out through pg_net and reached its function (the answer is
    // recorded just after the report that ended the run).
    const codes = await waitFor("both stages' pg_net answers", async () => {
      const rows = await sql<{ status_code: number }[]>`
        select r.status_code from pipeline.stages s
        join net._http_response r on r.id = s.request_id
        where s.run_id = ${runId} and s.stage in ('sync', 'metrics')`;
      return rows.length === 2 ? rows.map((r) => r.status_code) : undefined;
    });
    assert.deepEqual(codes, [200, 200]);
  } finally {
    await sql`select pipeline.install_schedule(null)`;
    await sql`update analytics.settings set time_zone = ${settings!.time_zone}`;
    await cancelRunning(sql);
    await sql.end();
  }
});
