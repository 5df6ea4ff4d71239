/**
 * How a slice ends, decided in one place: a module's status from what its sync got to, and the
 * slice's status (answered to the caller and stored on the run) from every module's.
 */
import { CreditsExhaustedError } from "../zoho/limits.ts";

/** A module's status in one slice: done, partial (resume on the next call) or failed. */
export type ModuleStatus = "done" | "partial" | "failed";

/** Why work stopped early for a reason the caller should know about. */
export type StoppedBy = "credits";

/** What one module's sync got to in a slice. */
export interface ModuleOutcome {
  /** The error that ended it, if any. */
  error?: unknown;
  /** Every segment of the read is done and the cursor moved. */
  readDone: boolean;
  /** Field names changed meanwhile: a re-read of every record is requested. */
  fieldsChanged: boolean;
  /** Deletions and restores were looked at (skipped when the time budget ran out). */
  deletionsChecked: boolean;
}

/**
 * A module's status: failed on an error, except the daily credit cap, which stops it as partial
 * (nothing is wrong; it resumes once credits return); done only when the read finished, no field
 * changed and the deletions step ran.
 */
export function moduleStatus(o: ModuleOutcome): { status: ModuleStatus; stoppedBy?: StoppedBy } {
  if (o.error instanceof CreditsExhaustedError) return { status: "partial", stoppedBy: "credits" };
  if (o.error !== undefined) return { status: "failed" };
  const done = o.readDone && !o.fieldsChanged && o.deletionsChecked;
  return { status: done ? "done" : "partial" };
}

/**
 * The slice's status: `done` when every module is, else `partial` (call again); the run row
 * stores `failed` when a module failed. `stoppedBy` says the credit cap stopped a module.
 */
export function sliceStatus(
  modules: readonly { status: ModuleStatus; stoppedBy?: StoppedBy }[],
): { status: "done" | "partial"; run: ModuleStatus; stoppedBy?: StoppedBy } {
  const status = modules.every((m) => m.status === "done") ? "done" : "partial";
  const run = modules.some((m) => m.status === "failed") ? "failed" : status;
  const stopped = modules.find((m) => m.stoppedBy)?.stoppedBy;
  return stopped ? { status, run, stoppedBy: stopped } : { status, run };
}

/** What a queue step (the Stage_History reads) got to in a slice. */
export interface QueueOutcome {
  error?: unknown;
  /** Nothing is left in the queue. */
  drained: boolean;
  /** The rest waits for a later run (the step's credit share of the day is spent). */
  deferred: boolean;
}

/**
 * A queue step's status: failed on an error except the daily credit cap (partial, stopped by
 * credits, as a module); done when its queue is empty or the rest is deferred to a later run
 * (calling again at once would not move it); else partial (the slice's budget ran out).
 */
export function queueStatus(o: QueueOutcome): { status: ModuleStatus; stoppedBy?: StoppedBy } {
  if (o.error !== undefined) return moduleStatus({ ...NOTHING, error: o.error });
  return { status: o.drained || o.deferred ? "done" : "partial" };
}

const NOTHING: ModuleOutcome = { readDone: false, fieldsChanged: false, deletionsChecked: false };
