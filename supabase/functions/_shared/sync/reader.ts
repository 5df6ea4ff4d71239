/**
 * One step of a segment read: the next page of every field group (Modified_Time ascending,
 * If-Modified-Since inclusive, page_token past 2,000 records, approved=both and the module's
 * list quirks such as converted=both), merged by id (merge.ts) and completed by single-record
 * reads where the list view is incomplete. Records stay raw text.
 */
import type { CallStats, ZohoClient } from "../zoho/client.ts";
import type { ModulePlan } from "./fields.ts";
import { type GroupPage, groupPage, mergeGroupPages, readSingles } from "./merge.ts";

/** Where a segment stands; times are ms since epoch. */
export interface SegmentState {
  segment: number;
  since: number | null;
  until: number | null;
  cursor: number | null;
  tokens: string[] | null;
  tokenSince: number | null;
  done: boolean;
  /** Every record stamped `cursor` is committed: a new chain starts one second past it. */
  cursorComplete?: boolean;
  /** Reading the cluster at `cursor` in id order after this id ("" = first); null otherwise. */
  clusterAfter?: string | null;
  /** Records read by the current chain (since `tokenSince`). */
  chainRead?: number;
}

/** Where a step leaves the segment's read position (with `tokens`, `tokenSince`, `done`). */
export interface Position {
  cursor: number | null;
  cursorComplete: boolean;
  clusterAfter: string | null;
  chainRead: number;
}

/** The result of one step. */
export interface Step {
  records: string[];
  /** Min and max list Modified_Time among the records kept (ms), or null when none. */
  minModified: number | null;
  maxModified: number | null;
  tokens: string[] | null;
  tokenSince: number | null;
  done: boolean;
  fetched: number;
  singleReads: number;
  serverTime: number | null;
  /** The segment's read position after this step. */
  position: Position;
  /** The step began a new chain at a position already reached (a chain was lost). */
  restarted: boolean;
}

/** Reader inputs. */
export interface ReadContext {
  client: ZohoClient;
  stats: CallStats;
  plan: ModulePlan;
  perPage: number;
  singleReadAll: boolean;
  /**
   * Starts a new chain where a lost one stood (segments.ts: inside the cluster at the cursor when
   * records are stored there); by default a list read from the cursor.
   */
  restart?: (seg: SegmentState) => Promise<Step>;
}

const TOKEN_ERRORS = new Set([
  "EXPIRED_VALUE",
  "TOKEN_BOUND_DATA_MISMATCH",
  "PAGINATION_LIMIT_EXCEEDED",
  "INVALID_DATA",
]);

/** Formats ms as Zoho's ISO 8601 with offset, second precision. */
export function zohoTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + "+00:00";
}

/** Reads the next page of a segment. */
export async function readStep(ctx: ReadContext, seg: SegmentState): Promise<Step> {
  const since = seg.tokens
    ? seg.tokenSince
    : seg.cursor !== null
    ? seg.cursor + (seg.cursorComplete ? 1000 : 0)
    : seg.since;
  let pages;
  try {
    pages = await Promise.all(
      ctx.plan.groups.map((g, i) =>
        listPage(ctx, { fields: g, since, pageToken: seg.tokens?.[i] })
      ),
    );
  } catch (error) {
    // A stale page_token (expired, 100,000-record cap): a new chain from the cursor.
    const code = (error as { code?: string }).code;
    if (seg.tokens && code && TOKEN_ERRORS.has(code)) {
      const lost = { ...seg, tokens: null, chainRead: 0 };
      return ctx.restart ? ctx.restart(lost) : readStep(ctx, lost);
    }
    throw error;
  }
  const first = pages[0]!;
  const merged = mergeGroupPages(pages, ctx.plan, {
    singleReadAll: ctx.singleReadAll,
    until: seg.until,
  });
  const whole = await readSingles(ctx.client, {
    plan: ctx.plan,
    reads: merged.single,
    stats: ctx.stats,
  });
  const more = first.more && !merged.reachedUntil;
  const tokens = more ? pages.map((p) => p.next) : null;
  const fetched = first.records.length;
  const cursor = merged.maxModified ?? seg.cursor;
  return {
    records: [...merged.records, ...whole],
    minModified: merged.minModified,
    maxModified: merged.maxModified,
    tokens: tokens?.every((t) => t) ? tokens as string[] : null,
    tokenSince: since,
    done: !more,
    fetched,
    singleReads: merged.single.length,
    serverTime: first.serverTime,
    position: {
      cursor,
      // Past a cursor whose second was read whole, records at the new cursor may remain.
      cursorComplete: cursor === seg.cursor ? (seg.cursorComplete ?? false) : false,
      clusterAfter: null,
      chainRead: (seg.tokens ? seg.chainRead ?? 0 : 0) + fetched,
    },
    restarted: !seg.tokens && seg.cursor !== null && !seg.cursorComplete,
  };
}

/** One list request of a field group: its fields, If-Modified-Since, and its chain's token. */
interface PageRequest {
  fields: string[];
  since: number | null;
  pageToken: string | undefined;
}

async function listPage(
  ctx: ReadContext,
  { fields, since, pageToken }: PageRequest,
): Promise<GroupPage & { more: boolean; next: string | null; serverTime: number | null }> {
  return await ctx.client.request(`/${ctx.plan.module}`, {
    stats: ctx.stats,
    heavy: true, // sort_by counts against the sub-concurrency limit (Kaizen #203)
    query: {
      fields: fields.join(","),
      sort_by: "Modified_Time",
      sort_order: "asc",
      per_page: ctx.perPage,
      approved: "both",
      ...ctx.plan.quirks.listQuery,
      page_token: pageToken,
    },
    headers: since === null ? {} : { "If-Modified-Since": zohoTime(since) },
    parse: (r) => {
      if (r.status !== 200) {
        return { records: [], picked: [], more: false, next: null, serverTime: r.serverTime };
      }
      const { records, picked, long, info } = groupPage(r.text, ctx.plan);
      return {
        records,
        picked,
        long,
        more: info.more_records === true,
        next: typeof info.next_page_token === "string" ? info.next_page_token : null,
        serverTime: r.serverTime,
      };
    },
  });
}
