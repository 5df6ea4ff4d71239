/**
 * Field-group pages made whole, for list reads and id reads alike: a module with more than 50
 * fields is read as one page per field group, and `mergeGroupPages` joins each record's group
 * texts by id, without mixing versions (every group must show the same Modified_Time, else the
 * record is read whole). Records the list view shows incomplete (fields.ts `needsSingleRead`) are
 * read one by one with `readSingles`. Records stay raw text; only the few values decided on are
 * parsed (an id that is a bare number keeps its digits).
 */
import type { CallStats, ZohoClient } from "../zoho/client.ts";
import { isConverted, QUIRK_KEYS } from "../zoho/modules.ts";
import { splitListBody } from "../zoho/raw_json.ts";
import { LIST_TEXT_LIMIT, type ModulePlan, needsSingleRead, type SingleRead } from "./fields.ts";

/** One field group's page: record texts and, per record, the raw texts of the decision keys. */
export interface GroupPage {
  records: string[];
  picked: Record<string, string>[];
  /** Per record: a top-level string value of LIST_TEXT_LIMIT or more characters (maybe cut). */
  long?: boolean[];
}

/** What a merge of one page per field group gives. */
export interface MergedPage {
  /** Whole records (every group joined), ready to store. */
  records: string[];
  /** Records to read singly (incomplete in the list view, or the groups disagree). */
  single: SingleRead[];
  /** Min and max list Modified_Time among the records kept (ms), or null when none. */
  minModified: number | null;
  maxModified: number | null;
  /** A record at or past `until` was met: the rest of the page belongs to the next segment. */
  reachedUntil: boolean;
}

/** Top-level keys decided on: id, Modified_Time, `$has_more` and the modules' quirk keys. */
const DECISION_KEYS: readonly string[] = ["id", "Modified_Time", "$has_more", ...QUIRK_KEYS];

const DECISION_KEY_SET: ReadonlySet<string> = new Set(DECISION_KEYS);

/**
 * Cuts a list body into a group page (decision keys picked, records with a long string value of
 * any field flagged, in the same pass) and its info.
 */
export function groupPage(
  text: string,
  _plan: ModulePlan,
): GroupPage & { info: Record<string, unknown> } {
  return splitListBody(text, { pick: DECISION_KEY_SET, longAt: LIST_TEXT_LIMIT });
}

/**
 * Merges one page per field group (group 0 first; it drives order and paging). With `until`,
 * stops at the first record whose Modified_Time is at or past it (pages are ascending).
 */
export function mergeGroupPages(
  pages: readonly GroupPage[],
  plan: ModulePlan,
  options: { singleReadAll?: boolean; until?: number | null } = {},
): MergedPage {
  const out: MergedPage = {
    records: [],
    single: [],
    minModified: null,
    maxModified: null,
    reachedUntil: false,
  };
  const [first, ...rest] = pages;
  if (!first) return out;
  const others = rest.map(byId);
  const until = options.until ?? null;
  for (let i = 0; i < first.records.length; i++) {
    const rec = decide(first.picked[i]);
    const mtText = rec.Modified_Time;
    const mt = typeof mtText === "string" ? Date.parse(mtText) : NaN;
    if (until !== null && mt >= until) {
      out.reachedUntil = true;
      break;
    }
    if (!Number.isNaN(mt)) {
      out.maxModified = Math.max(out.maxModified ?? mt, mt);
      out.minModified = Math.min(out.minModified ?? mt, mt);
    }
    let merged = first.records[i]!;
    let consistent = true;
    let long = first.long?.[i] === true;
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
    if (!consistent || needsSingleRead(rec, plan, { everything: options.singleReadAll, long })) {
      out.single.push({ id: String(rec.id), converted: isConverted(plan.quirks, rec) });
    } else out.records.push(merged);
  }
  return out;
}

/**
 * The values decided on, from the picked raw texts. An id that is a bare number keeps its digits
 * (no float rounding).
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

function byId(page: GroupPage) {
  const map = new Map<string, { raw: string; rec: Record<string, unknown>; long: boolean }>();
  page.records.forEach((raw, i) => {
    const rec = decide(page.picked[i]);
    map.set(String(rec.id), { raw, rec, long: page.long?.[i] === true });
  });
  return map;
}

/**
 * Single-record GETs: the whole records (subforms, line items, full rich text, conversion
 * detail), in order; records gone meanwhile (204) are left out. A converted record's read sends
 * its module's converted query (converted leads answer 204 without converted=true).
 */
export async function readSingles(
  client: ZohoClient,
  { plan, reads, stats }: { plan: ModulePlan; reads: readonly SingleRead[]; stats: CallStats },
): Promise<string[]> {
  const texts = await Promise.all(reads.map((read) =>
    client.request(`/${plan.module}/${read.id}`, {
      stats,
      query: read.converted ? plan.quirks.converted?.singleQuery : undefined,
      parse: (r) => (r.status === 200 ? splitListBody(r.text).records[0] ?? null : null),
    })
  ));
  return texts.filter((t): t is string => t !== null);
}
