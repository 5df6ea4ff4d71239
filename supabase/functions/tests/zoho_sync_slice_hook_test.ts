// runSync's `onSliceCommit` (how the pipeline reports the sync stage): it runs in the slice's
// final transaction, after the audit rows, with the slice's answer; when it fails, the slice's
// audit rows roll back with it (they commit together or not at all).
import assert from "node:assert/strict";
import { runSync, type SyncResult } from "../_shared/sync/engine.ts";
import { loadZohoEnv } from "../_shared/zoho/config.ts";
import { startHarness } from "./_zoho_sync.ts";

Deno.test("zoho-sync's slice hook joins the slice's final transaction", async (t) => {
  const h = await startHarness("zs_hook", { size: { leads: 50 } });
  const env = loadZohoEnv(h.env);
  const logsOf = async (runId: string) =>
    (await h.db.sql<{ n: number }[]>`select count(*)::int as n from zoho.sync_logs
      where run_id = ${runId}`)[0]!.n;
  try {
    await t.step("the hook sees the answer and the slice's audit rows", async () => {
      let seen: SyncResult | undefined;
      let rowsInTx = -1;
      const out = await runSync({ sql: h.db.sql, env }, {
        modules: ["Leads"],
        mode: "full",
        onSliceCommit: async (tx, answer) => {
          seen = answer;
          rowsInTx = (await tx<{ n: number }[]>`select count(*)::int as n from zoho.sync_logs
            where run_id = ${answer.run_id}`)[0]!.n;
        },
      });
      assert.equal(seen?.run_id, out.run_id);
      assert.equal(seen?.status, out.status);
      assert.ok(rowsInTx > 0, "the audit rows are written before the hook, in its transaction");
      assert.equal(await logsOf(out.run_id), rowsInTx);
    });

    await t.step("a failing hook rolls the slice's audit rows back", async () => {
      const runId = crypto.randomUUID();
      await assert.rejects(
        runSync({ sql: h.db.sql, env }, {
          modules: ["Leads"],
          mode: "incremental",
          runId,
          onSliceCommit: () => Promise.reject(new Error("report refused")),
        }),
        /report refused/,
      );
      assert.equal(await logsOf(runId), 0, "nothing of the slice's audit committed");
    });
  } finally {
    await h.close();
  }
});
