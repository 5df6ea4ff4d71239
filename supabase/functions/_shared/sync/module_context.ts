/**
 * What one module's sync takes (its settings) and gives (its counters, the sync_logs row),
 * shared by module_sync.ts, segments.ts, the engine and the audit writer.
 */
import type postgres from "postgres";
import type { CallStats, ZohoClient } from "../zoho/client.ts";
import type { SliceBudget } from "./budget.ts";
import type { ModuleStatus, StoppedBy } from "./status.ts";

/** Settings the module loop needs. */
export interface ModuleContext {
  sql: postgres.Sql;
  client: ZohoClient;
  runId: string;
  mode: "incremental" | "full";
  /** When the run began (ms): a full read finished since then is not started again. */
  runStartedAt?: number;
  /** The slice's budget (wall clock and CPU): once spent, no new page starts. */
  budget: SliceBudget;
  segments: number;
  overlapSeconds: number;
  fullRereadHours: number;
  perPage: number;
  singleReadAll: boolean;
  /** Deleted-records check cadence, minutes of Zoho server time (0 or absent: every run). */
  deletedCheckMinutes?: number;
  /** Slices in a row without progress after which the module fails (0: never). */
  stallSlices?: number;
  now?: () => number;
}

/** Counters of one module in one slice (the sync_logs row). */
export interface ModuleResult {
  module: string;
  status: ModuleStatus;
  /** Set when the daily credit cap stopped the module. */
  stoppedBy?: StoppedBy;
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
  /** A read position moved forward in this slice (segments.ts `advanced`). */
  advanced?: boolean;
  /** Slices in a row, this one included, that fetched records but made no progress. */
  stalledSlices?: number;
  /** A queue step (Deals/Stage_History): deals whose history this slice read and stored. */
  deals?: number;
  /** A queue step: deals still waiting after this slice (zoho.sync_logs.queued). */
  queued?: number;
  /** A queue step: the rest waits for a later run (its credit share of the day is spent). */
  deferred?: boolean;
}
