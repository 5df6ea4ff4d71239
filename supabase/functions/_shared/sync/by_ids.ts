/**
 * Reads given records by id: Get Records with `ids` (at most 100 per call, get-records v7), one
 * call per field group merged by id when every group agrees on Modified_Time, and a
 * single-record GET where the list view is incomplete (rich text cut, `$has_more`) or the groups
 * disagree. Records stay raw text, as the reader keeps them.
 */
import type { CallStats, ZohoClient } from "../zoho/client.ts";
import { peekRecord, splitListBody } from "../zoho/raw_json.ts";
import { type ModulePlan, needsSingleRead } from "./fields.ts";

/** Most ids in one Get Records call. */
export const MAX_IDS = 100;

/** Reads the records of `ids` that exist (live) now; missing ones are left out. */
export async function readByIds(
  client: ZohoClient,
  plan: ModulePlan,
  ids: readonly string[],
  stats: CallStats,
): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += MAX_IDS) {
    out.push(...await readChunk(client, plan, ids.slice(i, i + MAX_IDS), stats));
  }
  return out;
}

async function readChunk(
  client: ZohoClient,
  plan: ModulePlan,
  ids: readonly string[],
  stats: CallStats,
): Promise<string[]> {
  const module = plan.module;
  const pages = await Promise.all(plan.groups.map((fields) =>
    client.request(`/${module}`, {
      stats,
      query: {
        ids: ids.join(","),
        fields: fields.join(","),
        approved: "both",
        converted: module === "Leads" ? "both" : undefined,
      },
    }, (r) => (r.status === 200 ? splitListBody(r.text).records : []))
  ));
  const others = pages.slice(1).map((records) =>
    new Map(records.map((raw) => [String(peekRecord(raw).id), raw]))
  );
  const out: string[] = [];
  const single: string[] = [];
  for (const raw of pages[0] ?? []) {
    const rec = peekRecord(raw);
    let merged = raw;
    let consistent = true;
    for (const group of others) {
      const match = group.get(String(rec.id));
      const parsed = match ? peekRecord(match) : null;
      if (!match || !parsed || parsed.Modified_Time !== rec.Modified_Time) {
        consistent = false;
        break;
      }
      merged = `${merged.slice(0, -1)},${match.slice(1)}`;
      Object.assign(rec, parsed);
    }
    if (!consistent || needsSingleRead(module, rec, plan)) {
      single.push(String(rec.id) + (rec.Converted__s === true ? "?c" : ""));
    } else out.push(merged);
  }
  const full = await Promise.all(single.map((key) => readOne(client, module, key, stats)));
  for (const raw of full) if (raw) out.push(raw);
  return out;
}

/** Single-record GET; converted leads answer 204 unless converted=true (community report). */
async function readOne(
  client: ZohoClient,
  module: string,
  key: string,
  stats: CallStats,
): Promise<string | null> {
  const converted = key.endsWith("?c");
  const id = converted ? key.slice(0, -2) : key;
  return await client.request(`/${module}/${id}`, {
    stats,
    query: { converted: converted ? "true" : undefined },
  }, (r) => (r.status === 200 ? splitListBody(r.text).records[0] ?? null : null));
}
