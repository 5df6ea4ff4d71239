/**
 * Reading a module's segments: each segment is one ascending page_token chain, read in parallel
 * with the others; every page commits together with its segment cursor through one shared
 * group-commit writer; the first page of a fresh read splits the rest into Modified_Time
 * segments when the read turns out to be large. A segment stops starting pages once the slice's
 * budget is spent.
 */
import { type BatchWriter, createBatchWriter } from "./batch_writer.ts";
import { clusterStep, type StoredLookup, storedLookup } from "./cluster.ts";
import type { ModulePlan } from "./fields.ts";
import type { ModuleContext, ModuleResult } from "./module_context.ts";
import { type ReadContext, readStep, type SegmentState, type Step } from "./reader.ts";
import { saveSegment } from "./state.ts";

/** What every segment of one module's read shares. */
interface SegmentRun {
  ctx: ModuleContext;
  plan: ModulePlan;
  result: ModuleResult;
  writer: BatchWriter;
  /** Zoho's latest Date header seen (ms), for the next cursor. */
  serverTime: { value: number | null };
  /** Starts a segment a split created. */
  launch: (seg: SegmentState) => void;
}

/**
 * Reads the unfinished segments until each is done or the slice's budget is spent; counts pages
 * and records into `result`; returns Zoho's latest server time seen. Every segment settles before
 * this returns; the first failure is then rethrown.
 */
export async function readSegments(
  ctx: ModuleContext,
  { plan, result, segments }: {
    plan: ModulePlan;
    result: ModuleResult;
    segments: readonly SegmentState[];
  },
): Promise<number | null> {
  const workers = new Map<number, Promise<void>>();
  let failure: unknown = null;
  const run: SegmentRun = {
    ctx,
    plan,
    result,
    // Segments share one group-commit writer: pages queued meanwhile commit in one transaction.
    writer: createBatchWriter(ctx.sql, {
      module: plan.module,
      runId: ctx.runId,
      onCounts: (counts) => {
        result.inserted += counts.inserted;
        result.updated += counts.updated;
        result.restored += counts.restored;
        result.unchanged += counts.unchanged;
      },
    }),
    serverTime: { value: null },
    launch: (seg) => {
      const work = runSegment(run, seg);
      workers.set(seg.segment, work.catch((error) => void (failure ??= error)));
    },
  };
  segments.filter((s) => !s.done).forEach(run.launch);
  while (workers.size > 0) {
    const pending = [...workers.entries()];
    await Promise.all(pending.map(([, p]) => p));
    for (const [k] of pending) workers.delete(k);
  }
  if (failure) throw failure;
  return run.serverTime.value;
}

async function runSegment(run: SegmentRun, start: SegmentState): Promise<void> {
  const { ctx, plan, result } = run;
  const now = ctx.now ?? Date.now;
  const stored = storedLookup(ctx.sql, plan.module);
  let seg = start;
  let restarted = false;
  // The next page is read while the previous one commits; it is queued only after that commit,
  // so cursors still commit in page order and at most two pages per segment are held.
  let pending: Promise<void> = Promise.resolve();
  while (!seg.done && !ctx.budget.spent()) {
    const fresh = seg.segment === 0 && seg.until === null && seg.tokens === null &&
      seg.cursor === null;
    const reader: ReadContext = {
      client: ctx.client,
      stats: result.stats,
      plan,
      perPage: ctx.perPage,
      singleReadAll: ctx.singleReadAll,
      restart: (lost) => nextStep(reader, { seg: lost, stored }),
    };
    const step = await nextStep(reader, { seg, stored });
    if (step.serverTime !== null) run.serverTime.value = step.serverTime;
    restarted ||= step.restarted;
    const next: SegmentState = {
      ...seg,
      ...step.position,
      tokens: step.tokens,
      tokenSince: step.tokens ? step.tokenSince : null,
      done: step.done,
    };
    const extra = fresh && !step.done
      ? split(next, { first: step, hi: step.serverTime ?? now(), max: ctx.segments })
      : [];
    if (extra.length) next.until = extra[0]!.since;
    await pending;
    pending = run.writer.write(step.records, async (tx) => {
      await saveSegment(tx, { module: plan.module, segment: next });
      for (const s of extra) await saveSegment(tx, { module: plan.module, segment: s });
    }).then(() => {
      result.pages++;
      result.fetched += step.fetched;
      if (extra.length) result.advanced = true;
      extra.forEach(run.launch);
    });
    pending.catch(() => {}); // handled: awaited before the next page is queued, or below
    seg = next;
  }
  await pending;
  if (seg !== start && advanced(start, seg, { restarted })) result.advanced = true;
}

/**
 * The next step of a segment. A new chain would start at the cursor, inclusive, and read again
 * every record stored with that Modified_Time (a whole cluster, when the chain was lost inside
 * one): where records are stored at the cursor, the read continues inside that second instead
 * (cluster.ts), unless COQL is not available.
 */
async function nextStep(
  reader: ReadContext,
  { seg, stored }: { seg: SegmentState; stored: StoredLookup },
): Promise<Step> {
  if (seg.cursor !== null && !seg.tokens && !seg.cursorComplete) {
    const inCluster = (seg.clusterAfter ?? null) !== null || await stored.countAt(seg.cursor) > 0;
    if (inCluster) {
      const at = { ...seg, clusterAfter: seg.clusterAfter ?? "" };
      const step = await clusterStep(reader, { seg: at, stored });
      if (step) return step;
    }
  }
  return readStep(reader, seg);
}

/**
 * Whether a segment's read position moved forward in a slice, from `a` to `b`: it finished, its
 * cursor moved on, the second at the cursor was read whole, the read inside a cluster passed more
 * ids, or its chain read more records without being restarted (`restarted`: a chain was lost and
 * begun again at a position already reached, which re-reads rather than advances).
 */
export function advanced(
  a: SegmentState,
  b: SegmentState,
  { restarted }: { restarted: boolean },
): boolean {
  if (b.done !== a.done) return b.done;
  const [ca, cb] = [a.cursor ?? -Infinity, b.cursor ?? -Infinity];
  if (ca !== cb) return cb > ca;
  if (!!b.cursorComplete !== !!a.cursorComplete) return !!b.cursorComplete;
  const [ka, kb] = [a.clusterAfter ?? null, b.clusterAfter ?? null];
  if (kb !== null && (ka === null || idAfter(kb, ka))) return true;
  return !restarted && (b.chainRead ?? 0) > (a.chainRead ?? 0);
}

/** Digit-string ids compared as numbers (longer is larger), without float rounding. */
function idAfter(x: string, y: string): boolean {
  return x.length !== y.length ? x.length > y.length : x > y;
}

/**
 * Splits (lo, hi] into Modified_Time segments after the first page of a large read, sized from
 * the first page's density so each segment is worth at least four pages.
 */
export function split(
  seg: SegmentState,
  { first, hi, max }: {
    /** The first page's oldest and newest Modified_Time. */
    first: Pick<Step, "minModified" | "maxModified">;
    /** The read's upper end (Zoho's server time). */
    hi: number;
    /** At most this many segments. */
    max: number;
  },
): SegmentState[] {
  if (first.maxModified === null || first.minModified === null) return [];
  const lo = first.maxModified;
  const span = Math.max(1000, lo - first.minModified);
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
      cursorComplete: false,
      clusterAfter: null,
      chainRead: 0,
    });
  }
  return out;
}
