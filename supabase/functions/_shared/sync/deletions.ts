/**
 * Deleted and restored records, from `GET /{module}/deleted?type=all` (recycle bin and
 * permanent), on their own cadence (ZOHO_DELETED_CHECK_MINUTES of Zoho server time, and after
 * any read that moved data) so a no-change run costs only its records call. The list is read
 * with If-Modified-Since from the deletions cursor, or from the oldest deletion we hold that is
 * still restorable (in the 60-day recycle bin): such a record that is no longer listed was
 * restored, which Zoho may do without a Modified_Time bump, so it is read by id and stored as a
 * restore. Each page is committed before the next is read; the cursor moves once the whole list
 * is committed, so a crash re-reads (idempotently) rather than skips.
 */
import type postgres from "postgres";
import type { CallStats, ZohoClient } from "../zoho/client.ts";
import { peekRecord, splitListBody } from "../zoho/raw_json.ts";
import { readByIds } from "./by_ids.ts";
import type { ModulePlan } from "./fields.ts";
import { zohoTime } from "./reader.ts";
import { saveDeletionCheck } from "./state.ts";
import { writeDeletions, writeRecords } from "./writer.ts";

/** Recycle-bin retention: restorable for 60 days (recycle-bin help page). */
const RECYCLE_MS = 60 * 86_400_000;

/** What syncDeletions needs. */
export interface DeletionContext {
  sql: postgres.Sql;
  client: ZohoClient;
  runId: string;
  overlapSeconds: number;
  perPage: number;
  /** Cadence in minutes (0: every run). */
  deletedCheckMinutes?: number;
}

/** Where the module's deletions stand, and what this run saw. */
export interface DeletionInput {
  since: number | null;
  checkedAt: number | null;
  /** Zoho server time from this run's responses (ms), if any. */
  serverTime: number | null;
  /** This run's records read fetched something. */
  changed: boolean;
}

/** Counts of one check. */
export interface DeletionCounts {
  checked: boolean;
  deleted: number;
  restored: number;
}

/** Whether the deletions check is due. */
export function deletionCheckDue(
  input: DeletionInput,
  { minutes, now }: { minutes: number; now: number },
): boolean {
  return input.changed || input.checkedAt === null || now - input.checkedAt >= minutes * 60_000;
}

/** Reads new deletions and finds restores of a module when due. */
export async function syncDeletions(
  ctx: DeletionContext,
  input: DeletionInput & { plan: ModulePlan; stats: CallStats },
): Promise<DeletionCounts> {
  const { plan, stats } = input;
  const module = plan.module;
  const now = input.serverTime ?? Date.now();
  if (!deletionCheckDue(input, { minutes: ctx.deletedCheckMinutes ?? 0, now })) {
    return { checked: false, deleted: 0, restored: 0 };
  }
  const candidates = await restorable(ctx.sql, { module, now });
  const oldest = candidates.reduce<number | null>((m, c) => Math.min(m ?? c.at, c.at), null);
  const from = oldest === null ? input.since : Math.min(input.since ?? oldest, oldest);
  const listed = new Set<string>();
  let deleted = 0;
  let newest: number | null = null;
  let serverTime: number | null = input.serverTime;
  for (let page = 1;; page++) {
    const body = await ctx.client.request(`/${module}/deleted`, {
      stats,
      query: { type: "all", page, per_page: ctx.perPage },
      headers: from === null ? {} : { "If-Modified-Since": zohoTime(from) },
      parse: (r) => {
        serverTime = r.serverTime ?? serverTime;
        return r.status === 200 ? splitListBody(r.text) : null;
      },
    });
    if (!body) break;
    for (const raw of body.records) {
      const item = peekRecord(raw);
      listed.add(String(item.id));
      const t = Date.parse(String(item.deleted_time));
      if (!Number.isNaN(t)) newest = Math.max(newest ?? t, t);
    }
    deleted += await writeDeletions(ctx.sql, {
      module,
      items: body.records,
      runId: ctx.runId,
    });
    if (body.info.more_records !== true) break;
  }
  const back = candidates.filter((c) => !listed.has(c.id)).map((c) => c.id);
  let restored = 0;
  if (back.length > 0) {
    const records = await readByIds(ctx.client, { plan, ids: back, stats });
    restored = (await writeRecords(ctx.sql, { module, records, runId: ctx.runId })).restored;
  }
  const settled = (serverTime ?? now) - ctx.overlapSeconds * 1000;
  const next = newest === null
    ? null
    : Math.max(input.since ?? 0, Math.min(newest + 1000, settled));
  await saveDeletionCheck(ctx.sql, { module, since: next, checkedAt: serverTime ?? now });
  return { checked: true, deleted, restored };
}

/**
 * Stored records marked deleted from the recycle bin within the last 60 days (Zoho server
 * time): the ones a restore can bring back. Cascaded notes have no tombstone and are not here.
 */
async function restorable(
  sql: postgres.Sql,
  { module, now }: { module: string; now: number },
) {
  const rows = await sql<{ id: string; at: Date }[]>`
    select d.id, max(d.deleted_time) as at from zoho.deletions d
    join zoho.records r on r.module = d.module and r.id = d.id and r.deleted_at is not null
    where d.module = ${module} and d.type = 'recycle' and d.restored_at is null
      and d.deleted_time > ${new Date(now - RECYCLE_MS)}
    group by d.id`;
  return rows.map((r) => ({ id: r.id, at: r.at.getTime() }));
}
