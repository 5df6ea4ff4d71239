/**
 * Running a bulk read job: the export of the matching records as a zipped CSV page, the job's
 * JSON view, and the callback delivery. Lives with the simulator's state (not the routes) so the
 * test controls can complete a job without importing a route.
 */
import { strToU8, zipSync } from "fflate";
import { userRef } from "../dataset/context.ts";
import { formatDateTime } from "../dataset/time_format.ts";
import type { ZohoRecord } from "../dataset/types.ts";
import { evaluate } from "../query/predicate.ts";
import type { BulkJob } from "./bulk_jobs.ts";
import { defaultColumns, toCsv } from "./csv.ts";
import { fieldMap } from "./render.ts";
import type { SimState } from "./state.ts";

/** The job as the bulk read API shows it. */
export function jobView(state: SimState, job: BulkJob): Record<string, unknown> {
  const base: Record<string, unknown> = {
    id: job.id,
    operation: "read",
    state: job.state,
    query: job.query,
    created_by: { id: userRef(1).id, name: userRef(1).name },
    created_time: formatDateTime(job.createdAt, state.options.orgTimezoneOffset),
    file_type: "csv",
  };
  if (job.result) {
    const { zip: _zip, ...result } = job.result;
    base.result = { ...result, download_url: `/crm/bulk/v7/read/${job.id}/result` };
  }
  return base;
}

/** Runs the export and moves the job to COMPLETED (or FAILURE), then fires the callback. */
export function completeJob(state: SimState, job: BulkJob): void {
  if (job.state === "COMPLETED" || job.state === "FAILURE") return;
  if (job.failNext) job.state = "FAILURE";
  else {
    const now = state.clock.now();
    const defs = fieldMap(state.store.fields(job.module));
    const perPage = state.options.limits.bulkPerPage;
    const start = (job.page - 1) * perPage;
    const rows: ZohoRecord[] = [];
    let matched = 0;
    const total = state.store.total(job.module);
    for (let i = 0; i < total && matched <= start + perPage; i++) {
      if (!state.store.isLive(job.module, i)) continue;
      const rec = state.store.record(job.module, i, now);
      if (job.criteria && !evaluate(rec, job.criteria, defs)) continue;
      if (matched >= start && matched < start + perPage) rows.push(rec);
      matched++;
    }
    const columns = job.fields ?? defaultColumns(state.store.fields(job.module));
    const zip = zipSync({ [`${job.id}.csv`]: strToU8(toCsv(columns, rows)) });
    job.result = {
      page: job.page,
      per_page: perPage,
      count: rows.length,
      more_records: matched > start + perPage,
      zip,
    };
    job.state = "COMPLETED";
  }
  if (job.callback) {
    const body = JSON.stringify({
      job_id: job.id,
      operation: "read",
      state: job.state,
      query: job.query,
      result: jobView(state, job).result,
    });
    const delivery = fetch(job.callback.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    })
      .then((r) => r.body?.cancel())
      .catch(() => undefined)
      .finally(() => state.bulk.deliveries.delete(delivery));
    state.bulk.deliveries.add(delivery);
  }
}
