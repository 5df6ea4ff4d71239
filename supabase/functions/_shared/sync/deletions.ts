/**
 * Deleted records from `GET /{module}/deleted?type=all` (recycle bin and permanent), read since
 * the module's deletions cursor with If-Modified-Since (304 when nothing new). Each page is
 * committed before the next is read; the cursor moves once the whole list is committed, so a
 * crash re-reads (idempotently) rather than skips.
 */
import type postgres from "postgres";
import type { CallStats, ZohoClient } from "../zoho/client.ts";
import { peekRecord, splitListBody } from "../zoho/raw_json.ts";
import { zohoTime } from "./reader.ts";
import { saveDeletedSince } from "./state.ts";
import { writeDeletions } from "./writer.ts";

/** What readDeletions needs. */
export interface DeletionContext {
  sql: postgres.Sql;
  client: ZohoClient;
  runId: string;
  overlapSeconds: number;
  perPage: number;
}

/** Reads new deletions of a module; returns how many stored records were marked deleted. */
export async function readDeletions(
  ctx: DeletionContext,
  module: string,
  since: number | null,
  stats: CallStats,
): Promise<number> {
  let marked = 0;
  let newest: number | null = null;
  let serverTime: number | null = null;
  for (let page = 1;; page++) {
    const body = await ctx.client.request(`/${module}/deleted`, {
      stats,
      query: { type: "all", page, per_page: ctx.perPage },
      headers: since === null ? {} : { "If-Modified-Since": zohoTime(since) },
    }, (r) => {
      serverTime = r.serverTime ?? serverTime;
      return r.status === 200 ? splitListBody(r.text) : null;
    });
    if (!body) break;
    for (const raw of body.records) {
      const t = Date.parse(String(peekRecord(raw).deleted_time));
      if (!Number.isNaN(t)) newest = Math.max(newest ?? t, t);
    }
    marked += await writeDeletions(ctx.sql, module, body.records, ctx.runId);
    if (body.info.more_records !== true) break;
  }
  if (newest !== null) {
    const settled = (serverTime ?? Date.now()) - ctx.overlapSeconds * 1000;
    await saveDeletedSince(ctx.sql, module, Math.max(since ?? 0, Math.min(newest + 1000, settled)));
  }
  return marked;
}
