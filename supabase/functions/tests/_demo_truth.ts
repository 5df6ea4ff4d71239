/**
 * Independent truth for the demo company: the key numbers of KPI families computed in TypeScript
 * straight from the simulator's dataset (records exactly as Zoho's single-record GET returns them),
 * from the KPI definitions (SQL COMMENTs), never from the SQL code. Compared with the snapshot by
 * demo_truth_test.ts.
 */
import { createDataset } from "../../../scripts/zoho-sim/dataset/dataset.ts";
import { parseDateTime } from "../../../scripts/zoho-sim/dataset/time_format.ts";

type Rec = Record<string, unknown>;

/** Local calendar day (YYYY-MM-DD) of epoch seconds in time zone `tz`. */
export function localDay(epoch: number, tz: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: tz,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(epoch * 1000));
}

/** Percentage rounded to 2 decimals, half away from zero; null when den is 0. */
export function pct(num: number, den: number): number | null {
  if (den === 0) return null;
  // exact decimal rounding of 100*num/den to 2 places: scaled integer arithmetic
  const scaled = (10000 * num) / den;
  return Math.round(scaled + Number.EPSILON * scaled) / 100;
}

/** A lead's conversion: v3+ fields first, then $converted / $converted_detail. */
export function conversionOf(
  lead: Rec,
): { converted: boolean; at: number | null; dealId: string | null } {
  const detail = (lead.$converted_detail ?? null) as Rec | null;
  const v3 = lead.Converted__s;
  const converted = typeof v3 === "boolean" ? v3 : lead.$converted === true;
  const atText = (lead.Converted_Date_Time ?? detail?.converted_date_time ??
    detail?.converted_time ?? null) as string | null;
  const at = atText ? parseDateTime(atText) ?? null : null;
  const deal = (lead.Converted_Deal ?? detail?.deal ?? detail?.Deal ?? null) as Rec | string | null;
  const dealId = deal == null ? null : typeof deal === "object" ? String(deal.id) : String(deal);
  return { converted, at, dealId };
}

export interface CohortRow {
  cohort_month: string;
  leads: number;
  converted: number;
  with_deal: number;
  won: number;
  converted_pct: number | null;
  lead_to_deal_pct: number | null;
  lead_to_won_pct: number | null;
}

export interface Truth {
  cohorts: CohortRow[];
  revenue: { mtd: number; qtd: number; prev_mtd: number; prev_qtd: number };
}

function addMonths(day: string, months: number): string {
  const [y, m] = day.split("-").map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + months, 1));
  return d.toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(day + "T00:00:00Z") + days * 86400_000).toISOString().slice(0, 10);
}

/** Same day-count period shifted back `months` months, capped at that period's month end. */
function prevPeriod(start: string, asOf: string, months: number): [string, string] {
  const pStart = addMonths(start, -months);
  const elapsed = (Date.parse(asOf) - Date.parse(start)) / 86400_000;
  let pEnd = addDays(pStart, elapsed);
  const periodEnd = addDays(start, -1);
  if (pEnd > periodEnd) pEnd = periodEnd;
  return [pStart, pEnd];
}

