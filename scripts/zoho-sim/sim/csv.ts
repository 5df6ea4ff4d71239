/** CSV for Bulk Read results: lookups as ids, multi-values joined with ";", RFC 4180 quoting. */
import type { FieldDef, ZohoRecord } from "../dataset/types.ts";

function cell(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) text = "";
  else if (typeof value === "object" && !Array.isArray(value) && "id" in value) {
    text = String((value as { id: unknown }).id);
  } else if (Array.isArray(value)) {
    text = value.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(";");
  } else if (typeof value === "object") text = JSON.stringify(value);
  else text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Columns exported for a module when the job names no fields: all but subforms. */
export function defaultColumns(fields: readonly FieldDef[]): string[] {
  return fields.filter((f) => f.data_type !== "subform").map((f) => f.api_name);
}

/** Builds the CSV text: header "Id" then the columns. */
export function toCsv(columns: readonly string[], records: Iterable<ZohoRecord>): string {
  const lines = [["Id", ...columns].map(cell).join(",")];
  for (const rec of records) {
    lines.push([rec.id, ...columns.map((c) => rec[c])].map(cell).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}
