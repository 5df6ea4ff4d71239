/**
 * Independent truth for the stage-history panels of the demo company (issue 21 item 4): stage
 * conversion and days per stage, the pipeline waterfall, week-over-week source anomalies and
 * per-source cohort conversion, computed in TypeScript from the simulator's dataset (records and
 * each deal's Stage_History related list exactly as Zoho returns them) and from the KPI
 * definitions (SQL COMMENTs, analytics/rules.sql conventions), never from the SQL code. Compared
 * with the snapshot by demo_truth_stages_test.ts.
 */
import { createDataset } from "../../../scripts/zoho-sim/dataset/dataset.ts";
import { parseDateTime } from "../../../scripts/zoho-sim/dataset/time_format.ts";
import { pct } from "./_demo_truth.ts";

export type Rec = Record<string, unknown>;
export type Dataset = ReturnType<typeof createDataset>;

/** A stage of analytics.stage_settings: order and whether deals in it are open. */
export interface StageSetting {
  stage: string;
  position: number;
  is_open: boolean;
}

/** Zoho's standard Deals stages (the analytics.stage_settings defaults). */
export const DEFAULT_STAGES: StageSetting[] = [
  "Qualification",
  "Needs Analysis",
  "Value Proposition",
  "Id. Decision Makers",
  "Perception Analysis",
  "Proposal/Price Quote",
  "Negotiation/Review",
].map((stage, i) => ({ stage, position: i + 1, is_open: true } as StageSetting)).concat([
  { stage: "Closed Won", position: 8, is_open: false },
  { stage: "Closed Lost", position: 9, is_open: false },
  { stage: "Closed Lost to Competition", position: 10, is_open: false },
]);

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(day + "T00:00:00Z") + days * 86400_000).toISOString().slice(0, 10);
}

export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  // clamp to the month's last day (Postgres date + interval does the same)
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** Epoch seconds of local midnight starting `day` in time zone `tz`. */
export function dayStart(day: string, tz: string): number {
  const utc = Date.parse(day + "T00:00:00Z") / 1000;
  // offset of tz at an instant: local wall clock − UTC
  const offsetAt = (t: number) => {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }).formatToParts(new Date(t * 1000));
    const get = (k: string) => Number(parts.find((p) => p.type === k)!.value);
    const wall = Date.UTC(
      get("year"),
      get("month") - 1,
      get("day"),
      get("hour"),
      get("minute"),
      get("second"),
    ) /
      1000;
    return wall - t;
  };
  let t = utc - offsetAt(utc);
  t = utc - offsetAt(t);
  return t;
}

/** Round half away from zero to 2 decimals of a non-negative or negative number. */
export function round2(v: number): number {
  const s = Math.round(Math.abs(v) * 100 + 1e-9) / 100;
  return v < 0 ? -s : s;
}

/** Exact median (mean of the lower and upper middle values) of sorted numbers; null if none. */
export function median(sorted: number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  return (sorted[Math.floor((n - 1) / 2)]! + sorted[Math.ceil((n - 1) / 2)]!) / 2;
}

/** The Zoho picklist value, null for empty and -None-. */
export function picklist(v: unknown): string | null {
  if (v == null || v === "" || v === "-None-") return null;
  return String(v);
}

/** One stay of a deal's stage path: entered `stage` at `at` (epoch s), as of the deal's fields then. */
export interface Entry {
  at: number;
  stage: string;
  amount: number;
  closing: string | null;
}

/**
 * A deal's stage path: its Stage_History rows (each a stay that began at the row's Modified_Time,
 * with the deal's Amount and Closing_Date then) merged with its current record (the stage it is in
 * since its Modified_Time), in time order; a row repeating the stage the deal was already in is no
 * new entry.
 */
