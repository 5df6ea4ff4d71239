/**
 * Zoho's Stage_History related list of each deal (Kaizen #107: Stage of Deals is tracked by
 * default; the list shows each stay with its picklist value, duration, modified time, modified
 * by and moved to), read with `GET /crm/v7/Deals/{id}/Stage_History?fields=…` (related-records
 * API: fields mandatory, page / per_page up to 200 and page_token as Get Records; reference
 * §1.5). It is the one documented way: Bulk Read does not serve related lists (bulk-read
 * limitations page: "not supported for … related/cross modules") and COQL does not document
 * Stage_History as a module, so it is one call (one credit, §1.3) per deal, plus one per further
 * page of a long history.
 *
 * Deals to read come from zoho.stage_history_queue: every deal once (the backfill: each stored
 * deal got a first version), then a deal again whenever a new version of it is stored (its
 * Modified_Time moved), so a deal moved twice between two syncs keeps both moves. The step runs
 * once every module of the run has finished its read (records first: the backfill never takes
 * credits a read needs), stops starting deals at the slice's deadline or CPU budget (partial:
 * the next slice continues) and when the day's credits fall to the reserve kept for later runs'
 * record reads (ZOHO_HISTORY_RESERVE_PCT; done for this run, `deferred`, the rest continues in a
 * later run). Histories are stored in batches, each with the removal of its deals from the queue.
 */
import type postgres from "postgres";
import { databaseUnavailable } from "../db_errors.ts";
import { type CallStats, newStats, type ZohoClient } from "../zoho/client.ts";
import { splitListBody } from "../zoho/raw_json.ts";
import type { SliceBudget } from "./budget.ts";
import type { ModuleResult } from "./module_context.ts";
import { type QueueOutcome, queueStatus } from "./status.ts";
import {
  type DealHistory,
  type QueuedDeal,
  queuedDeals,
  queueLength,
  storeHistories,
} from "./stage_history_store.ts";

/** The step's name in the answer and in zoho.sync_logs. */
export const STAGE_HISTORY_STEP = "Deals/Stage_History";

/**
 * Fields asked for (mandatory): the list's default columns (Kaizen #107) under the API names
 * the simulator serves; the community call reads Stage, Close_Date, Modified_Time, Modified_By.
 */
export const STAGE_HISTORY_FIELDS = [
  "Stage",
  "Amount",
  "Probability",
  "Expected_Revenue",
  "Closing_Date",
  "Duration_Days",
  "Moved_To__s",
  "Modified_Time",
  "Modified_By",
] as const;

/** `page` reaches the first 2,000 rows; past them Zoho wants `page_token` (get-records v7). */
const DISCRETE_ROWS = 2_000;
/** Queued deals loaded at once (ids only). */
const WINDOW = 1_000;

/** What the step needs. */
export interface HistoryContext {
  sql: postgres.Sql;
  client: ZohoClient;
  runId: string;
  /** The slice's budget (wall clock and CPU): once spent, no new deal starts. */
  budget: SliceBudget;
  /** Rows per page (Zoho's maximum is 200). */
  perPage: number;
  /** Deals read at once (the client's concurrency gate applies as well). */
  parallel: number;
  /** Credits of the rolling day left unspent for later runs' record reads. */
  reserveCredits: number;
}

/**
 * Reads and stores queued deals' histories while the budget lasts; with `ready` false (a module
 * of the run is still reading) it only reports the queue. Its row in the answer and in
 * zoho.sync_logs: pages, fetched (rows), inserted / updated (new rows, changed rows' new
 * versions), unchanged, deals, queued; api_calls and credits.
 */
