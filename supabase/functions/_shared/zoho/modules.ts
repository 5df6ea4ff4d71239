/**
 * Zoho CRM's per-module quirks as data: what a list read must add to see every record, which
 * records a list view shows incomplete (converted leads, inventory line items) and how a
 * single-record read gets them whole, and which children vanish with a deleted parent without a
 * tombstone of their own. The reader, the id reader, the read plan and the writer read this table;
 * a module without an entry behaves like any other. Adding a quirk is one entry and one test.
 */

/** Converted records: the list keys that flag one and what a single read needs to answer it. */
export interface ConvertedQuirk {
  /** Top-level keys whose `true` marks a converted record (`Converted__s`; `$converted` before v3). */
  flags: readonly string[];
  /** The key only single-record reads carry; a converted list record without it is incomplete. */
  detailKey: string;
  /** Query a single-record read of a converted record must send (else Zoho answers 204). */
  singleQuery: Readonly<Record<string, string>>;
}

/** What differs about one module (every member optional). */
export interface ModuleQuirks {
  /** Extra query parameters of list and ids reads, so hidden records are listed too. */
  listQuery?: Readonly<Record<string, string>>;
  converted?: ConvertedQuirk;
  /** Fields list views never carry (inventory line items): the module is read record by record. */
  singleReadFields?: readonly string[];
  /**
   * This module's records are deleted with their parent, without a tombstone of their own: the
   * top-level lookup field whose `id` names the parent (the parent's deletion is applied to them).
   */
  deletedWithParent?: { parentField: string };
}

/** The registry: module API name → its quirks. */
export const MODULE_QUIRKS: Readonly<Record<string, ModuleQuirks>> = {
  Leads: {
    // Converted leads are left out of lists unless converted=true|both (get-records v7 `converted`,
    // default false); a single read of one answers 204 unless converted=true, and
    // `$converted_detail` comes on single reads only (reference 1.x, community id 68439028172).
    listQuery: { converted: "both" },
    converted: {
      flags: ["Converted__s", "$converted"],
      detailKey: "$converted_detail",
      singleQuery: { converted: "true" },
    },
  },
  // Inventory line items come on single-record reads only (get-records v7 doc notes).
  Quotes: { singleReadFields: ["Quoted_Items"] },
  Sales_Orders: { singleReadFields: ["Ordered_Items"] },
  Invoices: { singleReadFields: ["Invoiced_Items"] },
  Purchase_Orders: { singleReadFields: ["Purchased_Items"] },
  // Deleting a parent removes its notes without tombstones (reference: Deletes, item 13).
  Notes: { deletedWithParent: { parentField: "Parent_Id" } },
};

const NONE: ModuleQuirks = {};

/** The quirks of `module` (an empty entry when it has none). */
export function quirksOf(module: string): ModuleQuirks {
  return MODULE_QUIRKS[module] ?? NONE;
}

/** Whether a record's list values mark it converted under `quirks`. */
export function isConverted(quirks: ModuleQuirks, rec: Record<string, unknown>): boolean {
  return quirks.converted?.flags.some((key) => rec[key] === true) ?? false;
}

/** Top-level keys any module's quirks decide on (the reader picks them out of list records). */
export const QUIRK_KEYS: readonly string[] = [
  ...new Set(
    Object.values(MODULE_QUIRKS).flatMap((q) =>
      q.converted ? [...q.converted.flags, q.converted.detailKey] : []
    ),
  ),
];

/** Modules deleted with a parent of `module`, and the field naming the parent (not itself). */
export function childrenDeletedWith(module: string): { module: string; parentField: string }[] {
  return Object.entries(MODULE_QUIRKS).flatMap(([child, q]) =>
    q.deletedWithParent && child !== module
      ? [{ module: child, parentField: q.deletedWithParent.parentField }]
      : []
  );
}
