/**
 * What to ask for, as data: a module's fields split into groups of at most 50 (Zoho's `fields`
 * limit, get-records v7: LIMIT_EXCEEDED beyond 50), each group carrying Modified_Time so pages
 * of different groups can be checked for consistency before they are merged by id; and the
 * rules saying when the list view is incomplete and a single-record read is needed.
 */
import type { CallStats } from "../zoho/client.ts";
import { isConverted, type ModuleQuirks, quirksOf } from "../zoho/modules.ts";

/** Zoho's maximum number of API names in `fields`. */
export const MAX_FIELDS = 50;
/**
 * List views truncate long text to this many characters (get-records v7 doc notes say rich
 * text; the docs are not precise about other multi-line fields, so any string value this long
 * in a list is treated as possibly cut and its record is read whole).
 */
export const LIST_TEXT_LIMIT = 500;

/** A field as /settings/fields describes it (only what the engine reads). */
export interface FieldMeta {
  api_name: string;
  data_type?: string;
  textarea?: { type?: string } | null;
}

/** A module's read plan. */
export interface ModulePlan {
  module: string;
  /** Field groups; group 0 drives paging. Every group includes Modified_Time. */
  groups: string[][];
  /** Rich-text fields: list values at the 500-character limit may be truncated. */
  richText: string[]; // informative: every long string value is checked, whatever its type
  /** Fields the list view omits (`$has_more`): subforms, multi-select lookups, line items. */
  omitted: string[];
  /** The module's quirks (zoho/modules.ts). */
  quirks: ModuleQuirks;
  /**
   * Re-checks the module's metadata now; true when its field names changed since this plan was
   * made (a re-read of every record has then been requested).
   */
  fieldsChanged?: (stats: CallStats) => Promise<boolean>;
}

const LIST_OMITTED = new Set(["subform", "multiselectlookup", "multiuserlookup"]);

/** Splits field names into ≤50-name groups, each with Modified_Time, no field twice. */
export function fieldGroups(names: readonly string[], max = MAX_FIELDS): string[][] {
  const rest = [...new Set(names)].filter((n) => n !== "id" && n !== "Modified_Time");
  const groups: string[][] = [];
  for (let i = 0; i === 0 || i < rest.length; i += max - 1) {
    groups.push(["Modified_Time", ...rest.slice(i, i + max - 1)]);
  }
  return groups;
}

/** Builds a module's plan from its field metadata and its quirks (the registry's by default). */
export function planModule(
  module: string,
  fields: readonly FieldMeta[],
  quirks: ModuleQuirks = quirksOf(module),
): ModulePlan {
  const singleOnly = new Set(quirks.singleReadFields ?? []);
  return {
    module,
    groups: fieldGroups(fields.map((f) => f.api_name)),
    richText: fields.filter((f) => f.textarea?.type === "rich_text").map((f) => f.api_name),
    omitted: fields
      .filter((f) => LIST_OMITTED.has(f.data_type ?? "") || singleOnly.has(f.api_name))
      .map((f) => f.api_name),
    quirks,
  };
}

/** A record to read singly: its id, and whether it is converted (its read needs the quirk's query). */
export interface SingleRead {
  id: string;
  converted: boolean;
}

/**
 * Whether a list-view record is incomplete: the module has fields lists never carry, `$has_more`
 * names omitted fields, a top-level string value (any field type) sits at the truncation limit,
 * or a converted record lacks the detail only single reads carry. `everything` forces single
 * reads (list views that omit record-level `$` keys). `rec` holds the values decided on; a
 * reader that does not parse whole records reports long strings it saw through `long`.
 */
export function needsSingleRead(
  rec: Record<string, unknown>,
  plan: ModulePlan,
  { everything = false, long = false }: {
    /** Every record is read on its own (ZOHO_SINGLE_READS=all). */
    everything?: boolean;
    /** The list cut one of the record's long texts. */
    long?: boolean;
  } = {},
): boolean {
  if (everything || long) return true;
  // Lists never carry subform / multi-select lookup / line-item values, and the v7 doc says
  // `$has_more` is rendered on single-record reads only: such a module is read record by record.
  if (plan.omitted.length > 0) return true;
  const more = rec.$has_more;
  if (more && typeof more === "object" && Object.values(more).some((v) => v === true)) return true;
  for (const key in rec) {
    const v = rec[key];
    if (typeof v === "string" && v.length >= LIST_TEXT_LIMIT) return true;
  }
  const converted = plan.quirks.converted;
  return converted !== undefined && isConverted(plan.quirks, rec) &&
    rec[converted.detailKey] === undefined;
}
