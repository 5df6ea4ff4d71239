/**
 * The sync engine's entry point: `runSync` takes the single-run lease, discovers modules and
 * fields, syncs every module in parallel under the edition's concurrency and credit limits until
 * the time budget is spent, writes the audit rows and answers per-module counts with
 * `done | partial`, as status.ts decides (`stopped_by: "credits"` when the daily credit cap
 * stopped it). When Deals is part of the run, each deal's Stage_History follows once every
 * module's read is over (stage_history.ts: its own row, "Deals/Stage_History"). A partial run
 * continues from its checkpoints on the next call with the same run_id (or any later run).
 */
import type postgres from "postgres";
import { databaseUnavailable } from "../db_errors.ts";
import { newStats, ZohoClient } from "../zoho/client.ts";
import type { ZohoEnv } from "../zoho/config.ts";
import { createLimiter, EDITIONS } from "../zoho/limits.ts";
import { TokenStore } from "../zoho/oauth.ts";
import type { RetryDeps } from "../zoho/retry.ts";
import { discover } from "./discovery.ts";
import { type ModuleResult, syncModule } from "./module_sync.ts";
import { sliceBudget } from "./budget.ts";
import { acquireLease, beginSlice, creditsLastDay, endSlice, modulesDoneInRun } from "./runs.ts";
import { sliceStatus, type StoppedBy } from "./status.ts";
import { syncStageHistory } from "./stage_history.ts";

/** What the caller asks for. */
export interface SyncRequest {
  modules?: string[];
  mode?: "incremental" | "full";
  budgetMs?: number;
  runId?: string;
  /** Joins the slice's final transaction (e.g. the pipeline's report), with the slice's answer. */
  onSliceCommit?: SliceHook;
}

/** Per-module counts in the answer. */
export type ModuleCounts =
  & Omit<
    ModuleResult,
    "stats" | "cursorBefore" | "cursorAfter" | "stoppedBy" | "advanced" | "stalledSlices"
  >
  & { api_calls: number; stopped_by?: StoppedBy; stalled_slices?: number };

/** The answer of one slice. */
export interface SyncResult {
  run_id: string;
  status: "done" | "partial";
  /** Set when the daily credit cap stopped the slice early ("credits"): call again tomorrow. */
  stopped_by?: StoppedBy;
  mode: "incremental" | "full";
  slice: number;
  credits_used: number;
  /** CPU time this slice used, ms (process CPU: the budget is ZOHO_CPU_BUDGET_MS). */
  cpu_ms: number;
  modules: ModuleCounts[];
  skipped: { module: string; reason: string }[];
}

/** Dependencies, injectable in tests. */
export interface SyncDeps {
  sql: postgres.Sql;
  env: ZohoEnv;
  fetch?: typeof fetch;
  retry?: RetryDeps;
  perPage?: number;
  /** Rows per Stage_History page (default 200, Zoho's maximum; tests page short histories). */
  historyPerPage?: number;
}

const DEFAULT_BUDGET_MS = 120_000;

/** Runs in the transaction that writes a slice's audit rows, with the slice's answer. */
export type SliceHook = (tx: postgres.TransactionSql, result: SyncResult) => Promise<void>;

