import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createApp } from "../zoho-sync/app.ts";
import { diffWithTruth, SERVICE_KEY, startHarness } from "./_zoho_sync.ts";

// Backoff at a tenth of real time: enough for the simulator's concurrency gate to drain.
const fast = { sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms / 10)) };

async function sync(app: ReturnType<typeof createApp>, body: unknown = {}) {
  const res = await app.request("/zoho-sync", {
    method: "POST",
    headers: { authorization: `Bearer ${SERVICE_KEY}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("zoho-sync under injected faults ends equal to the truth", async () => {
  const h = await startHarness("zs_faults", { size: { leads: 1200 } }, {
    ZOHO_REQUEST_TIMEOUT_MS: "400",
  });
  try {
    const f = h.sim.controls.faults;
    f.add({ kind: "status", status: 429, rate: 0.15, path: "/crm/v7/" });
    f.add({ kind: "status", status: 500, rate: 0.05, path: "/crm/v7/" });
    f.add({ kind: "truncate", rate: 0.05, path: "/crm/v7/" });
    f.add({ kind: "drop", rate: 0.03, path: "/crm/v7/" });
    f.add({ kind: "slow", delayMs: 1000, rate: 0.02, path: "/crm/v7/" });
    const app = createApp({ env: h.env, sql: h.db.sql, retry: fast });
    const first = await sync(app, { mode: "full" });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    // Token expiry mid-run: every access token dies, the next call gets 401 INVALID_TOKEN.
    h.sim.controls.tokens.expireAll();
    h.sim.controls.clock.advance(30);
    h.sim.controls.records.update("Deals", h.sim.controls.records.idOf("Deals", 1), {
      Amount: 12345,
    });
    h.sim.controls.clock.advance(5);
    let out = await sync(app, {});
    for (let i = 0; out.body.status !== "done" && i < 5; i++) out = await sync(app, {});
    assert.equal(out.body.status, "done", JSON.stringify(out.body));
    f.clear();
    const diff = await diffWithTruth(h.db.sql, h.sim);
    assert.deepEqual([diff.missing, diff.extra], [[], []]);
    const [errors] = await h.db.sql`select sum(jsonb_array_length(errors))::int as n
      from zoho.sync_logs`;
    assert.ok(errors!.n > 0, "retried errors are in the audit trail");
  } finally {
    await h.close();
  }
});

Deno.test("zoho-sync resumes cleanly after kill -9 mid-page", async () => {
  const h = await startHarness("zs_kill", { size: { leads: 1500 } });
  try {
    // Slow pages so the kill lands while pages are in flight.
    h.sim.controls.faults.add({ kind: "slow", delayMs: 150, path: "/crm/v7/" });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", fileURLToPath(new URL("./_zoho_sync_child.ts", import.meta.url))],
      env: h.env,
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] = await h.db.sql`select count(*)::int as n from zoho.records`;
      if (row!.n > 300 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    const status = await child.status;
    assert.equal(status.success, false, "the child was killed before finishing");
    const [partial] = await h.db.sql`select count(*)::int as n from zoho.records`;
    assert.ok(partial!.n > 0);
    h.sim.controls.faults.clear();
    await new Promise((r) => setTimeout(r, 3_100)); // the killed run's lease expires
    const app = createApp({ env: h.env, sql: h.db.sql });
    const out = await sync(app, {});
    assert.equal(out.body.status, "done", JSON.stringify(out.body));
    const diff = await diffWithTruth(h.db.sql, h.sim);
    assert.deepEqual([diff.missing, diff.extra], [[], []]);
    const [dupes] = await h.db.sql`select count(*)::int as n from (
      select module, id, content_hash from zoho.record_versions
      group by 1, 2, 3 having count(*) > 1) x`;
    assert.equal(dupes!.n, 0, "no version stored twice");
  } finally {
    await h.close();
  }
});
