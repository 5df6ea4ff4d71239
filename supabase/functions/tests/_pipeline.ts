/**
 * Helpers for pipeline tests against the running local stack: a clean start (no run left
 * running), stage settings changed for one test and restored, and waiting for a run to end
 * (optionally calling the watchdog instead of waiting for pg_cron's next minute).
 */
import type postgres from "postgres";
import { type RunStatus, runStatus } from "../_shared/pipeline/runs.ts";
import { stackEnv } from "./_stack.ts";

/** Ends any run left running by an earlier test (as an admin would: cancelled). */
export async function cancelRunning(sql: postgres.Sql): Promise<void> {
  await sql`update pipeline.stages set status = 'skipped', deadline_at = null
    where status in ('pending', 'queued', 'running', 'retrying')
      and run_id in (select id from pipeline.runs where status = 'running')`;
  await sql`update pipeline.runs set status = 'cancelled', finished_at = now()
    where status = 'running'`;
}

/** The demo company's date (the simulator's clock). */
export async function simulatorDate(): Promise<string> {
  const res = await fetch(`${stackEnv().ZOHO_SIM_URL}/__sim/clock`);
  const { now } = await res.json() as { now: number };
  return new Date(now * 1000).toISOString().slice(0, 10);
}

type StageSettings = {
  budget_seconds?: number;
  max_attempts?: number;
  backoff_seconds?: number;
};

/** Runs `fn` with some stage settings changed, then restores them. */
export async function withStageSettings<T>(
  sql: postgres.Sql,
  stage: string,
  settings: StageSettings,
  fn: () => Promise<T>,
): Promise<T> {
  const [before] = await sql<Required<StageSettings>[]>`
    select budget_seconds, max_attempts, backoff_seconds from pipeline.stage_defs
    where stage = ${stage}`;
  const next = { ...before!, ...settings };
  await sql`update pipeline.stage_defs set budget_seconds = ${next.budget_seconds},
    max_attempts = ${next.max_attempts}, backoff_seconds = ${next.backoff_seconds}
    where stage = ${stage}`;
  try {
    return await fn();
  } finally {
    await sql`update pipeline.stage_defs set budget_seconds = ${before!.budget_seconds},
      max_attempts = ${before!.max_attempts}, backoff_seconds = ${before!.backoff_seconds}
      where stage = ${stage}`;
  }
}

/**
 * Polls a run until it is no longer running; `tick` calls the watchdog on every poll. An error of
 * the watchdog or of reading the run is thrown as it is (a failing tick is the failure to see,
 * not a time-out); only the wait itself times out.
 */
export async function waitForRun(
  sql: postgres.Sql,
  runId: string,
  options: { timeoutMs?: number; tick?: boolean; until?: (r: RunStatus) => boolean } = {},
): Promise<RunStatus> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const done = options.until ?? ((r: RunStatus) => r.status !== "running");
  for (;;) {
    if (options.tick) await sql`select pipeline.tick()`;
    const run = await runStatus(sql, runId);
    if (run && done(run)) return run;
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for run ${runId}: ${JSON.stringify(run)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
