/**
 * Syncs one module within a time budget: reads its segments in parallel (each one ascending
 * page_token chain), commits every page together with its segment cursor, splits a fresh read
 * into Modified_Time segments when it turns out to be large, re-checks field metadata after a
 * read that moved data, then captures deletions and restores on their cadence. Stopping
 * at any point leaves state that the next call resumes from.
 */
import type postgres from "postgres";
import type { CallStats, ZohoClient } from "../zoho/client.ts";
import { newStats } from "../zoho/client.ts";
import { syncDeletions } from "./deletions.ts";
import { type BatchWriter, createBatchWriter } from "./batch_writer.ts";
import type { ModulePlan } from "./fields.ts";
import { readStep, type SegmentState } from "./reader.ts";
import {
  finishRead,
  loadSegments,
  loadState,
  type ModuleState,
  saveSegment,
  startRead,
} from "./state.ts";
import { databaseUnavailable } from "../db_errors.ts";

/** Settings the module loop needs. */
export interface ModuleContext {
  sql: postgres.Sql;
  client: ZohoClient;
  runId: string;
  mode: "incremental" | "full";
  /** Stop starting new pages after this time (ms since epoch). */
  deadline: number;
  /** Stop starting new pages when this says the slice's CPU budget is spent. */
  cpuSpent?: () => boolean;
  segments: number;
  overlapSeconds: number;
  fullRereadHours: number;
  perPage: number;
  singleReadAll: boolean;
  /** Deleted-records check cadence, minutes of Zoho server time (0 or absent: every run). */
  deletedCheckMinutes?: number;
  now?: () => number;
}

/** Counters of one module in one slice (the sync_logs row). */
export interface ModuleResult {
  module: string;
  status: "done" | "partial" | "failed";
  pages: number;
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  restored: number;
  stats: CallStats;
  cursorBefore: number | null;
  cursorAfter: number | null;
  errors: string[];
}

