/** Field helpers and the system fields every record-bearing module shares. */
import { STAGES } from "./catalog.ts";
import type { DataType, FieldDef } from "./types.ts";

/** Shorthand for a field definition. */
export function f(api_name: string, data_type: DataType, extra: Partial<FieldDef> = {}): FieldDef {
  return { api_name, data_type, ...extra };
}

/** Fields Zoho adds to every module. */
export function systemFields(): FieldDef[] {
  return [
    f("Owner", "ownerlookup", { label: "Record Owner", lookup: "users" }),
    f("Created_By", "ownerlookup", { lookup: "users", read_only: true }),
    f("Modified_By", "ownerlookup", { lookup: "users", read_only: true }),
    f("Created_Time", "datetime", { read_only: true }),
    f("Modified_Time", "datetime", { read_only: true }),
    f("Tag", "text", { read_only: true }),
    f("Record_Status__s", "picklist", { read_only: true, picklist: ["Available", "Draft"] }),
    f("Locked__s", "boolean", { read_only: true }),
  ];
}

export const STAGE_FIELD: FieldDef = f("Stage", "picklist", { mandatory: true, picklist: STAGES });