/** Computes the truth for the demo company of `leads` leads as of `asOf` in time zone `tz`. */
export function computeTruth(
  options: { leads: number; seed?: number; asOf: string; tz: string },
): Truth {
  const { asOf, tz } = options;
  const ds = createDataset({ leads: options.leads, seed: options.seed ?? 42 });
  // end of as_of day, approximated as the start of the next local day (exclusive)
  const alive = (module: string, i: number) => {
    const del = ds.deletion(module, i);
    return !del || localDay(del.deletedAt, tz) > asOf;
  };
  const deals = new Map<string, { rec: Rec; alive: boolean }>();
  for (let k = 0; k < ds.count("Deals"); k++) {
    const rec = ds.record("Deals", k) as Rec;
    deals.set(String(rec.id), { rec, alive: alive("Deals", k) });
  }
  const monthStart = asOf.slice(0, 8) + "01";
  const first = addMonths(monthStart, -11);
  const byMonth = new Map<string, CohortRow>();
  for (let i = 0; i < ds.count("Leads"); i++) {
    if (!alive("Leads", i)) continue;
    const lead = ds.record("Leads", i) as Rec;
    const created = parseDateTime(String(lead.Created_Time));
    if (created == null) continue;
    const day = localDay(created, tz);
    if (day > asOf || day < first) continue;
    const month = day.slice(0, 8) + "01";
    const row = byMonth.get(month) ??
      {
        cohort_month: month,
        leads: 0,
        converted: 0,
        with_deal: 0,
        won: 0,
        converted_pct: null,
        lead_to_deal_pct: null,
        lead_to_won_pct: null,
      };
    byMonth.set(month, row);
    row.leads++;
    const c = conversionOf(lead);
    const conv = c.converted && c.at != null && localDay(c.at, tz) <= asOf;
    if (!conv) continue;
    row.converted++;
    if (c.dealId == null) continue;
    row.with_deal++;
    const d = deals.get(c.dealId);
    if (
      d && d.alive && d.rec.Stage === "Closed Won" && String(d.rec.Closing_Date) <= asOf
    ) row.won++;
  }
  const cohorts = [...byMonth.values()].sort((a, b) =>
    a.cohort_month.localeCompare(b.cohort_month)
  );
  for (const r of cohorts) {
    r.converted_pct = pct(r.converted, r.leads);
    r.lead_to_deal_pct = pct(r.with_deal, r.leads);
    r.lead_to_won_pct = pct(r.won, r.leads);
  }

  // Revenue: Closed Won Amount by Closing_Date, in cents.
  const qMonth = Math.floor((Number(asOf.slice(5, 7)) - 1) / 3) * 3 + 1;
  const qStart = `${asOf.slice(0, 4)}-${String(qMonth).padStart(2, "0")}-01`;
  const [pmStart, pmEnd] = prevPeriod(monthStart, asOf, 1);
  const [pqStart, pqEnd] = prevPeriod(qStart, asOf, 3);
  const cents = { mtd: 0, qtd: 0, prev_mtd: 0, prev_qtd: 0 };
  for (const { rec, alive } of deals.values()) {
    if (!alive || rec.Stage !== "Closed Won" || rec.Closing_Date == null) continue;
    const day = String(rec.Closing_Date);
    const amount = Math.round(Number(rec.Amount ?? 0) * 100);
    if (day >= monthStart && day <= asOf) cents.mtd += amount;
    if (day >= qStart && day <= asOf) cents.qtd += amount;
    if (day >= pmStart && day <= pmEnd) cents.prev_mtd += amount;
    if (day >= pqStart && day <= pqEnd) cents.prev_qtd += amount;
  }
  return {
    cohorts,
    revenue: {
      mtd: cents.mtd / 100,
      qtd: cents.qtd / 100,
      prev_mtd: cents.prev_mtd / 100,
      prev_qtd: cents.prev_qtd / 100,
    },
  };
}

/** Touch time of each activity module: calls when they start, events when held, tasks when made. */
const TOUCH_TIME: Record<string, string> = {
  Calls: "Call_Start_Time",
  Events: "Start_DateTime",
  Tasks: "Created_Time",
};