/** Runs (part of) a module's sync. */
export async function syncModule(ctx: ModuleContext, plan: ModulePlan): Promise<ModuleResult> {
  const now = ctx.now ?? Date.now;
  const module = plan.module;
  const result: ModuleResult = {
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
  try {
    const state = await loadState(ctx.sql, module);
    result.cursorBefore = state.nextSince;
    let segments = await loadSegments(ctx.sql, module);
    if (segments.length === 0 || (ctx.mode === "full" && state.fullStartedAt === null)) {
      const full = ctx.mode === "full" || rereadDue(state, ctx.fullRereadHours, now());
      segments = await startRead(ctx.sql, module, full ? null : state.nextSince, full);
    }
    const serverTime = { value: null as number | null };
    const workers = new Map<number, Promise<void>>();
    let failure: unknown = null;
    // Segments share one group-commit writer: pages queued meanwhile commit in one transaction.
    const writer = createBatchWriter(ctx.sql, { module, runId: ctx.runId }, (counts) => {
      result.inserted += counts.inserted;
      result.updated += counts.updated;
      result.restored += counts.restored;
      result.unchanged += counts.unchanged;
    });
    const launch = (seg: SegmentState) => {
      const work = runSegment(ctx, plan, seg, result, writer, serverTime, launch);
      // Every worker settles before the module ends; the first failure is rethrown below.
      workers.set(seg.segment, work.catch((error) => void (failure ??= error)));
    };
    segments.filter((s) => !s.done).forEach(launch);
    while (workers.size > 0) {
      const pending = [...workers.entries()];
      await Promise.all(pending.map(([, p]) => p));
      for (const [k] of pending) workers.delete(k);
    }
    if (failure) throw failure;
    const after = await loadSegments(ctx.sql, module);
    if (after.every((s) => s.done)) {
      const max = after.reduce<number | null>(
        (m, s) => (s.cursor === null ? m : Math.max(m ?? s.cursor, s.cursor)),
        null,
      );
      const settled = (serverTime.value ?? now()) - ctx.overlapSeconds * 1000;
      const since = after[0]?.since ?? null;
      // Next If-Modified-Since: past the newest record, but never later than "now − overlap",
      // since a second that is not over yet can still gain records (the filter is inclusive).
      const next = max === null ? since : Math.max(since ?? 0, Math.min(max + 1000, settled));
      await finishRead(ctx.sql, module, next, max);
      result.cursorAfter = next;
      // A read that moved data re-checks the metadata: a field added meanwhile means a re-read
      // of every record (requested by discovery), so the module stays partial.
      const moved = result.fetched > 0;
      if (moved && await plan.fieldsChanged?.(result.stats)) result.cursorAfter = null;
      else if (now() < ctx.deadline && !ctx.cpuSpent?.()) {
        const d = await syncDeletions(ctx, plan, {
          since: state.deletedSince,
          checkedAt: state.deletedCheckedAt,
          serverTime: serverTime.value,
          changed: moved,
        }, result.stats);
        result.deleted += d.deleted;
        result.restored += d.restored;
        result.status = "done";
      }
    } else result.cursorAfter = state.nextSince;
  } catch (error) {
    // A lost database fails the whole slice (503): nothing more can be recorded meanwhile.
    if (databaseUnavailable(error)) throw error;
    result.status = "failed";
    result.errors.push(error instanceof Error ? error.message : String(error));
  }
  result.errors.unshift(...result.stats.errors);
  return result;
}

function rereadDue(state: ModuleState, hours: number, now: number): boolean {
  if (state.lastFullReadAt === null) return state.nextSince === null;
  return hours > 0 && now - state.lastFullReadAt > hours * 3_600_000;
}

async function runSegment(
  ctx: ModuleContext,
  plan: ModulePlan,
  start: SegmentState,
  result: ModuleResult,
  writer: BatchWriter,
  serverTime: { value: number | null },
  launch: (seg: SegmentState) => void,
): Promise<void> {
  const now = ctx.now ?? Date.now;
  let seg = start;
  // The next page is read while the previous one commits; it is queued only after that commit,
  // so cursors still commit in page order and at most two pages per segment are held.
  let pending: Promise<void> = Promise.resolve();
  while (!seg.done && now() < ctx.deadline && !ctx.cpuSpent?.()) {
    const fresh = seg.segment === 0 && seg.until === null && seg.tokens === null &&
      seg.cursor === null;
    const step = await readStep({
      client: ctx.client,
      stats: result.stats,
      plan,
      perPage: ctx.perPage,
      singleReadAll: ctx.singleReadAll,
    }, seg);
    if (step.serverTime !== null) serverTime.value = step.serverTime;
    const next: SegmentState = {
      ...seg,
      cursor: step.maxModified ?? seg.cursor,
      tokens: step.tokens,
      tokenSince: step.tokens ? step.tokenSince : null,
      done: step.done,
    };
    const extra = fresh && !step.done && step.maxModified !== null && step.minModified !== null
      ? split(next, step, step.serverTime ?? now(), ctx.segments)
      : [];
    if (extra.length) next.until = extra[0]!.since;
    await pending;
    pending = writer.write(step.records, async (tx) => {
      await saveSegment(tx, plan.module, next);
      for (const s of extra) await saveSegment(tx, plan.module, s);
    }).then(() => {
      result.pages++;
      result.fetched += step.fetched;
      extra.forEach(launch);
    });
    pending.catch(() => {}); // handled: awaited before the next page is queued, or below
    seg = next;
  }
  await pending;
}

/**
 * Splits (lo, hi] into Modified_Time segments after the first page of a large read, sized from
 * the first page's density so each segment is worth at least four pages.
 */
function split(
  seg: SegmentState,
  first: { minModified: number | null; maxModified: number | null },
  hi: number,
  max: number,
): SegmentState[] {
  const lo = first.maxModified!;
  const span = Math.max(1000, lo - first.minModified!);
  const estimatedPages = (hi - lo) / span;
  const n = Math.min(max, Math.floor(estimatedPages / 4) + 1);
  const width = Math.floor((hi - lo) / n / 1000) * 1000;
  if (n < 2 || width < 1000) return [];
  const out: SegmentState[] = [];
  for (let i = 1; i < n; i++) {
    out.push({
      segment: seg.segment + i,
      since: lo + 1000 + i * width,
      until: i === n - 1 ? null : lo + 1000 + (i + 1) * width,
      cursor: null,
      tokens: null,
      tokenSince: null,
      done: false,
    });
  }
  return out;
}
