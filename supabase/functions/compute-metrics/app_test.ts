// The compute-metrics app in process (app.request): auth, input and configuration errors, and a
// stored snapshot on an empty scratch database. The demo-company figures are checked in
// tests/compute_metrics_demo_test.ts.
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import { SnapshotSchema } from "../_shared/metrics/snapshot.ts";
import { createApp } from "./app.ts";

const KEY = "test-service-key";

async function post(app: ReturnType<typeof createApp>, body: unknown, token = KEY) {
  const res = await app.request("/compute-metrics", {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("compute-metrics app", async (t) => {
  const db = await createScratchDb("metrics_app");
  const app = createApp({
    env: () => ({ SUPABASE_DB_URL: db.url, SUPABASE_SERVICE_ROLE_KEY: KEY }),
  });
  try {
    await t.step("refuses a missing or wrong key", async () => {
      const none = await app.request("/compute-metrics", { method: "POST", body: "{}" });
      assert.equal(none.status, 401);
      await none.body?.cancel();
      assert.equal((await post(app, {}, "wrong")).status, 403);
    });

    await t.step("names bad input with 400", async () => {
      const bad = await post(app, { as_of: "yesterday", run_id: "x", extra: 1 });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, "invalid_request");
      assert.match(bad.body.error.message, /as_of: .*run_id: .*extra/s);
      assert.equal((await post(app, "{oops")).body.error.code, "invalid_json");
    });

    await t.step("a missing database URL is a 500 naming the variable", async () => {
      const broken = createApp({ env: () => ({ SUPABASE_SERVICE_ROLE_KEY: KEY }) });
      const out = await post(broken, {});
      assert.equal(out.status, 500);
      assert.equal(out.body.error.code, "misconfigured");
      assert.match(out.body.error.message, /SUPABASE_DB_URL/);
    });

    await t.step("stores and returns a snapshot (empty company)", async () => {
      const runId = crypto.randomUUID();
      const out = await post(app, { as_of: "2026-03-04", run_id: runId });
      assert.equal(out.status, 200, JSON.stringify(out.body));
      const snap = SnapshotSchema.parse(out.body);
      const [row] = await db.sql`select count(*)::int as n from analytics.snapshots
        where run_id = ${runId}`;
      assert.equal(row!.n, 1, "stored with its run_id");
      assert.equal(snap.as_of, "2026-03-04");
    });
  } finally {
    await closeAllSql();
    await db.drop();
  }
});
