/**
 * The `compute-metrics` function's HTTP app: `POST /compute-metrics` with the service_role key
 * and `{as_of?: "YYYY-MM-DD", run_id?: uuid}` computes, stores and returns a KPI snapshot. When
 * run_id is a pipeline run, the snapshot and the stage's report commit in one transaction.
 */
import { z } from "zod";
import { requireServiceRole } from "../_shared/http/auth.ts";
import { getSql } from "../_shared/db.ts";
import { DB_ENV, parseEnv } from "../_shared/env.ts";
import { createFunctionApp, readJsonBody } from "../_shared/http/app.ts";
import { buildDashboardRollups } from "../_shared/dashboard/rollups.ts";
import { computeSnapshot } from "../_shared/metrics/snapshot.ts";
import { metricsOutcome } from "../_shared/pipeline/outcomes.ts";
import { asStage } from "../_shared/pipeline/report.ts";

/** The request body. */
export const ComputeMetricsInput = z.object({
  as_of: z.iso.date().optional(),
  run_id: z.uuid().optional(),
}).strict();

/** Dependencies; tests pass their own environment. */
export interface ComputeMetricsDeps {
  env?: () => Record<string, string | undefined>;
}

/** Builds the app; tests call `createApp().request(...)` in process. */
export function createApp(deps: ComputeMetricsDeps = {}) {
  const env = deps.env ?? (() => Deno.env.toObject());
  const app = createFunctionApp("compute-metrics", { databaseUrl: () => env().SUPABASE_DB_URL });
  app.post("/", requireServiceRole(env), async (c) => {
    const input = await readJsonBody(c, ComputeMetricsInput);
    const { SUPABASE_DB_URL } = parseEnv(DB_ENV, env());
    const sql = getSql(SUPABASE_DB_URL);
    const result = await asStage(
      { sql, runId: input.run_id, stage: "metrics" },
      (stage) =>
        sql.begin(async (tx) => {
          const snap = await computeSnapshot(tx, { asOf: input.as_of, runId: input.run_id });
          // The dashboard's rollups of this snapshot before the stage reports, so a Refresh
          // that reloads when the run ends finds them (outside compute_snapshot's own time).
          await buildDashboardRollups(tx, snap.snapshot.id);
          await stage.report(tx, metricsOutcome(snap.snapshot));
          return snap;
        }),
    );
    return c.body(result.text, 200, { "content-type": "application/json; charset=utf-8" });
  });
  return app;
}
