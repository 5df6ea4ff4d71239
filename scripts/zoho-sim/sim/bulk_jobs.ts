/** Bulk Read job state: ADDED -> IN PROGRESS -> COMPLETED | FAILURE, with timers and callbacks. */
import type { Predicate } from "../query/predicate.ts";

export type JobState = "ADDED" | "IN PROGRESS" | "COMPLETED" | "FAILURE";

export interface BulkJob {
  id: string;
  dc: string;
  user: string;
  module: string;
  fields: string[] | null;
  criteria: Predicate | null;
  page: number;
  state: JobState;
  createdAt: number;
  query: Record<string, unknown>;
  callback: { url: string; method: string } | null;
  result:
    | { page: number; per_page: number; count: number; more_records: boolean; zip: Uint8Array }
    | null;
  /** Set by controls to make the job fail instead of completing. */
  failNext?: boolean;
}

/** Jobs plus the timers and callback deliveries that must end before the server closes. */
export class BulkJobs {
  readonly jobs = new Map<string, BulkJob>();
  readonly timers = new Set<ReturnType<typeof setTimeout>>();
  readonly deliveries = new Set<Promise<void>>();
  readonly downloads: number[] = [];
  #seq = 0;

  nextSeq(): number {
    return ++this.#seq;
  }

  /** Clears timers and waits for callback deliveries in flight. */
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.deliveries]);
  }
}
