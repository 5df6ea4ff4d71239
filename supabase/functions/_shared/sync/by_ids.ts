/**
 * Reads given records by id: Get Records with `ids` (at most 100 per call, get-records v7), one
 * call per field group merged by id (merge.ts, as list reads merge), and single-record reads
 * where the list view is incomplete or the groups disagree. Records stay raw text.
 */
import type { CallStats, ZohoClient } from "../zoho/client.ts";
import type { ModulePlan } from "./fields.ts";
import { type GroupPage, groupPage, mergeGroupPages, readSingles } from "./merge.ts";

/** Most ids in one Get Records call. */
export const MAX_IDS = 100;

/** Reads the records of `ids` that exist (live) now; missing ones are left out. */
export async function readByIds(
  client: ZohoClient,
  { plan, ids, stats }: { plan: ModulePlan; ids: readonly string[]; stats: CallStats },
): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += MAX_IDS) {
    const chunk = ids.slice(i, i + MAX_IDS).join(",");
    const pages = await Promise.all(plan.groups.map((fields) =>
      client.request(`/${plan.module}`, {
        stats,
        query: {
          ids: chunk,
          fields: fields.join(","),
          approved: "both",
          ...plan.quirks.listQuery,
        },
        parse: (r): GroupPage =>
          r.status === 200 ? groupPage(r.text, plan) : { records: [], picked: [] },
      })
    ));
    const merged = mergeGroupPages(pages, plan);
    out.push(
      ...merged.records,
      ...await readSingles(client, { plan, reads: merged.single, stats }),
    );
  }
  return out;
}
