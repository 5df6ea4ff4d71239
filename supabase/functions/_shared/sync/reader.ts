/**
 * One step of a segment read: the next page of every field group (Modified_Time ascending,
 * If-Modified-Since inclusive, page_token past 2,000 records, converted=both, approved=both),
 * merged by id without mixing versions (groups must agree on Modified_Time, else the record is
 * read whole), and single-record reads where the list view is incomplete. Records stay raw
 * text; only the parsed copies used for decisions may lose number precision.
 */
import type { CallStats, ZohoClient } from "../zoho/client.ts";
import { splitListBody } from "../zoho/raw_json.ts";
import { LIST_TEXT_LIMIT, type ModulePlan, needsSingleRead } from "./fields.ts";

/** Where a segment stands; times are ms since epoch. */
export interface SegmentState {
  segment: number;
  since: number | null;
  until: number | null;
  cursor: number | null;
  tokens: string[] | null;
  tokenSince: number | null;
  done: boolean;
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
}

/** Reader inputs. */
export interface ReadContext {
  client: ZohoClient;
  stats: CallStats;
  plan: ModulePlan;
  perPage: number;
  singleReadAll: boolean;
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
  const since = seg.tokens ? seg.tokenSince : (seg.cursor ?? seg.since);
  let pages;
  try {
    pages = await Promise.all(ctx.plan.groups.map((g, i) => listPage(ctx, g, since, seg, i)));
  } catch (error) {
    // A stale page_token (expired, 100,000-record cap): restart the chain from the cursor.
    const code = (error as { code?: string }).code;
    if (seg.tokens && code && TOKEN_ERRORS.has(code)) {
      return readStep(ctx, { ...seg, tokens: null });
    }
    throw error;
  }
  const first = pages[0]!;
  const step: Step = {
    records: [],
    minModified: null,
    maxModified: null,
    tokens: null,
    tokenSince: since,
    done: true,
    fetched: first.records.length,
    singleReads: 0,
    serverTime: first.serverTime,
  };
  const others = pages.slice(1).map(byId);
  const single: string[] = [];
  let reachedUntil = false;
  for (let i = 0; i < first.records.length; i++) {
    const raw = first.records[i]!;
    const rec = decide(first.picked[i]);
    const mtText = rec.Modified_Time;
    const mt = typeof mtText === "string" ? Date.parse(mtText) : NaN;
    if (seg.until !== null && mt >= seg.until) {
      reachedUntil = true; // ascending: the rest belongs to the next segment
      break;
    }
    if (!Number.isNaN(mt)) {
      step.maxModified = Math.max(step.maxModified ?? mt, mt);
      step.minModified = Math.min(step.minModified ?? mt, mt);
    }
    let merged = raw;
    let consistent = true;
    let long = first.long[i] === true;
    for (const group of others) {
      const match = group.get(String(rec.id));
      if (!match || match.rec.Modified_Time !== mtText) {
        consistent = false;
        break;
      }
      merged = `${merged.slice(0, -1)},${match.raw.slice(1)}`;
      long ||= match.long;
      Object.assign(rec, match.rec);
    }
    if (!consistent || needsSingleRead(ctx.plan.module, rec, ctx.plan, ctx.singleReadAll, long)) {
      single.push(String(rec.id) + (rec.Converted__s === true ? "?c" : ""));
    } else step.records.push(merged);
  }
  const full = await Promise.all(single.map((key) => readOne(ctx, key)));
  for (const raw of full) if (raw) step.records.push(raw);
  step.singleReads = single.length;
  const more = first.more && !reachedUntil;
  if (more) {
    const tokens = pages.map((p) => p.next);
    step.tokens = tokens.every((t) => t) ? tokens as string[] : null;
    step.done = false;
  }
  return step;
}

/** Top-level keys the reader decides on; everything else stays raw text. */
const DECISION_KEYS = [
  "id",
  "Modified_Time",
  "Converted__s",
  "$converted",
  "$converted_detail",
  "$has_more",
];

/** The keys to pick from a module's list records (long strings of any key are flagged apart). */
const PICK_KEYS: ReadonlySet<string> = new Set(DECISION_KEYS);

/**
 * The values the reader decides on, from the picked raw texts. An id that is a bare number
 * keeps its digits (no float rounding).
 */
function decide(picked: Record<string, string> | undefined): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  if (!picked) return rec;
  for (const key in picked) {
    const text = picked[key]!;
    if (key === "id" && text.charCodeAt(0) !== 34) rec.id = text;
    else rec[key] = JSON.parse(text);
  }
  return rec;
}

function byId(page: { records: string[]; picked: Record<string, string>[]; long: boolean[] }) {
  const map = new Map<string, { raw: string; rec: Record<string, unknown>; long: boolean }>();
  page.records.forEach((raw, i) => {
    const rec = decide(page.picked[i]);
    map.set(String(rec.id), { raw, rec, long: page.long[i] === true });
  });
  return map;
}

async function listPage(
  ctx: ReadContext,
  fields: string[],
  since: number | null,
  seg: SegmentState,
  group: number,
) {
  const module = ctx.plan.module;
  return await ctx.client.request(`/${module}`, {
    stats: ctx.stats,
    heavy: true, // sort_by counts against the sub-concurrency limit (Kaizen #203)
    query: {
      fields: fields.join(","),
      sort_by: "Modified_Time",
      sort_order: "asc",
      per_page: ctx.perPage,
      approved: "both",
      converted: module === "Leads" ? "both" : undefined,
      page_token: seg.tokens?.[group],
    },
    headers: since === null ? {} : { "If-Modified-Since": zohoTime(since) },
  }, (r) => {
    if (r.status !== 200) {
      return {
        records: [],
        picked: [],
        long: [],
        more: false,
        next: null,
        serverTime: r.serverTime,
      };
    }
    const body = splitListBody(r.text, PICK_KEYS, LIST_TEXT_LIMIT);
    return {
      records: body.records,
      picked: body.picked,
      long: body.long,
      more: body.info.more_records === true,
      next: typeof body.info.next_page_token === "string" ? body.info.next_page_token : null,
      serverTime: r.serverTime,
    };
  });
}

/** Single-record GET: the whole record (subforms, full rich text, $converted_detail). */
async function readOne(ctx: ReadContext, key: string): Promise<string | null> {
  const converted = key.endsWith("?c");
  const id = converted ? key.slice(0, -2) : key;
  return await ctx.client.request(`/${ctx.plan.module}/${id}`, {
    stats: ctx.stats,
    // Converted leads answer 204 unless converted=true (community report on per-record reads).
    query: { converted: converted ? "true" : undefined },
  }, (r) => (r.status === 200 ? splitListBody(r.text).records[0] ?? null : null));
}