export async function syncStageHistory(
  ctx: HistoryContext,
  options: { ready: boolean },
): Promise<ModuleResult> {
  const result: ModuleResult = {
    module: STAGE_HISTORY_STEP,
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
    deals: 0,
  };
  let outcome: QueueOutcome = { drained: false, deferred: false };
  if (options.ready) {
    try {
      outcome = await drain(ctx, result);
    } catch (error) {
      // A lost database fails the whole slice (503), as in a module's sync.
      if (databaseUnavailable(error)) throw error;
      outcome = { error, drained: false, deferred: false };
      result.errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  result.queued = await queueLength(ctx.sql);
  if (options.ready && result.queued === 0) outcome.drained = true;
  const { status, stoppedBy } = queueStatus(outcome);
  result.status = status;
  if (stoppedBy) result.stoppedBy = stoppedBy;
  if (outcome.deferred && result.queued > 0) result.deferred = true;
  result.errors.unshift(...result.stats.errors);
  return result;
}

/**
 * Reads the queue window by window, in chunks of deals read in parallel; each chunk is stored
 * (with its dequeue) while the next one is read. Every read settles and every read history is
 * stored before this returns or rethrows the first failure (the daily credit cap included).
 */
async function drain(ctx: HistoryContext, result: ModuleResult): Promise<QueueOutcome> {
  const credits = ctx.client.options.limiter.credits;
  // Calls started but not charged yet (the client charges once it has a concurrency slot):
  // with them the reserve is kept exactly, not by as many credits as calls are in flight.
  const charged0 = result.stats.credits;
  const calls = { started: 0 };
  const uncharged = () => Math.max(0, calls.started - (result.stats.credits - charged0));
  let stop: "budget" | "reserve" | null = null;
  let failure: unknown;
  const mayStart = () => {
    if (failure !== undefined || stop !== null) return false;
    if (ctx.budget.spent()) stop = "budget";
    else if (credits.left - uncharged() <= ctx.reserveCredits) stop = "reserve";
    return stop === null;
  };
  let writing: Promise<void> = Promise.resolve();
  const store = (read: DealHistory[]) => {
    const previous = writing;
    writing = (async () => {
      await previous;
      const counts = await storeHistories(ctx.sql, { deals: read, runId: ctx.runId });
      result.inserted += counts.inserted;
      result.updated += counts.updated;
      result.unchanged += counts.unchanged;
      result.deals! += read.length;
      result.fetched += read.reduce((n, d) => n + d.rows.length, 0);
    })();
    writing.catch((error) => void (failure ??= error));
  };
  const chunkSize = Math.max(1, ctx.parallel) * 4;
  while (mayStart()) {
    const { deals: window, dropped } = await queuedDeals(ctx.sql, WINDOW);
    if (window.length === 0) {
      if (dropped > 0) continue; // a window of deleted deals only: look further
      break;
    }
    for (let i = 0; i < window.length && mayStart(); i += chunkSize) {
      const chunk = window.slice(i, i + chunkSize);
      const read: DealHistory[] = [];
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(ctx.parallel, chunk.length) }, async () => {
        while (next < chunk.length && mayStart()) {
          const deal = chunk[next++]!;
          try {
            read.push({ ...deal, rows: await readDeal(ctx, { deal, result, calls }) });
          } catch (error) {
            failure ??= error;
          }
        }
      }));
      if (read.length > 0) store(read);
    }
    // The window's deals are dequeued before the next window is loaded.
    await writing.catch(() => {});
  }
  await writing;
  if (failure !== undefined) throw failure;
  return { drained: stop === null, deferred: stop === "reserve" };
}

/**
 * One deal's whole history, page by page, as raw row texts. A history longer than a page is read
 * to its end once begun (its rows are stored together), below the reserve if need be.
 */
async function readDeal(
  ctx: HistoryContext,
  read: { deal: QueuedDeal; result: ModuleResult; calls: { started: number } },
) {
  const { deal, result, calls } = read;
  const rows: string[] = [];
  const stats: CallStats = result.stats;
  let token: string | undefined;
  for (let page = 1;; page++) {
    const pageToken = token !== undefined && (page - 1) * ctx.perPage >= DISCRETE_ROWS;
    calls.started++;
    const body = await ctx.client.request(`/Deals/${encodeURIComponent(deal.id)}/Stage_History`, {
      stats,
      query: {
        fields: STAGE_HISTORY_FIELDS.join(","),
        per_page: ctx.perPage,
        ...(pageToken ? { page_token: token } : { page }),
      },
      parse: (r) => (r.status === 200 ? splitListBody(r.text) : null),
    });
    result.pages++;
    // 204: no rows (a deal without history, or deleted since it was queued).
    if (!body) break;
    rows.push(...body.records);
    if (body.info.more_records !== true) break;
    const t = body.info.next_page_token;
    token = typeof t === "string" && t.length > 0 ? t : undefined;
  }
  return rows;
}