export function stagePath(ds: Dataset, k: number): Entry[] {
  const rows: Rec[] = [...(ds.stageHistory(k) as Rec[]), ds.record("Deals", k) as Rec];
  const all: Entry[] = [];
  for (const r of rows) {
    const at = parseDateTime(String(r.Modified_Time ?? ""));
    const stage = picklist(r.Stage);
    if (at == null || stage == null) continue;
    const amount = r.Amount == null ? 0 : Math.round(Number(r.Amount) * 100);
    all.push({
      at,
      stage,
      amount,
      closing: r.Closing_Date == null ? null : String(r.Closing_Date),
    });
  }
  all.sort((a, b) => a.at - b.at);
  const out: Entry[] = [];
  for (const e of all) {
    const last = out[out.length - 1];
    if (last && last.stage === e.stage) continue;
    out.push(e);
  }
  return out;
}

export interface StageRow {
  stage: string;
  entered: number;
  advanced: number;
  conversion_pct: number | null;
  completed_stays: number;
  avg_days_in_stage: number | null;
  median_days_in_stage: number | null;
}

/**
 * Stage conversion over the last 12 months (entries from the first instant of the t12m period to
 * the end of as_of): of the entries into each open stage, those that later (by as_of) reached a
 * further stage (a higher open position or Closed Won); days in stage = entry to the next stage
 * change by as_of (completed stays only), each stay rounded to 2 decimals; average and exact
 * median of them, 2 decimals.
 */
export function computeStageConversion(
  options: { leads: number; seed?: number; asOf: string; tz: string; stages?: StageSetting[] },
): StageRow[] {
  const { asOf, tz } = options;
  const stages = options.stages ?? DEFAULT_STAGES;
  const ds = createDataset({ leads: options.leads, seed: options.seed ?? 42 });
  const progress = new Map(
    stages.filter((s) => s.is_open || s.stage === "Closed Won").map((s) => [s.stage, s.position]),
  );
  const t1 = dayStart(addDays(asOf, 1), tz);
  const t0 = dayStart(addMonths(addDays(asOf, 1), -12), tz);
  const acc = new Map<string, { entered: number; advanced: number; days: number[] }>();
  for (let k = 0; k < ds.count("Deals"); k++) {
    const path = stagePath(ds, k).filter((e) => e.at < t1);
    path.forEach((e, i) => {
      if (e.at < t0) return;
      const p = progress.get(e.stage);
      if (p === undefined) return;
      const a = acc.get(e.stage) ?? { entered: 0, advanced: 0, days: [] };
      acc.set(e.stage, a);
      a.entered++;
      if (path.slice(i + 1).some((l) => (progress.get(l.stage) ?? -Infinity) > p)) a.advanced++;
      const next = path[i + 1];
      if (next) a.days.push(Math.round((next.at - e.at) / 864) / 100);
    });
  }
  return stages.filter((s) => s.is_open).sort((a, b) => a.position - b.position).map((s) => {
    const a = acc.get(s.stage) ?? { entered: 0, advanced: 0, days: [] };
    const days = [...a.days].sort((x, y) => x - y);
    const hundredths = days.reduce((sum, d) => sum + Math.round(d * 100), 0);
    const med = median(days);
    return {
      stage: s.stage,
      entered: a.entered,
      advanced: a.advanced,
      conversion_pct: pct(a.advanced, a.entered),
      completed_stays: days.length,
      avg_days_in_stage: days.length ? Math.round(hundredths / days.length) / 100 : null,
      median_days_in_stage: med === null ? null : round2(med),
    };
  });
}

export interface WaterfallTruth {
  start: { deals: number; amount: number };
  new: { deals: number; amount: number };
  moved_in: { deals: number; amount: number };
  changed: { deals: number; amount: number };
  won: { deals: number; amount: number };
  lost: { deals: number; amount: number };
  moved_out: { deals: number; amount: number };
  removed: { deals: number; amount: number };
  end: { deals: number; amount: number };
}

/** Calendar period of as_of: its first day and the day after it ends. */
export function calendarPeriod(asOf: string, period: "mtd" | "qtd"): [string, string] {
  const month = Number(asOf.slice(5, 7));
  const first = period === "mtd" ? month : Math.floor((month - 1) / 3) * 3 + 1;
  const start = `${asOf.slice(0, 4)}-${String(first).padStart(2, "0")}-01`;
  return [start, addMonths(start, period === "mtd" ? 1 : 3)];
}

