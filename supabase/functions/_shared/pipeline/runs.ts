/**
 * The pipeline's core for callers outside Postgres (the admin API, the CLI, the dashboard's
 * Refresh, the WhatsApp `sync` command): start a run, read a run's status with every stage,
 * list recent runs, re-run a stage. Every transition is SQL in schema `pipeline`; this module
 * only calls it and maps its refusals to typed errors.
 */
import type postgres from "postgres";
import { z } from "zod";

/** The stages in order (pipeline.stage_defs). */
export const STAGES = ["sync", "metrics", "brief", "pulse"] as const;
/** A stage name. */
export type StageName = typeof STAGES[number];

/** Another run is running (Postgres' index runs_one_running refused the start). */
export class RunBusyError extends Error {
  override name = "RunBusyError";
  constructor(readonly runningRunId: string, message: string) {
    super(message);
  }
}

/** The run or stage named does not exist. */
export class RunNotFoundError extends Error {
  override name = "RunNotFoundError";
}

/** The request does not fit the run's state (e.g. retrying a stage that is running). */
export class RunStateError extends Error {
  override name = "RunStateError";
}

/** The database refused a run's parameters (its own checks): the message names them. */
export class RunParamsError extends Error {
  override name = "RunParamsError";
}

/** Parameters a run passes to its stages (pipeline.stage_defs.run_params). */
export const RunParamsSchema = z.object({
  as_of: z.iso.date().optional(),
  mode: z.enum(["incremental", "full"]).optional(),
  budget_ms: z.number().int().min(1_000).max(400_000).optional(),
  modules: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/)).min(1).max(200).optional(),
}).strict();
/** Run parameters. */
export type RunParams = z.infer<typeof RunParamsSchema>;

const timestamp = z.string().nullable();

/** One stage as pipeline.run_json renders it. */
export const StageStatusSchema = z.object({
  stage: z.string(),
  function: z.string(),
  status: z.enum(["pending", "queued", "running", "retrying", "succeeded", "failed", "skipped"]),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  slices: z.number().int(),
  queued_at: timestamp,
  started_at: timestamp,
  finished_at: timestamp,
  next_attempt_at: timestamp,
  deadline_at: timestamp,
  duration_ms: z.number().nullable(),
  counts: z.record(z.string(), z.unknown()),
  result: z.unknown().nullable(),
  error: z.string().nullable(),
});
/** A stage's status. */
export type StageStatus = z.infer<typeof StageStatusSchema>;

/** A run with every stage. */
export const RunStatusSchema = z.object({
  id: z.uuid(),
  trigger: z.string(),
  status: z.enum(["running", "succeeded", "failed", "cancelled"]),
  params: z.record(z.string(), z.unknown()),
  started_at: z.string(),
  finished_at: timestamp,
  error: z.string().nullable(),
  duration_ms: z.number(),
  stages: z.array(StageStatusSchema),
});
/** A run's status. */
export type RunStatus = z.infer<typeof RunStatusSchema>;

function mapError(e: unknown): never {
  if (e instanceof Error && "code" in e) {
    const pg = e as Error & { code: string; detail?: string; constraint_name?: string };
    if (pg.code === "23505" && pg.constraint_name === "runs_one_running") {
      throw new RunBusyError(pg.detail ?? "", pg.message);
    }
    if (pg.code === "P0002") throw new RunNotFoundError(pg.message);
    if (pg.code === "55000") throw new RunStateError(pg.message);
    if (pg.code === "22023") throw new RunParamsError(pg.message);
  }
  throw e;
}

/** Reads a run with every stage; undefined when there is no such run. */
export async function runStatus(sql: postgres.Sql, runId: string): Promise<RunStatus | undefined> {
  const [row] = await sql<{ j: string | null }[]>`
    select pipeline.run_json(${runId}::uuid)::text as j`;
  return row?.j ? RunStatusSchema.parse(JSON.parse(row.j)) : undefined;
}

/** Starts a run through pipeline.start_run (which queues the first stage through pg_net). */
export async function startRun(
  sql: postgres.Sql,
  trigger: string,
  params: RunParams = {},
): Promise<RunStatus> {
  const checked = RunParamsSchema.parse(params);
  let id: string;
  try {
    const [row] = await sql<{ id: string }[]>`
      select (pipeline.start_run(${trigger}, ${
      JSON.stringify(checked)
    }::text::jsonb)).id::text as id`;
    id = row!.id;
  } catch (e) {
    mapError(e);
  }
  return (await runStatus(sql, id))!;
}

/** The most recent runs, newest first. */
export async function recentRuns(sql: postgres.Sql, limit = 20): Promise<RunStatus[]> {
  const rows = await sql<{ j: string }[]>`
    select pipeline.run_json(id)::text as j from pipeline.runs
    order by started_at desc limit ${limit}`;
  return rows.map((r) => RunStatusSchema.parse(JSON.parse(r.j)));
}

/** Re-runs one stage (pipeline.retry_stage); returns the run's new status. */
export async function retryStage(
  sql: postgres.Sql,
  { runId, stage }: { runId: string; stage: string },
): Promise<RunStatus> {
  try {
    await sql`select pipeline.retry_stage(${runId}::uuid, ${stage})`;
  } catch (e) {
    mapError(e);
  }
  return (await runStatus(sql, runId))!;
}
