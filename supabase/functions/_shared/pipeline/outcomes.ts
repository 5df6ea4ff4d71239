/**
 * What each stage reports to its run, derived from the function's own answer: counts that add up
 * across sync slices, and a small result (ids a later stage or a reader needs).
 */
import type { SyncResult } from "../sync/engine.ts";
import type { StageOutcome } from "./report.ts";

const SYNC_COUNTS = ["fetched", "inserted", "updated", "unchanged", "deleted", "restored"] as const;

/**
 * A sync slice: `partial` until every module is done; `failed` when a module failed, or when the
 * daily Zoho credit cap stopped it (queueing the next slice at once would only stop again: the
 * watchdog retries with backoff and then fails the run saying so).
 */
export function syncOutcome(result: SyncResult): StageOutcome {
  const counts: Record<string, number> = { api_calls: 0, credits_used: result.credits_used };
  for (const key of SYNC_COUNTS) counts[key] = 0;
  counts.new_or_changed = 0;
  for (const m of result.modules) {
    for (const key of SYNC_COUNTS) counts[key]! += m[key];
    counts.api_calls! += m.api_calls;
    // Against `fetched`: what the reads brought that was new (re-reads show as the difference).
    counts.new_or_changed! += m.inserted + m.updated + m.restored;
  }
  const failed = result.modules.filter((m) => m.status === "failed");
  if (result.stopped_by === "credits") {
    return {
      outcome: "failed",
      counts,
      error: "Zoho's daily API credit allowance is spent: the sync stopped early (stopped_by: " +
        "credits); it resumes from its checkpoints once credits return",
    };
  }
  return {
    outcome: failed.length ? "failed" : result.status === "done" ? "succeeded" : "partial",
    counts,
    result: { sync_run_id: result.run_id, mode: result.mode, module_count: result.modules.length },
    error: failed.length
      ? `${failed.length} module(s) failed: ` +
        failed.map((m) => `${m.module} (${m.errors[0] ?? "no detail"})`).join("; ")
      : undefined,
  };
}

/** A stored KPI snapshot. */
export function metricsOutcome(
  snapshot: { id: string; as_of: string; brief: { facts: unknown[] } },
): StageOutcome {
  return {
    outcome: "succeeded",
    counts: { facts: snapshot.brief.facts.length },
    result: { snapshot_id: snapshot.id, as_of: snapshot.as_of },
  };
}

/** A stored brief (generate-brief): its id and who wrote it (`rules` without a model). */
export function briefOutcome(
  brief: { id: string; model: string; attempts: number; snapshot_id: string },
): StageOutcome {
  return {
    outcome: "succeeded",
    counts: { attempts: brief.attempts },
    result: { brief_id: brief.id, model: brief.model, snapshot_id: brief.snapshot_id },
  };
}

/**
 * A pulse delivery through the outbox. Messages left to retry (Twilio 429/5xx) fail the attempt,
 * so the watchdog calls again and the outbox sends only what is still pending (never a
 * (brief, recipient) twice); permanent refusals (an invalid number) are counted, not retried.
 */
export function pulseOutcome(d: {
  brief_id: string;
  queued: number;
  sent: number;
  skipped: number;
  failed: number;
  retry: number;
}): StageOutcome {
  const counts = {
    queued: d.queued,
    sent: d.sent,
    skipped: d.skipped,
    failed: d.failed,
    retry: d.retry,
  };
  return d.retry > 0
    ? { outcome: "failed", counts, error: `${d.retry} pulse message(s) wait for a retry` }
    : { outcome: "succeeded", counts, result: { brief_id: d.brief_id } };
}
