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
import { conversionOf, localDay, pct } from "./_demo_truth.ts";

type Rec = Record<string, unknown>;
type Dataset = ReturnType<typeof createDataset>;

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

function addDays(day: string, days: number): string {
  return new Date(Date.parse(day + "T00:00:00Z") + days * 86400_000).toISOString().slice(0, 10);
}

function addMonths(day: string, months: number): string {
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
function round2(v: number): number {
  const s = Math.round(Math.abs(v) * 100 + 1e-9) / 100;
  return v < 0 ? -s : s;
}

/** Exact median (mean of the lower and upper middle values) of sorted numbers; null if none. */
function median(sorted: number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  return (sorted[Math.floor((n - 1) / 2)]! + sorted[Math.ceil((n - 1) / 2)]!) / 2;
}

/** The Zoho picklist value, null for empty and -None-. */
function picklist(v: unknown): string | null {
  if (v == null || v === "" || v === "-None-") return null;
  return String(v);
}

/** One stay of a deal's stage path: entered `stage` at `at` (epoch s), as of the deal's fields then. */
interface Entry {
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
function stagePath(ds: Dataset, k: number): Entry[] {
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
function calendarPeriod(asOf: string, period: "mtd" | "qtd"): [string, string] {
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

export interface AnomalyTruth {
  metric: "leads" | "won_revenue";
  lead_source: string;
  value: number;
  prev_value: number;
  records: number;
  prev_records: number;
  scale: number;
  robust_z: number;
  is_anomaly: boolean;
}

/**
 * Week-over-week anomalies by source for leads created (alive at the end of as_of) and Closed Won
 * revenue (by Closing_Date, deals created by as_of and alive): rolling 7-day weeks ending as_of
 * (week 0 = the 7 days to as_of); change = a week's value − the week before's; over the previous
 * `weeks` changes (weeks 1..weeks) the exact median change, MAD = exact median |change − median|,
 * scale = max(1.4826 × MAD, 10% of the mean weekly value of those weeks, one unit: a lead, or the
 * median won deal amount (> 0) over all sources in the window); robust z of this week's change =
 * (change − median) ÷ scale, 2 decimals, capped at ±10; flagged when |z| (uncapped) > threshold
 * and this or last week has min_count leads (min_deals won deals). Sources seen in the window
 * (weeks 0..weeks+1) only; '(none)' for no source.
 */
export function computeAnomalies(
  options: {
    leads: number;
    seed?: number;
    asOf: string;
    tz: string;
    weeks: number;
    threshold: number;
    minCount: number;
    minDeals: number;
  },
): AnomalyTruth[] {
  const { asOf, tz, weeks } = options;
  const ds = createDataset({ leads: options.leads, seed: options.seed ?? 42 });
  const t1 = dayStart(addDays(asOf, 1), tz);
  const asOfMs = Date.parse(asOf + "T00:00:00Z");
  const weekOf = (day: string) =>
    Math.floor((asOfMs - Date.parse(day + "T00:00:00Z")) / 86400_000 / 7);
  // metric → source → per-week [value, count]
  const grid = new Map<string, Map<string, { v: number[]; n: number[] }>>();
  const wonAmounts: number[] = [];
  const observe = (metric: string, src: string, day: string, v: number) => {
    if (day > asOf) return;
    const w = weekOf(day);
    if (w > weeks + 1) return;
    const m = grid.get(metric) ?? new Map();
    grid.set(metric, m);
    const g = m.get(src) ?? { v: Array(weeks + 2).fill(0), n: Array(weeks + 2).fill(0) };
    m.set(src, g);
    g.v[w] += v;
    g.n[w]++;
    if (metric === "won_revenue" && v > 0) wonAmounts.push(v);
  };
  for (let i = 0; i < ds.count("Leads"); i++) {
    const del = ds.deletion("Leads", i);
    if (del && del.deletedAt < t1) continue;
    const lead = ds.record("Leads", i) as Rec;
    const created = parseDateTime(String(lead.Created_Time));
    if (created == null) continue;
    observe("leads", picklist(lead.Lead_Source) ?? "(none)", localDay(created, tz), 1);
  }
  for (let k = 0; k < ds.count("Deals"); k++) {
    const del = ds.deletion("Deals", k);
    if (del && del.deletedAt < t1) continue;
    const deal = ds.record("Deals", k) as Rec;
    if (deal.Stage !== "Closed Won" || deal.Closing_Date == null) continue;
    const created = parseDateTime(String(deal.Created_Time));
    if (created == null || localDay(created, tz) > asOf) continue;
    observe(
      "won_revenue",
      picklist(deal.Lead_Source) ?? "(none)",
      String(deal.Closing_Date),
      deal.Amount == null ? 0 : Number(deal.Amount),
    );
  }
  const unit: Record<string, number> = {
    leads: 1,
    won_revenue: median([...wonAmounts].sort((a, b) => a - b)) ?? 1,
  };
  const out: AnomalyTruth[] = [];
  for (const metric of ["leads", "won_revenue"] as const) {
    const m = grid.get(metric);
    if (!m) continue;
    for (const src of [...m.keys()].sort()) {
      const g = m.get(src)!;
      const change = (w: number) => g.v[w]! - g.v[w + 1]!;
      const past = Array.from({ length: weeks }, (_, j) => change(j + 1)).sort((a, b) => a - b);
      const med = median(past)!;
      const mad = median(past.map((c) => Math.abs(c - med)).sort((a, b) => a - b))!;
      const level = g.v.slice(1, weeks + 1).reduce((s, v) => s + v, 0) / weeks;
      const scale = Math.max(1.4826 * mad, 0.1 * level, unit[metric]!);
      const z = (change(0) - med) / scale;
      const min = metric === "leads" ? options.minCount : options.minDeals;
      out.push({
        metric,
        lead_source: src,
        value: g.v[0]!,
        prev_value: g.v[1]!,
        records: g.n[0]!,
        prev_records: g.n[1]!,
        scale: round2(scale),
        robust_z: Math.max(-10, Math.min(10, round2(z))),
        is_anomaly: Math.abs(z) > options.threshold && Math.max(g.n[0]!, g.n[1]!) >= min,
      });
    }
  }
  return out;
}

export interface SourceCohortRow {
  cohort_month: string;
  key: string;
  leads: number;
  converted: number;
  with_deal: number;
  won: number;
  converted_pct: number | null;
  lead_to_deal_pct: number | null;
  lead_to_won_pct: number | null;
}

/**
 * Cohort conversion by lead-created month and Lead_Source ('(none)' when empty) over the 12
 * months to as_of: leads alive at the end of as_of; converted by as_of; with a deal (the lead's
 * converted deal); won = that deal is alive, Closed Won with Closing_Date by as_of. Percentages of
 * the cohort's leads.
 */
export function computeSourceCohorts(
  options: { leads: number; seed?: number; asOf: string; tz: string },
): SourceCohortRow[] {
  const { asOf, tz } = options;
  const ds = createDataset({ leads: options.leads, seed: options.seed ?? 42 });
  const t1 = dayStart(addDays(asOf, 1), tz);
  const deals = new Map<string, Rec>();
  for (let k = 0; k < ds.count("Deals"); k++) {
    const del = ds.deletion("Deals", k);
    if (del && del.deletedAt < t1) continue;
    const rec = ds.record("Deals", k) as Rec;
    deals.set(String(rec.id), rec);
  }
  const first = addMonths(asOf.slice(0, 8) + "01", -11);
  const rows = new Map<string, SourceCohortRow>();
  for (let i = 0; i < ds.count("Leads"); i++) {
    const del = ds.deletion("Leads", i);
    if (del && del.deletedAt < t1) continue;
    const lead = ds.record("Leads", i) as Rec;
    const created = parseDateTime(String(lead.Created_Time));
    if (created == null) continue;
    const day = localDay(created, tz);
    if (day > asOf || day < first) continue;
    const month = day.slice(0, 8) + "01";
    const key = picklist(lead.Lead_Source) ?? "(none)";
    const id = `${month}|${key}`;
    const row = rows.get(id) ?? {
      cohort_month: month,
      key,
      leads: 0,
      converted: 0,
      with_deal: 0,
      won: 0,
      converted_pct: null,
      lead_to_deal_pct: null,
      lead_to_won_pct: null,
    };
    rows.set(id, row);
    row.leads++;
    const c = conversionOf(lead);
    if (!c.converted || c.at == null || localDay(c.at, tz) > asOf) continue;
    row.converted++;
    if (c.dealId == null) continue;
    row.with_deal++;
    const d = deals.get(c.dealId);
    if (d && d.Stage === "Closed Won" && d.Closing_Date != null && String(d.Closing_Date) <= asOf) {
      row.won++;
    }
  }
  const out = [...rows.values()].sort((a, b) =>
    a.cohort_month.localeCompare(b.cohort_month) || a.key.localeCompare(b.key)
  );
  for (const r of out) {
    r.converted_pct = pct(r.converted, r.leads);
    r.lead_to_deal_pct = pct(r.with_deal, r.leads);
    r.lead_to_won_pct = pct(r.won, r.leads);
  }
  return out;
}

/** Leads created in [from, asOf] (company days), alive at the end of as_of. */
export function countLeadsCreated(
  options: { leads: number; seed?: number; from: string; asOf: string; tz: string },
): number {
  const { asOf, tz, from } = options;
  const ds = createDataset({ leads: options.leads, seed: options.seed ?? 42 });
  const t1 = dayStart(addDays(asOf, 1), tz);
  let n = 0;
  for (let i = 0; i < ds.count("Leads"); i++) {
    const del = ds.deletion("Leads", i);
    if (del && del.deletedAt < t1) continue;
    const created = parseDateTime(String((ds.record("Leads", i) as Rec).Created_Time));
    if (created == null) continue;
    const day = localDay(created, tz);
    if (day >= from && day <= asOf) n++;
  }
  return n;
}

export interface OpenDealTruth {
  stage: string;
  amount: number | null;
  closing_date: string | null;
  days_in_stage: number;
  slipped: boolean;
}

/**
 * Open deals at the end of as_of (current record not Closed, created by as_of, alive) by id: their
 * stage, Amount, Closing_Date, days since they entered the current stage (its latest entry by
 * as_of in the stage path, else the deal's creation; 2 decimals) and whether the Closing_Date
 * has passed (slipped: before as_of).
 */
export function computeOpenDeals(
  options: { leads: number; seed?: number; asOf: string; tz: string },
): Map<string, OpenDealTruth> {
  const { asOf, tz } = options;
  const ds = createDataset({ leads: options.leads, seed: options.seed ?? 42 });
  const t1 = dayStart(addDays(asOf, 1), tz);
  const out = new Map<string, OpenDealTruth>();
  for (let k = 0; k < ds.count("Deals"); k++) {
    const del = ds.deletion("Deals", k);
    if (del && del.deletedAt < t1) continue;
    const deal = ds.record("Deals", k) as Rec;
    const stage = picklist(deal.Stage);
    const created = parseDateTime(String(deal.Created_Time));
    if (stage == null || stage.startsWith("Closed") || created == null) continue;
    if (localDay(created, tz) > asOf) continue;
    const path = stagePath(ds, k).filter((e) => e.at < t1);
    const last = path[path.length - 1];
    const since = last && last.stage === stage ? last.at : created;
    const closing = deal.Closing_Date == null ? null : String(deal.Closing_Date);
    out.set(String(deal.id), {
      stage,
      amount: deal.Amount == null ? null : Number(deal.Amount),
      closing_date: closing,
      days_in_stage: Math.round((t1 - since) / 864) / 100,
      slipped: closing !== null && closing < asOf,
    });
  }
  return out;
}
