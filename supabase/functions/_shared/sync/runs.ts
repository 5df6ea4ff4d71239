/**
 * Run bookkeeping in Postgres: the single-run lease (a row with an expiry, renewed while the run
 * works, so a killed run frees it by itself), the run row, and the append-only sync_logs audit
 * rows, one per run, slice and module.
 */
import type postgres from "postgres";
import type { ModuleResult } from "./module_sync.ts";

/** Another run holds the lease. */
export class SyncBusyError extends Error {
  override name = "SyncBusyError";
}

/** Takes the lease for `runId` or throws SyncBusyError; returns a release function. */
export async function acquireLease(
  sql: postgres.Sql,
  { runId, seconds }: { runId: string; seconds: number },
): Promise<() => Promise<void>> {
  const ttl = `${seconds} seconds`;
  const rows = await sql`insert into zoho.sync_lease (id, run_id, expires_at)
    values (true, ${runId}, now() + ${ttl}::interval)
    on conflict (id) do update set run_id = excluded.run_id, expires_at = excluded.expires_at
    where zoho.sync_lease.expires_at < now() or zoho.sync_lease.run_id = excluded.run_id
    returning run_id`;
  if (rows.length === 0) {
    throw new SyncBusyError("Cannot start the sync: another run holds the lease");
  }
  const timer = setInterval(() => {
    sql`update zoho.sync_lease set expires_at = now() + ${ttl}::interval
      where run_id = ${runId}`.catch(() => {});
  }, Math.max(500, (seconds * 1000) / 3));
  return async () => {
    clearInterval(timer);
    await sql`delete from zoho.sync_lease where run_id = ${runId}`;
  };
}

/** Creates the run row or counts another slice of it; returns the slice number. */
export async function beginSlice(
  sql: postgres.Sql,
  { runId, mode }: { runId: string; mode: string },
) {
  const [row] = await sql<{ slices: number; mode: string; started_at: Date }[]>`
    insert into zoho.sync_runs (run_id, mode, slices) values (${runId}, ${mode}, 1)
    on conflict (run_id) do update set slices = zoho.sync_runs.slices + 1,
      status = 'running', updated_at = now()
    returning slices, mode, started_at`;
  return row!;
}

/** What a slice ended with: its run, the modules' counters, the credits it spent. */
export interface SliceEnd {
  run: { runId: string; slice: number; mode: string; startedAt: Date; status: string };
  results: ModuleResult[];
  credits: number;
  /** Runs in the same transaction, after the audit rows (e.g. the pipeline's report). */
  inTransaction?: (tx: postgres.TransactionSql) => Promise<void>;
}

/** Writes the audit rows of a slice and the run's status and credits (plus `inTransaction`). */
export async function endSlice(
  sql: postgres.Sql,
  { run, results, credits, inTransaction }: SliceEnd,
): Promise<void> {
  await sql.begin(async (tx) => {
    for (const r of results) {
      await tx`insert into zoho.sync_logs (run_id, module, slice, mode, status, started_at,
          pages, fetched, inserted, updated, unchanged, deleted, restored, api_calls,
          credits_used, errors, cursor_before, cursor_after, queued)
        values (${run.runId}, ${r.module}, ${run.slice}, ${run.mode}, ${r.status},
          ${run.startedAt}, ${r.pages}, ${r.fetched}, ${r.inserted}, ${r.updated},
          ${r.unchanged}, ${r.deleted}, ${r.restored}, ${r.stats.calls}, ${r.stats.credits},
          ${JSON.stringify(r.errors.slice(0, 50))}::text::jsonb,
          ${ts(r.cursorBefore)}, ${ts(r.cursorAfter)}, ${r.queued ?? null})`;
    }
    await tx`update zoho.sync_runs set status = ${run.status}, updated_at = now(),
      credits_used = credits_used + ${credits} where run_id = ${run.runId}`;
    // e.g. the pipeline's report: it commits with the audit rows or not at all.
    if (inTransaction) await inTransaction(tx);
  });
  // What this slice's writes left for later (analytics.settle_facts): the touches of parents
  // whose activities changed, the campaign facts when marked dirty, and the rollup deltas folded,
  // so answers read a short log and the next snapshot finds its facts settled (it settles too).
  await sql`select analytics.settle_facts()`;
}

/** Modules that ended `done` in an earlier slice of this run. */
export async function modulesDoneInRun(sql: postgres.Sql, runId: string): Promise<Set<string>> {
  const rows = await sql<{ module: string }[]>`select distinct module from zoho.sync_logs
    where run_id = ${runId} and status = 'done'`;
  return new Set(rows.map((r) => r.module));
}

/** Credits spent in the last 24 hours (Zoho's rolling window), from the audit trail. */
export async function creditsLastDay(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ used: number }[]>`select coalesce(sum(credits_used), 0)::int as used
    from zoho.sync_logs where finished_at > now() - interval '24 hours'`;
  return row!.used;
}

function ts(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}
