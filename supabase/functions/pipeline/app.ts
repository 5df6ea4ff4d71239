/**
 * The `pipeline` function, the admin API of the daily pipeline (service role only):
 * - `POST /pipeline/runs` `{trigger?, as_of?, mode?, budget_ms?, modules?}` starts a run
 *   (202 with the run; 409 naming the running run),
 * - `GET /pipeline/runs?limit=` lists recent runs, `GET /pipeline/runs/:id` reads one with every
 *   stage's state, attempts, timings, counts and errors,
 * - `POST /pipeline/runs/:id/stages/:stage/retry` re-runs one stage (and the ones after it).
 * The run itself goes on in Postgres and pg_net; these routes only start and read it.
 */
import type postgres from "postgres";
import { z } from "zod";
import { requireServiceRole } from "../_shared/http/auth.ts";
import { getSql } from "../_shared/db.ts";
import { DB_ENV, parseEnv } from "../_shared/env.ts";
import { createFunctionApp, HttpError, readJsonBody } from "../_shared/http/app.ts";
import {
  recentRuns,
  retryStage,
  RunParamsSchema,
  runStatus,
  STAGES,
  startRun,
} from "../_shared/pipeline/runs.ts";

/** Body of POST /pipeline/runs. */
export const START_INPUT = RunParamsSchema.extend({
  trigger: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, "expected a short lower-case name")
    .optional(),
}).strict();

const RUN_ID = z.uuid({ message: "expected a run id (uuid)" });
const STAGE = z.enum(STAGES, { message: `expected one of ${STAGES.join(", ")}` });
const LIMIT = z.coerce.number().int().min(1).max(100).default(20);

/** Optional dependencies (tests). */
export interface PipelineDeps {
  env?: () => Record<string, string | undefined>;
  sql?: postgres.Sql;
}

/** A path or query parameter checked by `schema`; a 400 naming it when it does not fit. */
function param<T>(schema: z.ZodType<T>, { value, name }: { value: unknown; name: string }): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new HttpError(400, "invalid_request", `${name}: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

/** Builds the app; tests call `createApp(deps).request(...)` in process. */
export function createApp(deps: PipelineDeps = {}) {
  const env = deps.env ?? (() => Deno.env.toObject());
  const db = () => deps.sql ?? getSql(parseEnv(DB_ENV, env()).SUPABASE_DB_URL);
  const app = createFunctionApp("pipeline", { databaseUrl: () => env().SUPABASE_DB_URL });
  app.use("/runs", requireServiceRole(env));
  app.use("/runs/*", requireServiceRole(env));

  app.post("/runs", async (c) => {
    const { trigger, ...params } = await readJsonBody(c, START_INPUT);
    return c.json(await startRun(db(), trigger ?? "api", params), 202);
  });

  app.get("/runs", async (c) => {
    const limit = param(LIMIT, { value: c.req.query("limit"), name: "limit" });
    return c.json({ runs: await recentRuns(db(), limit) });
  });

  app.get("/runs/:id", async (c) => {
    const id = param(RUN_ID, { value: c.req.param("id"), name: "id" });
    const run = await runStatus(db(), id);
    if (!run) throw new HttpError(404, "not_found", `No run ${id}`);
    return c.json(run);
  });

  app.post("/runs/:id/stages/:stage/retry", async (c) => {
    const id = param(RUN_ID, { value: c.req.param("id"), name: "id" });
    const stage = param(STAGE, { value: c.req.param("stage"), name: "stage" });
    return c.json(await retryStage(db(), { runId: id, stage }), 202);
  });
  return app;
}
