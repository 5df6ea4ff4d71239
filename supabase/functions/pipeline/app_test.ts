// The pipeline app in process (app.request) on a scratch database: auth, bad input, and every
// run error answered by the one error map (409 invalid_state without the Vault secrets, 409
// run_in_progress naming the running run, 409 invalid_state for a retry of a running stage, 404).
// The whole run through the gateway and pg_net is tests/pipeline_api_test.ts.
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import { STAGES } from "../_shared/pipeline/runs.ts";
import { createApp } from "./app.ts";

const KEY = "test-service-key-for-pipeline-app-0123";

Deno.test("pipeline app", async (t) => {
  const db = await createScratchDb("pipeline_app");
  const app = createApp({
    env: () => ({ SUPABASE_DB_URL: db.url, SUPABASE_SERVICE_ROLE_KEY: KEY }),
  });
  const call = async (method: string, path: string, body?: unknown, token = KEY) => {
    const res = await app.request(`/pipeline${path}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  try {
    await t.step("the stage list in TypeScript is pipeline.stage_defs, in order", async () => {
      const rows = await db.sql`select stage from pipeline.stage_defs order by position`;
      assert.deepEqual(rows.map((r) => r.stage), [...STAGES]);
    });

    await t.step("the service role key only", async () => {
      assert.equal((await call("GET", "/runs", undefined, "wrong")).status, 403);
    });

    await t.step("bad input is a 400 naming the field", async () => {
      const bad = await call("POST", "/runs", { as_of: "tomorrow", colour: "red" });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, "invalid_request");
      assert.match(bad.body.error.message, /as_of/);
      const id = await call("GET", "/runs/not-a-uuid");
      assert.deepEqual([id.status, id.body.error.code], [400, "invalid_request"]);
      const stage = await call("POST", `/runs/${crypto.randomUUID()}/stages/nap/retry`);
      assert.deepEqual([stage.status, stage.body.error.code], [400, "invalid_request"]);
    });

    await t.step("without the Vault secrets a run cannot start: 409 invalid_state", async () => {
      const res = await call("POST", "/runs", { as_of: "2026-03-04" });
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, "invalid_state");
      assert.match(res.body.error.message, /Vault secret project_url is missing/);
      assert.equal((await db.sql`select count(*)::int as n from pipeline.runs`)[0]!.n, 0);
    });

    await db.sql`select vault.create_secret('http://127.0.0.1:9', 'project_url')`;
    await db.sql`select vault.create_secret('test-service-key', 'service_role_key')`;
    const started = await call("POST", "/runs", { trigger: "app-test", as_of: "2026-03-04" });

    await t.step("a run starts (202), and a second one is a 409 naming it", async () => {
      assert.equal(started.status, 202, JSON.stringify(started.body));
      assert.deepEqual(started.body.stages.map((s: { stage: string }) => s.stage), STAGES);
      const second = await call("POST", "/runs", {});
      assert.equal(second.status, 409);
      assert.deepEqual(
        [second.body.error.code, second.body.error.run_id],
        ["run_in_progress", started.body.id],
      );
    });

    await t.step("a stage that is running cannot be retried: 409 invalid_state", async () => {
      const res = await call("POST", `/runs/${started.body.id}/stages/sync/retry`);
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.error.code, "invalid_state");
    });

    await t.step("reads: the run, recent runs, and 404 for an unknown run", async () => {
      const one = await call("GET", `/runs/${started.body.id}`);
      assert.deepEqual([one.status, one.body.id, one.body.trigger], [
        200,
        started.body.id,
        "app-test",
      ]);
      const list = await call("GET", "/runs?limit=5");
      assert.ok(list.body.runs.some((r: { id: string }) => r.id === started.body.id));
      const none = crypto.randomUUID();
      assert.equal((await call("GET", `/runs/${none}`)).status, 404);
      const retry = await call("POST", `/runs/${none}/stages/sync/retry`);
      assert.deepEqual([retry.status, retry.body.error.code], [404, "not_found"]);
    });
  } finally {
    await closeAllSql();
    await db.drop();
  }
});
