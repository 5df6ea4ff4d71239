/**
 * Syncs one module within a time budget in three steps: open a read (or resume the one in
 * progress), read its segments (segments.ts), and finish the module (move the cursor, re-check
 * field metadata after a read that moved data, capture deletions and restores on their cadence).
 * Its status is decided by status.ts from what it got to. Stopping at any point leaves state
 * that the next call resumes from.
 */
import { databaseUnavailable } from "../db_errors.ts";
import { newStats } from "../zoho/client.ts";
import { syncDeletions } from "./deletions.ts";
import type { ModulePlan } from "./fields.ts";
import { readSegments } from "./segments.ts";
import {
  finishRead,
  loadSegments,
  loadState,
  type ModuleState,
  saveStalledSlices,
  startRead,
} from "./state.ts";
import type { ModuleContext, ModuleResult } from "./module_context.ts";
import { type ModuleOutcome, moduleStatus } from "./status.ts";

export type { ModuleContext, ModuleResult } from "./module_context.ts";

/** Runs (part of) a module's sync: open the read, read its segments, finish the module. */
export async function syncModule(ctx: ModuleContext, plan: ModulePlan): Promise<ModuleResult> {
  const result = emptyResult(plan.module);
  let outcome: ModuleOutcome;
  let stalled = 0;
  try {
    const { state, segments } = await openRead(ctx, plan.module);
    stalled = state.stalledSlices;
    result.cursorBefore = state.nextSince;
    result.cursorAfter = state.nextSince;
    const serverTime = await readSegments(ctx, { plan, result, segments });
    outcome = await finishModule(ctx, { plan, state, serverTime, result });
  } catch (error) {
    // A lost database fails the whole slice (503): nothing more can be recorded meanwhile.
    if (databaseUnavailable(error)) throw error;
    outcome = { error, readDone: false, fieldsChanged: false, deletionsChecked: false };
    result.errors.push(error instanceof Error ? error.message : String(error));
  }
  const { status, stoppedBy } = moduleStatus(outcome);
  result.status = status;
  if (stoppedBy) result.stoppedBy = stoppedBy;
  if (status !== "failed") await checkProgress(ctx, { result, before: stalled });
  result.errors.unshift(...result.stats.errors);
  return result;
}

/**
 * Counts slices in a row that fetched records yet stored nothing new or changed and moved no
 * read position (a livelock: a read that restarts where it was and never passes it), and fails
 * the module once there are `ctx.stallSlices` of them, naming where it is stuck, instead of
 * spending credits on the same records slice after slice.
 */
async function checkProgress(
  ctx: ModuleContext,
  { result, before }: { result: ModuleResult; before: number },
) {
  const moved = result.inserted + result.updated + result.restored + result.deleted > 0;
  const progress = result.status === "done" || moved || result.advanced === true;
  const stalled = progress ? 0 : result.fetched > 0 ? before + 1 : before;
  if (stalled !== before) {
    await saveStalledSlices(ctx.sql, { module: result.module, stalledSlices: stalled });
  }
  result.stalledSlices = stalled;
  if (!ctx.stallSlices || stalled < ctx.stallSlices) return;
  const open = (await loadSegments(ctx.sql, result.module)).filter((s) => !s.done);
  const at = open.map((s) => s.cursor ?? s.since).filter((t): t is number => t !== null);
  const where = at.length ? ` at Modified_Time ${new Date(Math.min(...at)).toISOString()}` : "";
  result.status = "failed";
  result.errors.push(
    `Cannot sync ${result.module}: no progress in ${stalled} slices in a row${where} ` +
      `(${result.fetched} records fetched in the last, none new or changed; ZOHO_STALL_SLICES=` +
      `${ctx.stallSlices})`,
  );
}

function emptyResult(module: string): ModuleResult {
  return {
    module,
    status: "partial",
    pages: 0,
    fetched: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    restored: 0,
    stats: newStats(),
    cursorBefore: null,
    cursorAfter: null,
    errors: [],
  };
}

/**
 * Loads the module's state and its read in progress, starting a read when none is (a full one
 * when asked for or due, else incremental from the cursor).
 */
async function openRead(ctx: ModuleContext, module: string) {
  const now = ctx.now ?? Date.now;
  const state = await loadState(ctx.sql, module);
  let segments = await loadSegments(ctx.sql, module);
  // A full run reads each module whole once: when its read finished in an earlier slice of this
  // run (the slice then ran out of budget before the deletions step), a later slice reads only
  // what changed since. It started another full read, so a full run whose slices could not also
  // fit the deletions step re-read the module forever (found with issue 20's cluster tests).
  const fullDone = state.lastFullReadAt !== null && ctx.runStartedAt !== undefined &&
    state.lastFullReadAt >= ctx.runStartedAt;
  const wantFull = ctx.mode === "full" && !fullDone;
  if (segments.length === 0 || (wantFull && state.fullStartedAt === null)) {
    const full = wantFull || rereadDue(state, { hours: ctx.fullRereadHours, now: now() });
    segments = await startRead(ctx.sql, { module, since: full ? null : state.nextSince, full });
  }
  return { state, segments };
}

/**
 * Once every segment is done: moves the cursor, re-checks the metadata after a read that moved
 * data, then captures deletions and restores while time is left.
 */
async function finishModule(
  ctx: ModuleContext,
  read: { plan: ModulePlan; state: ModuleState; serverTime: number | null; result: ModuleResult },
): Promise<ModuleOutcome> {
  const { plan, state, serverTime, result } = read;
  const now = ctx.now ?? Date.now;
  const after = await loadSegments(ctx.sql, plan.module);
  if (!after.every((s) => s.done)) {
    return { readDone: false, fieldsChanged: false, deletionsChecked: false };
  }
  const max = after.reduce<number | null>(
    (m, s) => (s.cursor === null ? m : Math.max(m ?? s.cursor, s.cursor)),
    null,
  );
  const settled = (serverTime ?? now()) - ctx.overlapSeconds * 1000;
  const since = after[0]?.since ?? null;
  // Next If-Modified-Since: past the newest record, but never later than "now − overlap",
  // since a second that is not over yet can still gain records (the filter is inclusive).
  const next = max === null ? since : Math.max(since ?? 0, Math.min(max + 1000, settled));
  await finishRead(ctx.sql, { module: plan.module, nextSince: next, maxModified: max });
  result.cursorAfter = next;
  // A read that moved data re-checks the metadata: a field added meanwhile means a re-read of
  // every record (requested by discovery), so the module stays partial.
  const moved = result.fetched > 0;
  if (moved && await plan.fieldsChanged?.(result.stats)) {
    result.cursorAfter = null;
    return { readDone: true, fieldsChanged: true, deletionsChecked: false };
  }
  if (ctx.budget.spent()) {
    return { readDone: true, fieldsChanged: false, deletionsChecked: false };
  }
  const d = await syncDeletions(ctx, {
    plan,
    stats: result.stats,
    since: state.deletedSince,
    checkedAt: state.deletedCheckedAt,
    serverTime,
    changed: moved,
  });
  result.deleted += d.deleted;
  result.restored += d.restored;
  return { readDone: true, fieldsChanged: false, deletionsChecked: true };
}

function rereadDue(
  state: ModuleState,
  { hours, now }: { hours: number; now: number },
): boolean {
  if (state.lastFullReadAt === null) return state.nextSince === null;
  return hours > 0 && now - state.lastFullReadAt > hours * 3_600_000;
}
