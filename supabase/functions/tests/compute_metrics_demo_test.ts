/**
 * compute-metrics end to end on the AHA Smart Homes demo company (scratch database): the HTTP
 * contract, and that the snapshot reproduces byte for byte on the same data.
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import { createApp } from "../compute-metrics/app.ts";
import { SnapshotSchema } from "../_shared/metrics/snapshot.ts";
import { writeDeletions, writeRecords } from "../_shared/sync/writer.ts";
import { loadDemoCompany } from "./_demo_company.ts";

const KEY = "test-service-key";

function post(app: ReturnType<typeof createApp>, body: unknown, token = KEY) {
  return app.request("/compute-metrics", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Snapshot text without the fields that differ per row. */
function stable(text: string): string {
  return text.replace(/"(id|run_id|created_at)": ("[^"]*"|null)/g, '"$1": _');
}

Deno.test("compute-metrics on the demo company", async (t) => {
  const db = await createScratchDb("metrics_demo");
  try {
    await loadDemoCompany(db.sql, { leads: 3000 });
    const app = createApp({
      env: () => ({ SUPABASE_DB_URL: db.url, SUPABASE_SERVICE_ROLE_KEY: KEY }),
    });

    await t.step("returns the stored snapshot with a compact brief payload", async () => {
      const res = await post(app, { as_of: "2026-03-04" });
      assert.equal(res.status, 200);
      const text = await res.text();
      const snap = SnapshotSchema.parse(JSON.parse(text));
      assert.equal(snap.as_of, "2026-03-04");
      assert.ok(new TextEncoder().encode(JSON.stringify(snap.brief)).length < 4096);
      const ids = snap.brief.facts.map((f) => f.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.ok(ids.includes("revenue.qtd") && ids.includes("win_rate.count"));
      const [row] = await db
        .sql`select content_hash from analytics.snapshots where id = ${snap.id}`;
      assert.equal(row?.content_hash, snap.content_hash);
    });

    await t.step("reproduces byte for byte for the same data and as_of", async () => {
      const runId = crypto.randomUUID();
      const a = await (await post(app, { as_of: "2026-03-04", run_id: runId })).text();
      const b = await (await post(app, { as_of: "2026-03-04" })).text();
      assert.equal(JSON.parse(a).run_id, runId);
      assert.equal(stable(a), stable(b));
    });

    await t.step("facts kept by the write triggers give the full rebuild's snapshot", async () => {
      // A sync-shaped day of changes through the real writer: new and changed leads, deals
      // moving stage (new versions), calls moved, a lead deleted.
      const edits: [string, string][] = [
        ["Leads", `r.data || jsonb_build_object('id', 'new-' || r.id)`],
        ["Leads", `r.data || '{"Lead_Status": "Contacted", "Lead_Source": "Twitter"}'`],
        ["Deals", `r.data || '{"Stage": "Closed Won", "Closing_Date": "2026-03-03"}'`],
        ["Calls", `r.data || '{"Call_Start_Time": "2026-03-04T09:00:00+00:00"}'`],
      ];
      for (const [module, edit] of edits) {
        const rows = await db.sql.unsafe(
          `select (${edit} || '{"Modified_Time": "2026-03-04T10:00:00+00:00"}')::text as t
           from zoho.records r where module = $1 order by id limit 300`,
          [module],
        );
        await writeRecords(db.sql, {
          module,
          records: rows.map((r) => r.t as string),
          runId: null,
        });
      }
      const [gone] = await db.sql`select id from zoho.records where module = 'Leads' limit 1`;
      await writeDeletions(db.sql, {
        module: "Leads",
        items: [JSON.stringify({ id: gone!.id, deleted_time: "2026-03-04T11:00:00+00:00" })],
        runId: null,
      });
      const incremental = await (await post(app, { as_of: "2026-03-04" })).json();
      await db.sql`select analytics.refresh_facts()`;
      const rebuilt = await (await post(app, { as_of: "2026-03-04" })).json();
      assert.equal(incremental.content_hash, rebuilt.content_hash);
    });

    await t.step("answers bad input with 400 naming the field", async () => {
      const res = await post(app, { as_of: "2026-02-30" });
      assert.equal(res.status, 400);
      assert.match((await res.json()).error.message, /as_of/);
      const res2 = await post(app, { run_id: "nope" });
      assert.equal(res2.status, 400);
      assert.match((await res2.json()).error.message, /run_id/);
      const res3 = await post(app, { as_of: "2026-03-04", extra: 1 });
      assert.equal(res3.status, 400);
    });

    await t.step("refuses callers without the service_role key", async () => {
      assert.equal((await post(app, {}, "anon-key")).status, 403);
      const res = await app.request("/compute-metrics", { method: "POST", body: "{}" });
      assert.equal(res.status, 401);
    });
  } finally {
    await closeAllSql();
    await db.drop();
  }
});
