/**
 * Independent truth, by source: anomaly flags, cohort conversion per source, leads created and open
 * deals (the stage and waterfall truth is _demo_truth_stages.ts, whose helpers these reuse).
 */
import { createDataset } from "../../../scripts/zoho-sim/dataset/dataset.ts";
import { parseDateTime } from "../../../scripts/zoho-sim/dataset/time_format.ts";
import { conversionOf, localDay, pct } from "./_demo_truth.ts";
import {
  addDays,
  addMonths,
  dayStart,
  median,
  picklist,
  Rec,
  round2,
  stagePath,
} from "./_demo_truth_stages.ts";

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
