/**
 * The brief payload (what the model may talk about) and how its facts are shown: the snapshot's
 * company facts plus the driver facts of `brief.payload(snapshot_id)`, all computed in SQL. A
 * fact's numbers are its `value` (in its `unit`) and its named numeric fields (`prev`, `change_pct`,
 * `days`, ...); its names are `label`, `owner` and `stage`. Null values are never shown.
 */
import { z } from "zod";

/** A payload fact: id, value, unit, period, and optional driver fields. */
export const FactSchema = z.object({
  id: z.string().regex(/^[a-z0-9_.]+$/),
  value: z.number().nullable(),
  unit: z.string(),
  period: z.string().nullable(),
  label: z.string().optional(),
  owner: z.string().optional(),
  stage: z.string().optional(),
  why: z.array(z.string()).optional(),
  prev: z.number().nullable().optional(),
  change_pct: z.number().nullable().optional(),
  change_pts: z.number().nullable().optional(),
  change: z.number().nullable().optional(),
  days: z.number().nullable().optional(),
  revenue: z.number().nullable().optional(),
  target: z.number().nullable().optional(),
  from: z.number().nullable().optional(),
  to: z.number().nullable().optional(),
  low: z.number().nullable().optional(),
  high: z.number().nullable().optional(),
  chance_pct: z.number().nullable().optional(),
}).loose();

/** One fact. */
export type Fact = z.infer<typeof FactSchema>;

/** The payload of one snapshot's brief. */
export const PayloadSchema = z.object({
  snapshot_id: z.uuid(),
  as_of: z.iso.date(),
  currency: z.string().length(3),
  facts: z.array(FactSchema).max(80),
});

/** A validated payload. */
export type Payload = z.infer<typeof PayloadSchema>;

/** A unit a number can be stated in. `change` numbers carry a sign that direction words check. */
export type NumberKind = "pct" | "currency" | "count" | "days" | "hours" | "ratio";

/** One number a fact holds, with the kind it is stated in and whether it is a signed change. */
export interface FactNumber {
  field: string;
  value: number;
  kind: NumberKind;
  change: boolean;
}

const UNIT_KIND: Record<string, NumberKind> = {
  pct: "pct",
  currency: "currency",
  currency_per_day: "currency",
  count: "count",
  days: "days",
  hours: "hours",
  ratio: "ratio",
};

/** Ids of facts whose own value is a signed change (growth, trend, anomaly change). */
function valueIsChange(fact: Fact): boolean {
  return /(^|\.)growth$|\.trend$|^anomaly\./.test(fact.id);
}

/** Every number of a fact (null ones left out): value, prev and the driver fields. */
export function factNumbers(fact: Fact): FactNumber[] {
  const kind = UNIT_KIND[fact.unit] ?? "count";
  const out: FactNumber[] = [];
  // Each field is read from the fact under its own name.
  const add = (field: keyof Fact & string, k: NumberKind, change = false) => {
    const value: unknown = fact[field];
    if (typeof value === "number" && Number.isFinite(value)) {
      out.push({ field, value, kind: k, change });
    }
  };
  add("value", kind, valueIsChange(fact));
  add("prev", kind);
  // Anomalies carry the metric's weekly values (revenue in currency, leads as counts).
  const anomalyKind = /revenue/.test(fact.id) ? "currency" : "count";
  add("from", anomalyKind);
  add("to", anomalyKind);
  add("change_pct", "pct", true);
  add("change_pts", "pct", true);
  add("change", kind, true);
  add("days", "days");
  add("revenue", "currency");
  add("target", "currency");
  // The forecast's range (P10 low, P90 high) and its top deal's chance, learned from history.
  add("low", kind);
  add("high", kind);
  add("chance_pct", "pct");
  return out;
}

/** Names a fact carries (sources, owners, stages, deals). */
export function factNames(fact: Fact): string[] {
  return [fact.label, fact.owner, fact.stage].filter((n): n is string => !!n);
}

const SYMBOLS: Record<string, string> = { USD: "$", EUR: "€", GBP: "£", INR: "₹", JPY: "¥" };

/** The symbol a currency is written with ("$"), else its code and a space ("CHF "). */
export function currencySymbol(currency: string): string {
  return SYMBOLS[currency] ?? `${currency} `;
}

function grouped(n: number, decimals: number): string {
  return n.toLocaleString("en-US", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/** Up to 3 significant digits with a magnitude suffix ("1.23M", "45.7B") at or above a million. */
function compact(abs: number): string | undefined {
  for (const [scale, suffix] of [[1e12, "T"], [1e9, "B"], [1e6, "M"]] as const) {
    if (abs >= scale) {
      const v = abs / scale;
      return `${grouped(v, v < 10 ? 2 : v < 100 ? 1 : 0)}${suffix}`;
    }
  }
  return undefined;
}

/** A number as the prompt and the rules brief show it, e.g. "$43,380", "$1.23M", "-33.3%". */
export function formatNumber(value: number, kind: NumberKind, currency = "USD"): string {
  const abs = Math.abs(value);
  const sign = value < 0 ? "-" : "";
  const plain = (decimals: number) =>
    grouped(value, abs >= 1000 || Number.isInteger(value) ? 0 : decimals);
  switch (kind) {
    case "pct":
      return `${plain(1)}%`;
    case "currency":
      return `${sign}${currencySymbol(currency)}${compact(abs) ?? grouped(Math.round(abs), 0)}`;
    case "ratio":
      return `${grouped(value, abs >= 100 ? 0 : 2)}x`;
    case "days":
      return `${plain(1)} days`;
    case "hours":
      return `${plain(1)} hours`;
    default:
      return compact(abs) ? `${sign}${compact(abs)}` : plain(1);
  }
}

/** A fact's numbers as text, value first and bare: "$21,705 prev=$2,848 change_pct=662.1%". */
export function describeFact(fact: Fact, currency: string): string {
  return factNumbers(fact)
    .map((n) =>
      `${n.field === "value" ? "" : `${n.field}=`}${
        n.field === "days"
          ? formatNumber(n.value, "count")
          : formatNumber(n.value, n.kind, currency)
      }`
    )
    .join(" ");
}
