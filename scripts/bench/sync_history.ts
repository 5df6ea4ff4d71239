/**
 * The Stage_History part of `deno task bench sync`: what each deal's Stage_History adds to a
 * first sync. The Deals module is synced in a child process twice on one database: first its
 * records with the history step deferred (ZOHO_HISTORY_RESERVE_PCT=100: every deal stays queued),
 * then the backfill alone (an incremental run with reserve 0: the records read is one 304). The
 * second run's Stage_History calls and time are the extra cost; the days of credits it takes are
 * its calls over the enterprise edition's daily credits (limits.ts EDITIONS) less the reserve the
 * step keeps for record reads (ZOHO_HISTORY_RESERVE_PCT, default 10 %).
 */
import type { ZohoSim } from "../zoho-sim/server.ts";
import type { ScratchDb } from "../local/scratch_db.ts";
import { EDITIONS } from "../../supabase/functions/_shared/zoho/limits.ts";
import { loadZohoEnv } from "../../supabase/functions/_shared/zoho/config.ts";
import { simEnv, syncInChild } from "./sync_child.ts";

/** Real Zoho: about 250 ms a call (the latency part's figure) and 20 calls at once (enterprise). */
const CALL_SECONDS = 0.25;

/** Runs both Deals syncs on `db` (its Deals not read yet) and prints the figures. */
export async function historyBench(
  sim: ZohoSim,
  options: { db: ScratchDb; label: string },
): Promise<void> {
  const { db, label } = options;
  const base = simEnv(sim, db.url, {
    ZOHO_CONCURRENCY: "10",
    ZOHO_SEGMENTS: "8",
    BENCH_MODULES: "Deals",
  });
  const read = await syncInChild(db, { ...base, ZOHO_HISTORY_RESERVE_PCT: "100" });
  const backfill = await syncInChild(db, {
    ...base,
    ZOHO_HISTORY_RESERVE_PCT: "0",
    BENCH_MODE: "incremental",
  });
  const [row] = await db.sql<{ deals: number; rows: number }[]>`select
    (select count(*)::int from zoho.records where module = 'Deals') as deals,
    (select count(*)::int from zoho.stage_history) as rows`;
  const h = backfill.history;
  const enterprise = EDITIONS.enterprise!;
  const reservePct = loadZohoEnv(base).ZOHO_HISTORY_RESERVE_PCT;
  const usable = enterprise.dailyCredits * (1 - reservePct / 100);
  const latencyBound = (h.calls * CALL_SECONDS) / enterprise.concurrency;
  console.log(
    `history (${label}): ${row!.deals} deals; the Deals read ${read.calls} calls in ${
      read.seconds.toFixed(1)
    } s (${read.history.queued} deals queued); the Stage_History backfill +${h.calls} calls ` +
      `(${(h.calls / Math.max(1, h.deals)).toFixed(2)} per deal, ${h.deals} deals, ${h.rows} ` +
      `rows, ${row!.rows} stored) in +${backfill.seconds.toFixed(1)} s (${
        ((backfill.seconds / Math.max(1, h.deals)) * 1000).toFixed(2)
      } ms per deal against the zero-latency simulator; peak RSS ${
        backfill.hwmMb.toFixed(0)
      } MB; ${backfill.sliceCpuMs.length} slices)`,
  );
  console.log(
    `history (${label}): credits: ${h.calls} = ${(h.calls / usable).toFixed(2)} days of the ` +
      `enterprise edition's ${enterprise.dailyCredits} daily credits less the ${reservePct} % ` +
      `reserve (${usable}/day; Zoho adds 1,000 per user), on top of the first day's record ` +
      `reads; at ${CALL_SECONDS * 1000} ms a call and ${enterprise.concurrency} at once, ${
        (latencyBound / 60).toFixed(1)
      } min of calls`,
  );
  if (h.queued !== 0) throw new Error(`Cannot finish the backfill: ${h.queued} deals left`);
}