/**
 * The pipeline waterfall of the month or quarter: the pipeline = open deals whose Closing_Date
 * falls in the whole calendar period; start = as it stood at the period's first instant, end = at
 * the end of as_of, each deal as its stage path says it was then (amount and closing date of the
 * stay current then; a deal not yet created is absent). Between them each deal is counted once per
 * move: new (absent at the start), moved in (existed, outside the pipeline), won / lost (closed in
 * the period: in the pipeline at the start or closing in it, and not already closed at the
 * start), moved out (left the pipeline otherwise), deleted; amount changes of deals that stay are
 * "changed". Deals created and closed inside the period pass through new and won/lost. Amounts in
 * dollars (exits and entries at their amount at the end, deletions at the start amount).
 */
export function computeWaterfall(
  options: { leads: number; seed?: number; asOf: string; tz: string; period: "mtd" | "qtd" },
): WaterfallTruth {
  const { asOf, tz } = options;
  const ds = createDataset({ leads: options.leads, seed: options.seed ?? 42 });
  const [start, end] = calendarPeriod(asOf, options.period);
  const t0 = dayStart(start, tz);
  const t1 = dayStart(addDays(asOf, 1), tz);
  const acc: Record<string, { deals: number; cents: number }> = {};
  for (
    const s of ["start", "new", "moved_in", "changed", "won", "lost", "moved_out", "removed", "end"]
  ) {
    acc[s] = { deals: 0, cents: 0 };
  }
  const add = (step: string, cents: number) => {
    acc[step]!.deals++;
    acc[step]!.cents += cents;
  };
  const inWindow = (e: Entry) => e.closing !== null && e.closing >= start && e.closing < end;
  for (let k = 0; k < ds.count("Deals"); k++) {
    const path = stagePath(ds, k);
    const del = ds.deletion("Deals", k);
    // the stay current at the instant (at t0 inclusive; at the end of as_of, entered before it)
    const at = (t: number, inclusive: boolean): Entry | null => {
      if (del && del.deletedAt <= t) return null;
      let cur: Entry | null = null;
      for (const e of path) if (inclusive ? e.at <= t : e.at < t) cur = e;
      return cur;
    };
    const s0 = at(t0, true), s1 = at(t1, false);
    const open = (e: Entry | null) => e !== null && !e.stage.startsWith("Closed");
    const in0 = open(s0) && inWindow(s0!), in1 = open(s1) && inWindow(s1!);
    const closed0 = s0 !== null && s0.stage.startsWith("Closed") &&
      (s0.stage === "Closed Won" || s0.stage.startsWith("Closed Lost"));
    const won1 = s1?.stage === "Closed Won";
    const lost1 = s1 !== null && s1.stage.startsWith("Closed Lost");
    const closesIn = s1 !== null && inWindow(s1);
    const a0 = s0?.amount ?? 0, a1 = s1?.amount ?? 0;
    const closedHere = (in0 || closesIn) && !closed0;
    let entered = false;
    if (in0) add("start", a0);
    else if (in1 || (closesIn && (won1 || lost1) && !closed0)) {
      add(s0 === null ? "new" : "moved_in", a1);
      entered = true;
    }
    if (in1) {
      if (in0 && a1 !== a0) add("changed", a1 - a0);
      add("end", a1);
      continue;
    }
    if (!in0 && !entered) continue;
    if (in0 && s1 === null) add("removed", a0);
    else {
      if (in0 && a1 !== a0) add("changed", a1 - a0);
      if (closedHere && won1) add("won", a1);
      else if (closedHere && lost1) add("lost", a1);
      else if (in0) add("moved_out", a1);
    }
  }
  const out = {} as Record<string, { deals: number; amount: number }>;
  for (const [k, v] of Object.entries(acc)) out[k] = { deals: v.deals, amount: v.cents / 100 };
  return out as unknown as WaterfallTruth;
}
