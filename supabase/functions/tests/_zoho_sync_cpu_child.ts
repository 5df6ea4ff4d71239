/**
 * Subprocess of the CPU budget test: runs Leads slices until done (so its CPU time is the sync's
 * alone, not the simulator's) and prints one JSON line per slice: status and CPU ms measured
 * around the call.
 */
import { runSync } from "../_shared/sync/engine.ts";
import { closeAllSql, getSql } from "../_shared/db.ts";
import { processCpuMs } from "../_shared/sync/budget.ts";
import { loadZohoEnv } from "../_shared/zoho/config.ts";

const env = loadZohoEnv();
const sql = getSql(env.SUPABASE_DB_URL);
let runId: string | undefined;
for (let i = 0; i < 100; i++) {
  const cpu0 = processCpuMs();
  const out = await runSync({ sql, env }, { modules: ["Leads"], mode: "full", runId });
  const cpuMs = processCpuMs() - cpu0;
  runId = out.run_id;
  console.log(JSON.stringify({ status: out.status, cpuMs, reported: out.cpu_ms }));
  if (out.status === "done") break;
}
await closeAllSql();
Deno.exit(0);
