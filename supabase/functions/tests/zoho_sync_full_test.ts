import assert from "node:assert/strict";
import { createApp } from "../zoho-sync/app.ts";
import { diffWithTruth, SERVICE_KEY, startHarness } from "./_zoho_sync.ts";

function post(app: ReturnType<typeof createApp>, body: unknown) {
  return app.request("/zoho-sync", {
    method: "POST",
    headers: { authorization: `Bearer ${SERVICE_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

Deno.test("zoho-sync full sync equals the simulator's truth exactly", async (t) => {
  const h = await startHarness("zs_full");
  try {
    const app = createApp({ env: h.env, sql: h.db.sql });
    await t.step("first full sync stores every record, every field, hash by hash", async () => {
      const res = await post(app, { mode: "full" });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.status, "done", JSON.stringify(body));
      const diff = await diffWithTruth(h.db.sql, h.sim);
      assert.deepEqual({ missing: diff.missing, extra: diff.extra }, { missing: [], extra: [] });
      assert.ok(diff.total > 1000);
    });
  } finally {
    await h.close();
  }
});
