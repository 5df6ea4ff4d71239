/** Subprocess of the kill -9 test: runs one sync slice with the env it is given, then exits. */
import { runSync } from "../_shared/sync/engine.ts";
import { getSql } from "../_shared/db.ts";
import { loadZohoEnv } from "../_shared/zoho/config.ts";

const env = loadZohoEnv();
const sql = getSql(env.SUPABASE_DB_URL);
await runSync({ sql, env }, { mode: "full", budgetMs: 120_000 });
console.log("finished");
Deno.exit(0);
