/**
 * Shapes records for list responses: only the requested fields plus id, rich text truncated to
 * 500 characters, subforms omitted with `$has_more` (get-records v7 doc notes).
 */
import type { FieldDef, ZohoRecord } from "../dataset/types.ts";

export const RICH_TEXT_LIST_LIMIT = 500;

/** Projects a full record to the list-view shape. */
export function projectForList(
  rec: ZohoRecord,
  names: readonly string[],
  defs: ReadonlyMap<string, FieldDef>,
): ZohoRecord {
  const out: ZohoRecord = { id: rec.id };
  let hasMore: Record<string, boolean> | null = null;
  for (const name of names) {
    if (name === "id") continue;
    const def = defs.get(name);
    if (!def) continue;
    if (def.data_type === "subform") {
      (hasMore ??= {})[name] = true;
      continue;
    }
    let value = rec[name];
    if (def.rich_text && typeof value === "string" && value.length > RICH_TEXT_LIST_LIMIT) {
      value = value.slice(0, RICH_TEXT_LIST_LIMIT);
    }
    out[name] = value === undefined ? null : value;
  }
  if (hasMore) out.$has_more = hasMore;
  return out;
}

/** Field definitions by API name. */
export function fieldMap(fields: readonly FieldDef[]): Map<string, FieldDef> {
  return new Map(fields.map((f) => [f.api_name, f]));
}
