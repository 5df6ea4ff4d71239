/** The periods a question can name; `ask.period_window` in SQL maps each to an as_of/period pair. */
import { z } from "zod";

/** Every period key, in the order help lists them. */
export const PERIODS = [
  "today",
  "yesterday",
  "this_week",
  "last_week",
  "this_month",
  "last_month",
  "this_quarter",
  "last_quarter",
  "this_year",
  "last_year",
  "last_12_months",
] as const;

/** Periods ahead of today, which a question may name ("deals closing next month"): only the
 * deals due to close have figures for them; every other answer says it cannot give them. */
export const NEXT_PERIODS = ["next_week", "next_month", "next_quarter", "next_year"] as const;

/** A period key a question may name. */
export type Period = (typeof PERIODS)[number] | (typeof NEXT_PERIODS)[number];

/** Zod schema of a period key an answer has figures for (today and before). */
export const PeriodSchema = z.enum(PERIODS);

/** Zod schema of a period key deals may be due to close in: the ones before and ahead. */
export const ClosingPeriodSchema = z.enum([...PERIODS, ...NEXT_PERIODS]);

/** Periods that are calendar periods to date (everything except the trailing 12 months). */
export const CALENDAR_PERIODS = PERIODS.filter((p) => p !== "last_12_months");

/** The words a reply uses for a period. */
export function periodLabel(period: Period): string {
  return period === "last_12_months" ? "the last 12 months" : period.replace("_", " ");
}
