/**
 * 19-digit Zoho-style record ids. Layout: 7-digit org prefix, 2-digit module code, 10-digit
 * sequence. Ids are strings (they exceed 2^53) and increase with the record index.
 */

export const ORG_PREFIX = "5725767";

/** Builds the id of record `index` of the module with `code`. */
export function recordId(code: number, index: number): string {
  return ORG_PREFIX + String(code).padStart(2, "0") + String(index).padStart(10, "0");
}

/** Decodes an id built by recordId, or null when it is not one of ours. */
export function decodeId(id: string): { code: number; index: number } | null {
  if (!/^\d{19}$/.test(id) || !id.startsWith(ORG_PREFIX)) return null;
  return { code: Number(id.slice(7, 9)), index: Number(id.slice(9)) };
}
