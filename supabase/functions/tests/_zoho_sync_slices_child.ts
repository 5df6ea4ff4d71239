/**
 * Subprocess of the cluster tests: runs Leads slices of one run until done (its CPU time is the
 * sync's alone, not the simulator's) and prints one JSON line per slice. Between slices it can
 * lose the page_token chain as production would: `LOSE=expire` ends the tokens' 24 hours (admin
 * API; the clock stays, records are unchanged), `LOSE=drop` clears the saved chain (a state
 * restored from before the chain, or a chain never saved). A lease left by a killed process is
 * waited out, as the pipeline's next call would.
 */
import { runSync } from "../_shared/sync/engine.ts";
import { closeAllSql, getSql } from "../_shared/db.ts";
import { processCpuMs } from "../_shared/sync/budget.ts";
import { SyncBusyError } from "../_shared/sync/runs.ts";
import { loadZohoEnv } from "../_shared/zoho/config.ts";

const env = loadZohoEnv();
const sql = getSql(env.SUPABASE_DB_URL);
const lose = Deno.env.get("LOSE") ?? "none";
const mode = (Deno.env.get("MODE") ?? "full") as "full" | "incremental";
const simUrl = Deno.env.get("SIM_URL")!;
let runId: string | undefined;
for (let i = 0; i < Number(Deno.env.get("MAX_SLICES") ?? 80); i++) {
  const cpu0 = processCpuMs();
  const out = await runSync({ sql, env }, { modules: ["Leads"], mode, runId }).catch(
    (error) => (error instanceof SyncBusyError ? null : Promise.reject(error)),
  );
  if (!out) {
    await new Promise((r) => setTimeout(r, 500));
    continue;
  }
  const cpuMs = processCpuMs() - cpu0;
  runId = out.run_id;
  const m = out.modules[0]!;
  console.log(JSON.stringify({ run: runId, status: out.status, cpuMs, module: m }));
  if (out.status === "done" || m.status === "failed") break;
  if (lose === "drop") await sql`update zoho.sync_segments set page_tokens = null`;
  if (lose === "expire") {
    const r = await fetch(`${simUrl}/__sim/page-tokens/expire`, { method: "POST" });
    await r.body?.cancel();
  }
}
await closeAllSql();
Deno.exit(0);
