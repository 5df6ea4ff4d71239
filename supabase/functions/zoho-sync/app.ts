/**
 * The `zoho-sync` function: `POST /zoho-sync` (service role only) with
 * `{modules?, mode?, budget_ms?, run_id?}` runs one budgeted slice of the Zoho → Postgres sync
 * and answers per-module counts with `status: "done" | "partial"` (call again with the same
 * run_id to continue). Bad input is a 400 naming the field; a concurrent run is a 409, Zoho
 * failing after retries a 502 (`zoho_unreachable` naming the host when it cannot be reached) and a
 * lost database a 503 naming it (all mapped in _shared/error_map.ts). When run_id is a pipeline
 * run (pg_net's call), the slice reports to it in the transaction of its audit rows.
 */
import type postgres from "postgres";
import { z } from "zod";
import { requireServiceRole } from "../_shared/http/auth.ts";
import { getSql } from "../_shared/db.ts";
import { createFunctionApp, readJsonBody } from "../_shared/http/app.ts";
import { syncOutcome } from "../_shared/pipeline/outcomes.ts";
import { asStage } from "../_shared/pipeline/report.ts";
import { runSync } from "../_shared/sync/engine.ts";
import { loadZohoEnv } from "../_shared/zoho/config.ts";
import { asZohoUnreachable } from "../_shared/zoho/errors.ts";
import type { RetryDeps } from "../_shared/zoho/retry.ts";

/** Request body of POST /zoho-sync. */
export const SYNC_INPUT = z.object({
  modules: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, "expected a module API name"))
    .min(1).max(200).optional(),
  mode: z.enum(["incremental", "full"]).optional(),
  budget_ms: z.number().int().min(1_000).max(400_000).optional(),
  run_id: z.uuid().optional(),
}).strict();

/** Optional dependencies (tests); by default everything comes from the environment. */
export interface AppDeps {
  env?: Record<string, string | undefined>;
  sql?: postgres.Sql;
  fetch?: typeof fetch;
  retry?: RetryDeps;
}

/** Builds the app; tests call `createApp(deps).request(...)` in process. */
export function createApp(deps: AppDeps = {}) {
  const app = createFunctionApp("zoho-sync", {
    databaseUrl: () => (deps.env ?? Deno.env.toObject()).SUPABASE_DB_URL,
  });
  const source = () => deps.env ?? Deno.env.toObject();
  app.post("/", requireServiceRole(source), async (c) => {
    const input = await readJsonBody(c, SYNC_INPUT);
    const env = loadZohoEnv(source());
    const sql = deps.sql ?? getSql(env.SUPABASE_DB_URL);
    const result = await asStage({ sql, runId: input.run_id, stage: "sync" }, (stage) =>
      runSync(
        { sql, env, fetch: deps.fetch, retry: deps.retry },
        {
          modules: input.modules,
          mode: input.mode,
          budgetMs: input.budget_ms,
          runId: input.run_id,
          onSliceCommit: (tx, slice) => stage.report(tx, syncOutcome(slice)),
        },
      )).catch((error) => {
        // Named for the caller: the Zoho host that could not be reached (502); a database that
        // dropped is named by the app's error path (503; the next call with the run_id resumes).
        throw asZohoUnreachable(error, env.ZOHO_ACCOUNTS_URL);
      });
    return c.json(result);
  });
  return app;
}