/** Each lead's first touch (epoch seconds) by the end of as_of, from alive calls/events/tasks. */
function firstTouches(
  ds: ReturnType<typeof createDataset>,
  asOf: string,
  tz: string,
): Map<string, number> {
  const first = new Map<string, number>();
  for (const [module, field] of Object.entries(TOUCH_TIME)) {
    for (let i = 0; i < ds.count(module); i++) {
      const del = ds.deletion(module, i);
      if (del && localDay(del.deletedAt, tz) <= asOf) continue;
      const rec = ds.record(module, i) as Rec;
      if (rec.$se_module !== "Leads" || rec.What_Id == null) continue;
      const at = parseDateTime(String(rec[field] ?? ""));
      if (at == null || localDay(at, tz) > asOf) continue;
      const what = rec.What_Id as Rec | string;
      const id = typeof what === "object" ? String(what.id) : String(what);
      first.set(id, Math.min(first.get(id) ?? Infinity, at));
    }
  }
  return first;
}

/**
 * Data quality over unconverted leads: never touched by as_of; of those created in the last
 * recentDays days, the untouched.
 */
export function computeLeadTouches(
  options: { leads: number; seed?: number; asOf: string; tz: string; recentDays: number },
): { never_touched: number; recent: number; recent_untouched: number } {
  const { asOf, tz } = options;
  const ds = createDataset({ leads: options.leads, seed: options.seed ?? 42 });
  const touched = firstTouches(ds, asOf, tz);
  const recentFrom = addDays(asOf, -options.recentDays);
  let never = 0, recent = 0, recentUntouched = 0;
  for (let i = 0; i < ds.count("Leads"); i++) {
    const del = ds.deletion("Leads", i);
    if (del && localDay(del.deletedAt, tz) <= asOf) continue;
    const lead = ds.record("Leads", i) as Rec;
    const created = parseDateTime(String(lead.Created_Time));
    if (created == null || localDay(created, tz) > asOf) continue;
    const c = conversionOf(lead);
    const conv = c.converted && c.at != null && localDay(c.at, tz) <= asOf;
    const isTouched = touched.has(String(lead.id));
    if (!conv && !isTouched) never++;
    // Recent = unconverted leads created in the last recentDays days (as_of included): a
    // converted lead was dealt with, touched or not.
    if (!conv && localDay(created, tz) > recentFrom) {
      recent++;
      if (!isTouched) recentUntouched++;
    }
  }
  return { never_touched: never, recent, recent_untouched: recentUntouched };
}

/**
 * First contact of the leads created this month to date (alive at the end of as_of): touched =
 * a call (Call_Start_Time), event (Start_DateTime) or task (Created_Time) on the lead by the end
 * of as_of; hours from the lead's creation to the first (negative as 0, 2 decimals); the median
 * of an even count is the mean of the two middle values; within 1 h as a share of the touched.
 */
export function computeLeadResponseMtd(
  options: { leads: number; seed?: number; asOf: string; tz: string },
): { leads: number; touched: number; median_hours: number | null; within_1h_pct: number | null } {
  const { asOf, tz } = options;
  const ds = createDataset({ leads: options.leads, seed: options.seed ?? 42 });
  const first = firstTouches(ds, asOf, tz);
  const monthStart = `${asOf.slice(0, 7)}-01`;
  const hours: number[] = [];
  let leads = 0;
  for (let i = 0; i < ds.count("Leads"); i++) {
    const del = ds.deletion("Leads", i);
    if (del && localDay(del.deletedAt, tz) <= asOf) continue;
    const lead = ds.record("Leads", i) as Rec;
    const created = parseDateTime(String(lead.Created_Time));
    if (created == null) continue;
    const day = localDay(created, tz);
    if (day < monthStart || day > asOf) continue;
    leads++;
    const f = first.get(String(lead.id));
    if (f !== undefined) hours.push(Math.round(Math.max(f - created, 0) / 36) / 100);
  }
  hours.sort((a, b) => a - b);
  const n = hours.length;
  const median = n === 0
    ? null
    : Math.round(((hours[Math.floor((n - 1) / 2)]! + hours[Math.ceil((n - 1) / 2)]!) / 2) * 100) /
      100;
  return {
    leads,
    touched: n,
    median_hours: median,
    within_1h_pct: pct(hours.filter((h) => h <= 1).length, n),
  };
}
