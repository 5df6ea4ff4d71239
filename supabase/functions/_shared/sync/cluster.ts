/**
 * Reading a cluster: the records that share one Modified_Time (an import, a mass update, a
 * workflow stamps thousands in the same second). If-Modified-Since is inclusive and Get Records
 * sorts by Modified_Time alone, so a page_token chain restarted at that second reads the whole
 * cluster again from its first record; a cluster larger than a slice (or than a chain's 100,000
 * records) was never passed. Here the position moves inside the cluster instead: COQL lists the
 * cluster's ids in id order after the last one read (`Modified_Time = T and id > last`, order by
 * id; 200 ids for 1 credit, COQL overview), and only the ids not already stored at T are read,
 * by id, with Get Records (the same list-view JSON a chain returns, 100 ids per call).
 */
import type postgres from "postgres";
import { ZohoApiError } from "../zoho/errors.ts";
import { splitListBody } from "../zoho/raw_json.ts";
import { readByIds } from "./by_ids.ts";
import type { ReadContext, SegmentState, Step } from "./reader.ts";
import { zohoTime } from "./reader.ts";

/** What the cluster read asks of the database: what is already stored at one Modified_Time. */
export interface StoredLookup {
  /** Live records of the module stored with this Modified_Time. */
  countAt(ms: number): Promise<number>;
  /** Of `ids`, those stored live with this Modified_Time (nothing to read again). */
  currentAt(ids: readonly string[], ms: number): Promise<Set<string>>;
}

/** The lookup over zoho.records (its (module, modified_time) index). */
export function storedLookup(sql: postgres.Sql, module: string): StoredLookup {
  return {
    async countAt(ms) {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from zoho.records
        where module = ${module} and modified_time = ${new Date(ms)} and deleted_at is null`;
      return row?.n ?? 0;
    },
    async currentAt(ids, ms) {
      if (ids.length === 0) return new Set();
      const rows = await sql<{ id: string }[]>`select id from zoho.records
        where module = ${module} and id = any(${ids as string[]}) and deleted_at is null
          and modified_time = ${new Date(ms)}`;
      return new Set(rows.map((r) => r.id));
    },
  };
}

/** COQL errors that mean "not available here" (no coql scope, a module COQL does not serve). */
const UNAVAILABLE = new Set([400, 401, 403]);

/** COQL's credits for a LIMIT (COQL overview: 1-200 → 1, 201-1000 → 2, 1001-2000 → 3). */
export function coqlCredits(limit: number): number {
  return limit <= 200 ? 1 : limit <= 1000 ? 2 : 3;
}

/** The COQL query of the next ids of the cluster at `at` after `after` ("" = from the first). */
export function clusterQuery(
  { module, at, after, limit }: { module: string; at: number; after: string; limit: number },
): string {
  const time = `Modified_Time = '${zohoTime(at)}'`;
  // Ids are digit strings (19 digits on Zoho); anything else is refused rather than quoted.
  if (after !== "" && !/^\d+$/.test(after)) {
    throw new Error(`Cannot read the cluster: bad id ${after}`);
  }
  const where = after === "" ? time : `(${time} and id > '${after}')`;
  return `select id, Modified_Time from ${module} where ${where} order by id asc limit ${limit}`;
}

/**
 * One step inside the cluster at `seg.cursor`: the next ids after `seg.clusterAfter`, those not
 * stored yet read whole. Returns null when COQL is not available for this module or token (no
 * `ZohoCRM.coql.READ` scope, a module COQL does not serve): the caller reads the list again.
 */
export async function clusterStep(
  ctx: ReadContext,
  { seg, stored }: { seg: SegmentState; stored: StoredLookup },
): Promise<Step | null> {
  const at = seg.cursor!;
  const after = seg.clusterAfter ?? "";
  const limit = ctx.perPage;
  let page: { ids: string[]; more: boolean; serverTime: number | null };
  try {
    page = await ctx.client.request("/coql", {
      method: "POST",
      json: { select_query: clusterQuery({ module: ctx.plan.module, at, after, limit }) },
      heavy: true, // COQL counts against the sub-concurrency limit (Kaizen #203)
      credits: coqlCredits(limit),
      stats: ctx.stats,
      parse: (r) => {
        if (r.status !== 200) return { ids: [], more: false, serverTime: r.serverTime };
        const body = splitListBody(r.text, { pick: new Set(["id"]) });
        const ids = body.picked.map((p) => {
          const text = p.id ?? "";
          return text.charCodeAt(0) === 34 ? JSON.parse(text) as string : text;
        });
        return { ids, more: body.info.more_records === true, serverTime: r.serverTime };
      },
    });
  } catch (error) {
    if (error instanceof ZohoApiError && UNAVAILABLE.has(error.status)) return null;
    throw error;
  }
  const have = await stored.currentAt(page.ids, at);
  const missing = page.ids.filter((id) => !have.has(id));
  const records = await readByIds(ctx.client, { plan: ctx.plan, ids: missing, stats: ctx.stats });
  const last = page.ids.at(-1);
  const more = page.more && last !== undefined;
  return {
    records,
    minModified: null,
    maxModified: null,
    tokens: null,
    tokenSince: null,
    done: false,
    fetched: records.length,
    singleReads: 0,
    serverTime: page.serverTime,
    position: {
      cursor: at,
      // The cluster is read: a new chain starts one second past it.
      cursorComplete: !more,
      clusterAfter: more ? last : null,
      chainRead: 0,
    },
    restarted: false,
  };
}
