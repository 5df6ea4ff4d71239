/**
 * Calendar periods and exact arithmetic for the WhatsApp intents' independent truth
 * (_ask_truth.ts): a question's period and its previous equal period, per the conventions of
 * analytics/rules.sql (calendar periods in the company time zone, weeks from Monday).
 */
// ---------------------------------------------------------------------------------------------
// Calendar

/** Day arithmetic on "YYYY-MM-DD". */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(day + "T00:00:00Z") + days * 86400_000).toISOString().slice(0, 10);
}

/** Same day of month `months` later (clamped by Date: fine for the 1st of a month). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1 + months, d)).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86400_000);
}

/** The Monday of the ISO week of `day`. */
export function monday(day: string): string {
  const dow = new Date(day + "T00:00:00Z").getUTCDay(); // 0 = Sunday
  return addDays(day, -((dow + 6) % 7));
}

/** Start of the calendar unit holding `day`. */
export function unitStart(
  day: string,
  unit: "day" | "week" | "month" | "quarter" | "year",
): string {
  switch (unit) {
    case "day":
      return day;
    case "week":
      return monday(day);
    case "month":
      return day.slice(0, 8) + "01";
    case "quarter": {
      const m = Math.floor((Number(day.slice(5, 7)) - 1) / 3) * 3 + 1;
      return `${day.slice(0, 4)}-${String(m).padStart(2, "0")}-01`;
    }
    case "year":
      return day.slice(0, 4) + "-01-01";
  }
}

export function unitShift(
  day: string,
  unit: "day" | "week" | "month" | "quarter" | "year",
  n: number,
) {
  if (unit === "day") return addDays(day, n);
  if (unit === "week") return addDays(day, 7 * n);
  return addMonths(day, n * (unit === "month" ? 1 : unit === "quarter" ? 3 : 12));
}

/** A question's period: inclusive days, the previous equal period, and the reply's label. */
export interface Window {
  key: string;
  label: string;
  /** The last day counted (the period's as_of). */
  asOf: string;
  start: string;
  end: string;
  prevStart: string;
  prevEnd: string;
  /** Last day of the whole calendar period (= end for "last" periods and t12m). */
  fullEnd: string;
}

const UNITS = {
  day: "day",
  week: "week",
  month: "month",
  quarter: "quarter",
  year: "year",
} as const;

/** The window a question period names, as of `today`. */
export function windowOf(key: string, today: string): Window {
  if (key === "last_12_months") {
    const start = addMonths(addDays(today, 1), -12);
    const prevStart = addMonths(addDays(today, 1), -24);
    return {
      key,
      label: "the last 12 months",
      asOf: today,
      start,
      end: today,
      prevStart,
      prevEnd: addDays(start, -1),
      fullEnd: today,
    };
  }
  let unit: keyof typeof UNITS;
  let asOf: string;
  if (key === "today" || key === "yesterday") {
    unit = "day";
    asOf = key === "today" ? today : addDays(today, -1);
  } else {
    const [which, u] = key.split("_") as [string, keyof typeof UNITS];
    unit = u;
    // "last X": the whole previous X, i.e. X to date as of its last day; "next X": the whole
    // next X, as of its last day.
    asOf = which === "this"
      ? today
      : which === "next"
      ? addDays(unitShift(unitStart(today, unit), unit, 2), -1)
      : addDays(unitStart(today, unit), -1);
  }
  const start = unitStart(asOf, unit);
  const prevStart = unitShift(start, unit, -1);
  const elapsed = daysBetween(start, asOf);
  let prevEnd = addDays(prevStart, elapsed);
  if (prevEnd > addDays(start, -1)) prevEnd = addDays(start, -1);
  return {
    key,
    label: key.replace("_", " "),
    asOf,
    start,
    end: asOf,
    prevStart,
    prevEnd,
    fullEnd: addDays(unitShift(start, unit, 1), -1),
  };
}

export const inside = (day: string | null, from: string, to: string) =>
  day !== null && day >= from && day <= to;

/** Money in cents, summed exactly. */
export const cents = (amount: number | null) => Math.round((amount ?? 0) * 100);

/** Median of sorted-or-not values: the mean of the lower and upper middle ones. */
export function median(values: number[]): number | null {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  return (v[Math.floor((v.length - 1) / 2)]! + v[Math.ceil((v.length - 1) / 2)]!) / 2;
}

export const round2 = (x: number) => Math.round((x + Number.EPSILON * Math.abs(x)) * 100) / 100;

/** Sum of the Amounts of `deals`, in cents (exact). */
export function sumCents(deals: { amount: number | null }[]): number {
  return deals.reduce((s, d) => s + cents(d.amount), 0);
}

/** `items` grouped by `key`, groups in order of first appearance. */
export function groupBy<T>(items: T[], key: (t: T) => string): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k) ?? [];
    list.push(it);
    m.set(k, list);
  }
  return [...m];
}
