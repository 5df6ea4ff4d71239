/**
 * Subprocess of the Stage_History tests: runs Deals slices of one run until done and prints one
 * JSON line per slice (its Stage_History row). A lease left by a killed process is waited out,
 * as the pipeline's next call would.
 */
import { runSync } from "../_shared/sync/engine.ts";
import { closeAllSql, getSql } from "../_shared/db.ts";
import { STAGE_HISTORY_STEP } from "../_shared/sync/stage_history.ts";
import { SyncBusyError } from "../_shared/sync/runs.ts";
import { loadZohoEnv } from "../_shared/zoho/config.ts";

const env = loadZohoEnv();
const sql = getSql(env.SUPABASE_DB_URL);
const budgetMs = Number(Deno.env.get("BUDGET_MS") ?? 120_000);
let runId: string | undefined;
for (let i = 0; i < Number(Deno.env.get("MAX_SLICES") ?? 200); i++) {
  const out = await runSync({ sql, env }, { modules: ["Deals"], mode: "full", budgetMs, runId })
    .catch((error) => (error instanceof SyncBusyError ? null : Promise.reject(error)));
  if (!out) {
    await new Promise((r) => setTimeout(r, 500));
    continue;
  }
  runId = out.run_id;
  const history = out.modules.find((m) => m.module === STAGE_HISTORY_STEP);
  console.log(JSON.stringify({ run: runId, status: out.status, history }));
  if (out.status === "done" || out.modules.some((m) => m.status === "failed")) break;
}
await closeAllSql();
Deno.exit(0);
