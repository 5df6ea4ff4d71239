// The zoho-sync app in process (app.request): auth, input errors, and how the engine's outcomes
// map to HTTP (busy lease, Zoho failing after retries, the daily credit cap, single reads).
import assert from "node:assert/strict";
import { acquireLease } from "../_shared/sync/runs.ts";
import { SERVICE_KEY, startHarness } from "../tests/_zoho_sync.ts";
import { createApp } from "./app.ts";

const noWait = { sleep: () => Promise.resolve(), random: () => 0 };

async function post(app: ReturnType<typeof createApp>, body: unknown, key = SERVICE_KEY) {
  const res = await app.request("/zoho-sync", {
    method: "POST",
    headers: { authorization: `Bearer ${key}` },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("zoho-sync app", async (t) => {
  const h = await startHarness("zs_app", { size: { leads: 60 } });
  const app = createApp({ env: h.env, sql: h.db.sql, retry: noWait });
  const crmCalls = () => h.sim.controls.log.entries().filter((e) => e.path.startsWith("/crm/"));
  try {
    await t.step("refuses a wrong key with 403 and names bad input with 400", async () => {
      const denied = await post(app, {}, "not-the-key");
      assert.equal(denied.status, 403, JSON.stringify(denied.body));
      const bad = await post(app, { mode: "sometimes", budget_ms: 5 });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, "invalid_request");
      assert.match(bad.body.error.message, /mode: .*; budget_ms: /);
      const junk = await post(app, "{not json");
      assert.deepEqual([junk.status, junk.body.error.code], [400, "invalid_json"]);
    });

    await t.step("a Zoho failure after retries answers 502 zoho_error", async () => {
      const rule = h.sim.controls.faults.add({ kind: "status", status: 500, path: "/settings/" });
      try {
        const out = await post(app, { modules: ["Campaigns"] });
        assert.equal(out.status, 502, JSON.stringify(out.body));
        assert.equal(out.body.error.code, "zoho_error");
        assert.equal(out.body.error.message, "GET /settings/modules (500 INTERNAL_ERROR)");
        const tries = crmCalls().filter((e) => e.path.endsWith("/settings/modules"));
        assert.ok(tries.length > 1, "retried before giving up");
      } finally {
        h.sim.controls.faults.remove(rule);
      }
    });

    await t.step("a held lease refuses a second run with 409 busy", async () => {
      const release = await acquireLease(h.db.sql, { runId: crypto.randomUUID(), seconds: 60 });
      try {
        const out = await post(app, { modules: ["Campaigns"] });
        assert.equal(out.status, 409, JSON.stringify(out.body));
        assert.equal(out.body.error.code, "busy");
      } finally {
        await release();
      }
      const after = await post(app, { modules: ["Campaigns"] });
      assert.equal(after.status, 200, "the released lease is free again");
    });

    await t.step("ZOHO_SINGLE_READS=all reads every record singly", async () => {
      const all = createApp({
        env: { ...h.env, ZOHO_SINGLE_READS: "all" },
        sql: h.db.sql,
        retry: noWait,
      });
      h.sim.controls.log.clear();
      const out = await post(all, { modules: ["Campaigns"], mode: "full" });
      assert.equal(out.body.status, "done", JSON.stringify(out.body));
      const single = new Set(
        crmCalls().map((e) => e.path.match(/\/Campaigns\/(\d+)$/)?.[1]).filter((id) => id),
      );
      const ids = [...h.sim.controls.records.iterate("Campaigns")].map((r) => String(r.id));
      assert.ok(ids.length > 5);
      assert.deepEqual([...single].sort(), ids.sort());
    });

    await t.step("the daily credit cap stops a run with a clear status", async () => {
      const [spent] = await h.db.sql<{ n: number }[]>`
        select coalesce(sum(credits_used), 0)::int as n from zoho.sync_logs`;
      const capped = createApp({
        env: { ...h.env, ZOHO_DAILY_CREDITS: String(spent!.n + 4), ZOHO_MODULES_TTL_MINUTES: "0" },
        sql: h.db.sql,
        retry: noWait,
      });
      h.sim.controls.log.clear();
      const out = await post(capped, { modules: ["Leads", "Contacts", "Deals"], mode: "full" });
      assert.equal(out.status, 200, JSON.stringify(out.body));
      assert.equal(out.body.status, "partial");
      assert.equal(out.body.stopped_by, "credits", "the caller sees why it stopped");
      assert.ok(crmCalls().length <= 4, `at most the 4 credits left: ${crmCalls().length} calls`);
      const stopped = out.body.modules.filter((m: { errors: string[] }) =>
        m.errors.some((e) => /daily credit allowance is spent/.test(e))
      );
      assert.ok(stopped.length > 0, JSON.stringify(out.body));
      for (const m of stopped) assert.deepEqual([m.status, m.stopped_by], ["partial", "credits"]);
    });
  } finally {
    await h.close();
  }
});
