/**
 * How a stage function takes part in a pipeline run. pg_net calls it with `{"run_id": ...}`;
 * `asStage` marks the stage running (pipeline.stage_started), runs the work, and makes sure the
 * outcome is reported (pipeline.report): the work reports itself with `ctx.report(tx, outcome)`
 * inside the transaction of its final write, so the outcome, the data and the next stage's
 * pg_net request commit together; an error is reported as a failed attempt (the watchdog
 * retries it). Without a run_id, or with one that is not a pipeline run, the work runs alone.
 */
import type postgres from "postgres";
import { createLogger } from "../log.ts";
import type { StageName } from "./runs.ts";

const log = createLogger("pipeline");

/** What a stage ends with: `partial` (a sync slice) queues the next slice at once. */
export interface StageOutcome {
  outcome: "succeeded" | "partial" | "failed";
  counts?: Record<string, number>;
  result?: Record<string, unknown>;
  error?: string;
}

/** Either a pool or a transaction. */
export type Queryable = postgres.Sql | postgres.TransactionSql;

/** The stage's handle on its run. */
export interface StageContext {
  /** True when this call is a stage of a pipeline run. */
  readonly inRun: boolean;
  /** Records the outcome in `tx` (call it once, in the transaction of the final write). */
  report(tx: Queryable, outcome: StageOutcome): Promise<void>;
}

/** The stage is not waiting for work: duplicate request, finished stage, or finished run. */
export class StageNotActiveError extends Error {
  override name = "StageNotActiveError";
}

const MAX_ERROR = 500;

/** Records an outcome; returns what the pipeline did (advanced, continued, retrying, ...). */
export async function reportStage(
  tx: Queryable,
  { runId, stage, outcome: o }: { runId: string; stage: StageName; outcome: StageOutcome },
): Promise<string> {
  const [row] = await tx<{ r: string }[]>`
    select pipeline.report(${runId}::uuid, ${stage}, ${o.outcome},
      ${JSON.stringify(o.counts ?? {})}::text::jsonb,
      ${o.result ? JSON.stringify(o.result) : null}::text::jsonb,
      ${o.error?.slice(0, MAX_ERROR) ?? null}) as r`;
  return row!.r;
}

/** Runs `work` as stage `stage` of run `runId` (see the module doc). */
export async function asStage<T>(
  target: { sql: postgres.Sql; runId?: string; stage: StageName },
  work: (ctx: StageContext) => Promise<T>,
): Promise<T> {
  const { sql, runId, stage } = target;
  const alone: StageContext = { inRun: false, report: async () => {} };
  if (!runId) return await work(alone);
  const [row] = await sql<{ started: boolean | null }[]>`
    select pipeline.stage_started(${runId}::uuid, ${stage}) as started`;
  if (row?.started === null || row?.started === undefined) return await work(alone);
  if (!row.started) {
    throw new StageNotActiveError(
      `Cannot run stage ${stage} of run ${runId}: it is not waiting for work`,
    );
  }
  let reported = false;
  const ctx: StageContext = {
    inRun: true,
    async report(tx, outcome) {
      await reportStage(tx, { runId, stage, outcome });
      reported = true;
    },
  };
  let value: T;
  try {
    value = await work(ctx);
  } catch (e) {
    if (!reported) {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      await reportStage(sql, { runId, stage, outcome: { outcome: "failed", error: message } })
        .catch((re) => log.error(`cannot report ${stage} failure`, re));
    }
    throw e;
  }
  if (!reported) {
    await reportStage(sql, {
      runId,
      stage,
      outcome: { outcome: "failed", error: "the function finished without reporting an outcome" },
    });
  }
  return value;
}
