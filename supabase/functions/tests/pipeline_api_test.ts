// The pipeline admin API through the gateway with supabase-js, as curl and the CLI use it:
// start (202), a second start while one runs (409 naming the run), status, recent runs,
// re-run a stage, and the 4xx answers for bad input and missing or wrong keys.
import assert from "node:assert/strict";
import { STAGES } from "../_shared/pipeline/runs.ts";
import { PipelineApiError, pipelineClient } from "../../../scripts/run/client.ts";
import { cancelRunning, simulatorDate, waitForRun } from "./_pipeline.ts";
import { stackEnv, stackSql } from "./_stack.ts";

Deno.test("pipeline API starts a run, refuses a second one, reads and re-runs", async (t) => {
  const env = stackEnv();
  const sql = stackSql();
  const api = pipelineClient(env.SUPABASE_URL!, env.SUPABASE_SERVICE_ROLE_KEY!);
  try {
    await cancelRunning(sql);
    const asOf = await simulatorDate();
    const run = await api.start({ trigger: "api-test", as_of: asOf });
    await t.step("POST /pipeline/runs answers the running run with its stages", () => {
      assert.equal(run.status, "running");
      assert.equal(run.trigger, "api-test");
      assert.deepEqual(run.params, { as_of: asOf });
      assert.deepEqual(run.stages.map((s) => s.stage), [...STAGES]);
    });
    await t.step("a second start while it runs is a 409 naming the running run", async () => {
      const err = await api.start({}).then(() => undefined, (e) => e);
      assert.ok(err instanceof PipelineApiError, String(err));
      assert.equal(err.status, 409);
      assert.equal(err.code, "run_in_progress");
      assert.match(err.message, new RegExp(`run ${run.id} is already running`));
    });
    const done = await waitForRun(sql, run.id);
    await t.step("GET /pipeline/runs/:id: every stage's state, timings and counts", async () => {
      const status = await api.status(run.id);
      assert.equal(status.status, "succeeded", status.error ?? "");
      assert.deepEqual(status, { ...done, duration_ms: status.duration_ms });
      const [sync, metrics] = status.stages;
      assert.equal(sync!.status, "succeeded");
      assert.ok(sync!.duration_ms! > 0 && sync!.started_at && sync!.finished_at);
      assert.ok(Number(sync!.counts.api_calls) > 0);
      assert.equal(metrics!.status, "succeeded");
      assert.equal(typeof (metrics!.result as { snapshot_id: string }).snapshot_id, "string");
    });
    await t.step("GET /pipeline/runs lists it first", async () => {
      const [first] = await api.list(3);
      assert.equal(first!.id, run.id);
    });
    await t.step("POST .../stages/metrics/retry re-runs metrics only", async () => {
      const again = await api.retry(run.id, "metrics");
      assert.equal(again.status, "running");
      assert.equal(again.stages[0]!.status, "succeeded");
      const end = await waitForRun(sql, run.id);
      assert.equal(end.status, "succeeded", end.error ?? "");
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from analytics.snapshots where run_id = ${run.id}`;
      assert.equal(row!.n, 2);
    });
    await t.step("bad input and keys get clear 4xx answers", async () => {
      const bad = async (f: () => Promise<unknown>, status: number, pattern: RegExp) => {
        const err = await f().then(() => undefined, (e) => e);
        assert.ok(err instanceof PipelineApiError, String(err));
        assert.equal(err.status, status);
        assert.match(err.message, pattern);
      };
      await bad(() => api.status("nope"), 400, /id: expected a run id/);
      await bad(() => api.status(crypto.randomUUID()), 404, /No run/);
      await bad(() => api.retry(run.id, "dance"), 400, /stage: expected one of sync/);
      await bad(() => api.start({ as_of: "March 4" } as never), 400, /as_of/);
      const anon = pipelineClient(env.SUPABASE_URL!, env.SUPABASE_ANON_KEY!);
      await bad(() => anon.list(), 403, /service_role/);
      const res = await fetch(`${env.FUNCTIONS_URL}/pipeline/runs`);
      assert.equal(res.status, 401);
      await res.body?.cancel();
    });
  } finally {
    await cancelRunning(sql);
    await sql.end();
  }
});
