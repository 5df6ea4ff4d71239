// The whole pipeline on the demo company the way production runs it: pg_cron fires the daily job
// (pipeline.daily at the configured local time), Postgres sends each stage through pg_net to its
// function behind the gateway, each function reports back, and the next stage follows at once.
// Checks the run, every stage's timings, the stored snapshot, the brief, the pulse as the Twilio
// sink received it, and cron's own record.
import assert from "node:assert/strict";
import { cancelRunning, simulatorDate, waitForRun } from "./_pipeline.ts";
import { stackEnv, stackSql, waitFor } from "./_stack.ts";

const RECIPIENT = "+15555550199";

/** Messages the stack's Twilio sink received for `to`, through Twilio's list API. */
async function sinkMessages(
  to: string,
): Promise<{ to: string; body: string; date_created: string }[]> {
  const env = stackEnv();
  const sid = env.TWILIO_ACCOUNT_SID!;
  const query = new URLSearchParams({ To: to, PageSize: "1000" });
  const res = await fetch(
    `${env.TWILIO_API_URL}/2010-04-01/Accounts/${sid}/Messages.json?${query}`,
    {
      headers: { authorization: "Basic " + btoa(`${sid}:${env.TWILIO_AUTH_TOKEN}`) },
    },
  );
  assert.equal(res.status, 200);
  return (await res.json()).messages;
}

Deno.test("pg_cron's daily job runs sync → metrics → brief → pulse through pg_net", async () => {
  const sql = stackSql();
  const [settings] = await sql<{ time_zone: string }[]>`select time_zone from analytics.settings`;
  try {
    await cancelRunning(sql);
    await sql`insert into whatsapp.recipients (name, phone, role, opted_in)
      values ('E2E test', ${RECIPIENT}, 'CRO', true)
      on conflict (phone) do update set opted_in = true`;
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
    for (const stage of run.stages) {
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
    const [brief] = await sql<{ id: string; model: string; pulse: string; snapshot: string }[]>`
      select b.id::text, b.model, b.pulse, b.snapshot_id::text as snapshot from brief.briefs b
      where b.run_id = ${runId}`;
    assert.ok(brief, "the brief stage stored the run's brief");
    assert.equal(brief.snapshot, (run.stages[1]!.result as { snapshot_id: string }).snapshot_id);
    assert.ok(Number(run.stages[3]!.counts.sent) >= 1, JSON.stringify(run.stages[3]!.counts));
    const received = (await sinkMessages(`whatsapp:${RECIPIENT}`)).filter((m) =>
      m.to === `whatsapp:${RECIPIENT}` && // Twilio dates are whole seconds.
      new Date(m.date_created).getTime() > new Date(run.started_at).getTime() - 1000
    );
    assert.equal(received.length, 1, "one pulse to the recipient, once");
    assert.equal(received[0]!.body, brief.pulse);
    // Each stage's request went out through pg_net and reached its function (the answer is
    // recorded just after the report that ended the run).
    const codes = await waitFor("every stage's pg_net answer", async () => {
      const rows = await sql<{ status_code: number }[]>`
        select r.status_code from pipeline.stages s
        join net._http_response r on r.id = s.request_id
        where s.run_id = ${runId}`;
      return rows.length === 4 ? rows.map((r) => r.status_code) : undefined;
    });
    assert.deepEqual(codes, [200, 200, 200, 200]);
  } finally {
    await sql`select pipeline.install_schedule(null)`;
    await sql`update whatsapp.recipients set opted_in = false where phone = ${RECIPIENT}`;
    await sql`update analytics.settings set time_zone = ${settings!.time_zone}`;
    await cancelRunning(sql);
    await sql.end();
  }
});
