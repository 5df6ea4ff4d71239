/** Record predicates shared by COQL WHERE clauses and Bulk Read criteria. */
import type { FieldDef, ZohoRecord } from "../dataset/types.ts";
import { parseDateTime } from "../dataset/time_format.ts";

export type Scalar = string | number | boolean | null;

export type Op =
  | "="
  | "!="
  | ">"
  | "<"
  | ">="
  | "<="
  | "in"
  | "not in"
  | "between"
  | "not between"
  | "like"
  | "not like"
  | "is null"
  | "is not null";

export type Predicate =
  | { kind: "cond"; field: string; op: Op; values: Scalar[] }
  | { kind: "and" | "or"; parts: Predicate[] };

/** Reads a (possibly dotted) field from a record; lookups compare by id. */
export function readField(rec: ZohoRecord, path: string): unknown {
  let value: unknown = rec;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return null;
    value = (value as Record<string, unknown>)[part];
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "id" in value) {
    return (value as { id: unknown }).id;
  }
  return value ?? null;
}

function comparable(value: unknown, def: FieldDef | undefined): number | string | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && def && (def.data_type === "datetime")) {
    return parseDateTime(value) ?? value;
  }
  if (
    typeof value === "string" && def &&
    ["integer", "double", "currency", "percent"].includes(def.data_type)
  ) {
    const n = Number(value);
    return Number.isNaN(n) ? value : n;
  }
  return value as number | string | boolean;
}

function likeRegex(pattern: string): RegExp {
  const body = pattern.replace(/[.+?^${}()|[\]\\*]/g, "\\$&").replace(/%/g, ".*").replace(
    /_/g,
    ".",
  );
  return new RegExp(`^${body}$`, "is");
}

/** Evaluates a predicate against a full record. */
export function evaluate(
  rec: ZohoRecord,
  p: Predicate,
  defs: ReadonlyMap<string, FieldDef>,
): boolean {
  if (p.kind !== "cond") {
    return p.kind === "and"
      ? p.parts.every((x) => evaluate(rec, x, defs))
      : p.parts.some((x) => evaluate(rec, x, defs));
  }
  const def = defs.get(p.field.split(".")[0] as string);
  const raw = readField(rec, p.field);
  if (p.op === "is null") return raw === null || raw === "";
  if (p.op === "is not null") return !(raw === null || raw === "");
  const v = comparable(raw, def);
  const vals = p.values.map((x) => comparable(x, def));
  const a = vals[0] ?? null;
  switch (p.op) {
    case "=":
      return Array.isArray(raw) ? raw.includes(p.values[0]) : v === a;
    case "!=":
      return v !== a;
    case ">":
      return v !== null && a !== null && v > a;
    case "<":
      return v !== null && a !== null && v < a;
    case ">=":
      return v !== null && a !== null && v >= a;
    case "<=":
      return v !== null && a !== null && v <= a;
    case "in":
      return vals.includes(v);
    case "not in":
      return !vals.includes(v);
    case "between":
    case "not between": {
      const b = vals[1] ?? null;
      const inside = v !== null && a !== null && b !== null && v >= a && v <= b;
      return p.op === "between" ? inside : !inside;
    }
    case "like":
    case "not like": {
      const hit = typeof raw === "string" && likeRegex(String(p.values[0] ?? "")).test(raw);
      return p.op === "like" ? hit : !hit;
    }
  }
  return false;
}

/** Top-level field names a predicate uses. */
export function predicateFields(p: Predicate): string[] {
  if (p.kind === "cond") return [p.field.split(".")[0] as string];
  return p.parts.flatMap(predicateFields);
}