/** Runs one budgeted slice of a sync; `request.onSliceCommit` joins its final transaction. */
export async function runSync(deps: SyncDeps, request: SyncRequest = {}): Promise<SyncResult> {
  const { onSliceCommit } = request;
  const { sql, env } = deps;
  const started = Date.now();
  const budgetMs = request.budgetMs ?? DEFAULT_BUDGET_MS;
  // The one stop check of the slice. Measured from the start: discovery and the run bookkeeping
  // count against the CPU budget too. The wall clock keeps a reserve so the slice can commit and
  // answer inside the Edge wall-clock limit.
  const budget = sliceBudget({
    deadline: started + budgetMs - Math.min(5_000, budgetMs * 0.1),
    cpuMs: env.ZOHO_CPU_BUDGET_MS,
  });
  const runId = request.runId ?? crypto.randomUUID();
  const release = await acquireLease(sql, { runId, seconds: env.ZOHO_LEASE_SECONDS });
  try {
    const run = await beginSlice(sql, { runId, mode: request.mode ?? "incremental" });
    const mode = run.mode as "incremental" | "full";
    const edition = EDITIONS[env.ZOHO_EDITION]!;
    const daily = env.ZOHO_DAILY_CREDITS ?? edition.dailyCredits;
    const limiter = createLimiter(edition, {
      concurrency: env.ZOHO_CONCURRENCY,
      remainingCredits: Math.max(0, daily - await creditsLastDay(sql)),
    });
    const tokens = new TokenStore(sql, {
      accountsUrl: env.ZOHO_ACCOUNTS_URL,
      clientId: env.ZOHO_CLIENT_ID,
      clientSecret: env.ZOHO_CLIENT_SECRET,
      refreshToken: env.ZOHO_REFRESH_TOKEN,
      apiDomain: env.ZOHO_API_DOMAIN,
    }, { fetch: deps.fetch, sleep: deps.retry?.sleep });
    const client = new ZohoClient({
      tokens,
      limiter,
      fetch: deps.fetch,
      apiVersion: env.ZOHO_API_VERSION,
      timeoutMs: env.ZOHO_REQUEST_TIMEOUT_MS,
      retry: deps.retry,
    });
    const discoveryStats = newStats();
    const found = await discover({
      sql,
      client,
      stats: discoveryStats,
      metadataTtlMinutes: env.ZOHO_METADATA_TTL_MINUTES,
      modulesTtlMinutes: env.ZOHO_MODULES_TTL_MINUTES,
      modules: request.modules,
    });
    // Every module settles before the slice ends (no work outlives the lease); a lost database
    // is rethrown once all have stopped.
    // A module this run already finished is not read again by a later slice: in full mode it
    // would start another full read, so a run sliced finer than one module's read never ended.
    const finished = run.slices > 1 ? await modulesDoneInRun(sql, runId) : new Set<string>();
    const plans = found.plans.filter((plan) => !finished.has(plan.module));
    const settled = await Promise.allSettled(plans.map((plan) =>
      syncModule({
        sql,
        client,
        runId,
        mode,
        runStartedAt: run.started_at.getTime(),
        budget,
        segments: env.ZOHO_SEGMENTS,
        overlapSeconds: env.ZOHO_OVERLAP_SECONDS,
        fullRereadHours: env.ZOHO_FULL_REREAD_HOURS,
        perPage: deps.perPage ?? 200,
        singleReadAll: env.ZOHO_SINGLE_READS === "all",
        deletedCheckMinutes: env.ZOHO_DELETED_CHECK_MINUTES,
        stallSlices: env.ZOHO_STALL_SLICES,
      }, plan)
    ));
    const lost = settled.find((s) => s.status === "rejected");
    if (lost) throw lost.reason;
    const results = settled.map((s) => (s as PromiseFulfilledResult<ModuleResult>).value);
    if (found.plans.some((plan) => plan.module === "Deals")) {
      results.push(
        await syncStageHistory({
          sql,
          client,
          runId,
          budget,
          perPage: deps.historyPerPage ?? 200,
          parallel: env.ZOHO_CONCURRENCY ?? edition.concurrency,
          reserveCredits: Math.floor((daily * env.ZOHO_HISTORY_RESERVE_PCT) / 100),
        }, { ready: results.every((r) => r.status !== "partial") }),
      );
    }
    if (results[0]) {
      results[0].stats.calls += discoveryStats.calls;
      results[0].stats.credits += discoveryStats.credits;
    }
    const { status, run: runStatus, stoppedBy } = sliceStatus(results);
    const answer: SyncResult = {
      run_id: runId,
      status,
      ...(stoppedBy ? { stopped_by: stoppedBy } : {}),
      mode,
      slice: run.slices,
      credits_used: limiter.credits.used,
      cpu_ms: Math.round(budget.cpuUsedMs()),
      modules: results.map((
        {
          stats,
          cursorBefore: _b,
          cursorAfter: _a,
          stoppedBy,
          advanced: _v,
          stalledSlices,
          ...rest
        },
      ) => ({
        ...rest,
        ...(stoppedBy ? { stopped_by: stoppedBy } : {}),
        ...(stalledSlices ? { stalled_slices: stalledSlices } : {}),
        api_calls: stats.calls,
      })),
      skipped: found.skipped,
    };
    await endSlice(sql, {
      run: { runId, slice: run.slices, mode, startedAt: new Date(started), status: runStatus },
      results,
      credits: limiter.credits.used,
      inTransaction: onSliceCommit && ((tx) => onSliceCommit(tx, answer)),
    });
    return answer;
  } finally {
    // With the database gone the lease cannot be freed here; it expires by itself, and the same
    // run_id may take it again at once.
    await release().catch((error) => {
      if (!databaseUnavailable(error)) throw error;
    });
  }
}
