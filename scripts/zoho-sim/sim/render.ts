/**
 * Shapes records for list responses: the requested fields plus id, rich text (optionally every
 * multi-line text) truncated to 500 characters, subforms omitted with `$has_more` (get-records v7 doc notes), and the record-level
 * `$` keys (`$approval_state`, `$currency_symbol`, `$converted_detail`, …) that list views carry
 * (v7 search-records samples). Whether Get Records with `fields` sends them all or only those
 * named in `fields` is unverified: `dollarKeys` picks ("all" by default).
 */
import type { FieldDef, ZohoRecord } from "../dataset/types.ts";

export const RICH_TEXT_LIST_LIMIT = 500;

/** Which fields list views truncate (options.behaviour.listTruncates). */
export type ListTruncation = "rich_text" | "multi_line";

/** A field's value as a list view shows it: long text cut to the limit where it applies. */
export function listValue(def: FieldDef, value: unknown, truncate: ListTruncation): unknown {
  if (typeof value !== "string" || value.length <= RICH_TEXT_LIST_LIMIT) return value;
  const cut = def.rich_text || (truncate === "multi_line" && def.data_type === "textarea");
  return cut ? value.slice(0, RICH_TEXT_LIST_LIMIT) : value;
}

/** Projects a full record to the list-view shape. */
export function projectForList(
  rec: ZohoRecord,
  names: readonly string[],
  defs: ReadonlyMap<string, FieldDef>,
  dollarKeys: "all" | "requested" = "all",
  truncate: ListTruncation = "rich_text",
): ZohoRecord {
  const out: ZohoRecord = { id: rec.id };
  if (dollarKeys === "all") {
    for (const [key, value] of Object.entries(rec)) {
      // `$has_more` of the single-record shape says "nothing more"; lists set their own below.
      if (key.startsWith("$") && key !== "$has_more" && !defs.has(key)) out[key] = value;
    }
  }
  let hasMore: Record<string, boolean> | null = null;
  for (const name of names) {
    if (name === "id") continue;
    if (name.startsWith("$") && !defs.has(name)) {
      // Get Records doc: "Use the key $approval_state in the fields param".
      if (name !== "$has_more") out[name] = rec[name] === undefined ? null : rec[name];
      continue;
    }
    const def = defs.get(name);
    if (!def) continue;
    if (def.data_type === "subform") {
      (hasMore ??= {})[name] = true;
      continue;
    }
    const value = listValue(def, rec[name], truncate);
    out[name] = value === undefined ? null : value;
  }
  if (hasMore) out.$has_more = hasMore;
  return out;
}

/** Field definitions by API name. */
export function fieldMap(fields: readonly FieldDef[]): Map<string, FieldDef> {
  return new Map(fields.map((f) => [f.api_name, f]));
}
