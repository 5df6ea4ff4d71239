/**
 * Independent truth for the WhatsApp intents on the demo company: the figures each intent's reply
 * states, computed in TypeScript straight from the simulator's dataset (records exactly as Zoho's
 * single-record GET returns them) for a question's period and its previous period. Definitions
 * come from the KPI docs (SQL COMMENTs, analytics/rules.sql conventions) and from what the Zoho
 * fields mean, never from the SQL code. Compared with the replies by ask_truth_test.ts.
 *
 * Conventions (rules.sql): periods are calendar periods in the company time zone, weeks from
 * Monday; "this X" runs from the start of X to as_of, "last X" is the whole previous X; the
 * previous equal period has the same number of days from the start of the previous period,
 * capped at its end. A record counts when created by the end of the period's last day and not
 * deleted by then; fields are their current values. Closed in period = Closing_Date in it.
 */
import { createDataset } from "../../../scripts/zoho-sim/dataset/dataset.ts";
import { parseDateTime } from "../../../scripts/zoho-sim/dataset/time_format.ts";
import { computeLeadTouches, computeTruth, conversionOf, localDay, pct } from "./_demo_truth.ts";

type Rec = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Calendar

/** Day arithmetic on "YYYY-MM-DD". */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(day + "T00:00:00Z") + days * 86400_000).toISOString().slice(0, 10);
}

/** Same day of month `months` later (clamped by Date: fine for the 1st of a month). */
function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1 + months, d)).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86400_000);
}

/** The Monday of the ISO week of `day`. */
function monday(day: string): string {
  const dow = new Date(day + "T00:00:00Z").getUTCDay(); // 0 = Sunday
  return addDays(day, -((dow + 6) % 7));
}

/** Start of the calendar unit holding `day`. */
function unitStart(day: string, unit: "day" | "week" | "month" | "quarter" | "year"): string {
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

function unitShift(day: string, unit: "day" | "week" | "month" | "quarter" | "year", n: number) {
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
    // "last X": the whole previous X, i.e. X to date as of its last day.
    asOf = which === "this" ? today : addDays(unitStart(today, unit), -1);
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

const inside = (day: string | null, from: string, to: string) =>
  day !== null && day >= from && day <= to;

/** Money in cents, summed exactly. */
const cents = (amount: number | null) => Math.round((amount ?? 0) * 100);

/** Median of sorted-or-not values: the mean of the lower and upper middle ones. */
function median(values: number[]): number | null {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  return (v[Math.floor((v.length - 1) / 2)]! + v[Math.ceil((v.length - 1) / 2)]!) / 2;
}

const round2 = (x: number) => Math.round((x + Number.EPSILON * Math.abs(x)) * 100) / 100;

// ---------------------------------------------------------------------------------------------
// The demo company as plain records

/** Zoho's standard stage → probability mapping, pipeline order and stale-after days. */
export const STAGES: Record<string, { position: number; probability: number; staleDays?: number }> =
  {
    "Qualification": { position: 1, probability: 10, staleDays: 14 },
    "Needs Analysis": { position: 2, probability: 20, staleDays: 14 },
    "Value Proposition": { position: 3, probability: 40, staleDays: 10 },
    "Id. Decision Makers": { position: 4, probability: 60, staleDays: 10 },
    "Perception Analysis": { position: 5, probability: 70, staleDays: 7 },
    "Proposal/Price Quote": { position: 6, probability: 75, staleDays: 5 },
    "Negotiation/Review": { position: 7, probability: 90, staleDays: 3 },
    "Closed Won": { position: 8, probability: 100 },
    "Closed Lost": { position: 9, probability: 0 },
    "Closed Lost to Competition": { position: 10, probability: 0 },
  };
const isOpenStage = (stage: string | null) => stage !== null && !stage.startsWith("Closed");
const isLostStage = (stage: string | null) => stage !== null && stage.startsWith("Closed Lost");

/** A deal as the truth reads it. */
export interface Deal {
  id: string;
  name: string;
  owner: string | null;
  source: string | null;
  stage: string | null;
  amount: number | null;
  probability: number | null;
  closing: string | null;
  createdAt: number;
  createdDay: string;
  modifiedAt: number;
  /** Local day the deal was deleted (null: never). */
  deletedDay: string | null;
  reason: string | null;
  campaignId: string | null;
  /** Stage history, oldest first: the deal's state from `at` on. */
  history: { at: number; stage: string; amount: number | null; closing: string | null }[];
}

interface Lead {
  id: string;
  source: string | null;
  owner: string | null;
  createdAt: number;
  createdDay: string;
  deletedDay: string | null;
  convertedDay: string | null;
}

const nameOf = (v: unknown) =>
  v && typeof v === "object" ? String((v as Rec).name ?? "") || null : null;
const idOf = (v: unknown) =>
  v == null ? null : typeof v === "object" ? String((v as Rec).id) : String(v);
const numOrNull = (v: unknown) => (v == null || v === "" ? null : Number(v));
const textOrNull = (v: unknown) => (v == null || v === "" ? null : String(v));

/** Touch time of each activity module: calls when they start, events when held, tasks when made. */
const TOUCH_TIME: Record<string, string> = {
  Calls: "Call_Start_Time",
  Events: "Start_DateTime",
  Tasks: "Created_Time",
};

/** The demo company's records, read once; every figure below is computed from these. */
export class AskTruth {
  readonly deals: Deal[] = [];
  readonly leads: Lead[] = [];
  readonly campaigns: { id: string; start: string | null; cost: number; channel: string | null }[] =
    [];
  /** Activities on a lead or deal: what (record id), when (touch time), deleted day. */
  readonly touches: { what: string; module: string; at: number; deletedDay: string | null }[] = [];

  constructor(readonly options: { leads: number; seed?: number; today: string; tz: string }) {
    const { tz } = options;
    const ds = createDataset({ leads: options.leads, seed: options.seed ?? 42 });
    const deleted = (module: string, i: number) => {
      const del = ds.deletion(module, i);
      return del ? localDay(del.deletedAt, tz) : null;
    };
    for (let k = 0; k < ds.count("Deals"); k++) {
      const r = ds.record("Deals", k) as Rec;
      const createdAt = parseDateTime(String(r.Created_Time))!;
      const history = ds.stageHistory(k).map((h) => ({
        at: parseDateTime(String(h.Modified_Time))!,
        stage: String(h.Stage),
        amount: numOrNull(h.Amount),
        closing: textOrNull(h.Closing_Date),
      })).sort((a, b) => a.at - b.at);
      this.deals.push({
        id: String(r.id),
        name: String(r.Deal_Name ?? ""),
        owner: nameOf(r.Owner),
        source: textOrNull(r.Lead_Source),
        stage: textOrNull(r.Stage),
        amount: numOrNull(r.Amount),
        probability: numOrNull(r.Probability),
        closing: textOrNull(r.Closing_Date),
        createdAt,
        createdDay: localDay(createdAt, tz),
        modifiedAt: parseDateTime(String(r.Modified_Time)) ?? createdAt,
        deletedDay: deleted("Deals", k),
        reason: textOrNull(r.Reason_For_Loss__s),
        campaignId: idOf(r.Campaign_Source),
        history,
      });
    }
    for (let i = 0; i < ds.count("Leads"); i++) {
      const r = ds.record("Leads", i) as Rec;
      const createdAt = parseDateTime(String(r.Created_Time));
      if (createdAt == null) continue;
      const c = conversionOf(r);
      this.leads.push({
        id: String(r.id),
        source: textOrNull(r.Lead_Source),
        owner: nameOf(r.Owner),
        createdAt,
        createdDay: localDay(createdAt, tz),
        deletedDay: deleted("Leads", i),
        convertedDay: c.converted && c.at != null ? localDay(c.at, tz) : null,
      });
    }
    for (let i = 0; i < ds.count("Campaigns"); i++) {
      const r = ds.record("Campaigns", i) as Rec;
      if (deleted("Campaigns", i)) continue;
      this.campaigns.push({
        id: String(r.id),
        start: textOrNull(r.Start_Date),
        cost: Number(r.Actual_Cost ?? 0),
        channel: textOrNull(r.Channel),
      });
    }
    for (const [module, field] of Object.entries(TOUCH_TIME)) {
      for (let i = 0; i < ds.count(module); i++) {
        const r = ds.record(module, i) as Rec;
        const what = idOf(r.What_Id);
        const at = parseDateTime(String(r[field] ?? ""));
        if (what == null || at == null) continue;
        this.touches.push({
          what,
          module: String(r.$se_module ?? ""),
          at,
          deletedDay: deleted(module, i),
        });
      }
    }
  }

  get today(): string {
    return this.options.today;
  }

  /** The instant (epoch seconds) `day` ends in the company time zone (UTC offset of that day). */
  dayEnd(day: string): number {
    const next = Date.parse(addDays(day, 1) + "T00:00:00Z") / 1000;
    // offset of the zone at that instant: local wall time − UTC
    const wall = new Date(next * 1000).toLocaleString("sv-SE", { timeZone: this.options.tz });
    const offset = Date.parse(wall.replace(" ", "T") + "Z") / 1000 - next;
    return next - offset;
  }

  window(key: string): Window {
    return windowOf(key, this.today);
  }

  /** Deals that exist at the end of `day`. */
  dealsAt(day: string): Deal[] {
    return this.deals.filter((d) =>
      d.createdDay <= day && (d.deletedDay === null || d.deletedDay > day)
    );
  }

  /** Leads that exist at the end of `day`. */
  leadsAt(day: string): Lead[] {
    return this.leads.filter((l) =>
      l.createdDay <= day && (l.deletedDay === null || l.deletedDay > day)
    );
  }

  /** A deal's probability: its own, else the stage's standard one. */
  probability(d: Deal): number {
    return d.probability ?? STAGES[d.stage ?? ""]?.probability ?? 0;
  }

  // -------------------------------------------------------------------------------------------
  // Revenue and outcomes

  /** Deals won (lost) with Closing_Date in [from, to], existing at the end of `asOf`. */
  closed(kind: "won" | "lost", from: string, to: string, asOf: string): Deal[] {
    return this.dealsAt(asOf).filter((d) =>
      (kind === "won" ? d.stage === "Closed Won" : isLostStage(d.stage)) &&
      inside(d.closing, from, to)
    );
  }

  /** Revenue of a period and of its previous equal period; target of its quarter (if any). */
  revenue(key: string, targets: Record<string, number> = {}) {
    const w = this.window(key);
    const won = this.closed("won", w.start, w.end, w.asOf);
    const prev = this.closed("won", w.prevStart, w.prevEnd, w.asOf);
    const revenue = sumCents(won) / 100;
    const prevRevenue = sumCents(prev) / 100;
    // A target is a quarter's: a quarter's period has its own, a year the sum of its quarters.
    let target: number | null = null;
    if (key.endsWith("quarter")) target = targets[w.start] ?? null;
    if (key.endsWith("year")) {
      const qs = [0, 3, 6, 9].map((m) => addMonths(w.start, m)).filter((q) => q in targets);
      target = qs.length ? qs.reduce((s, q) => s + targets[q]!, 0) : null;
    }
    return {
      window: w,
      revenue,
      wonDeals: won.length,
      prevRevenue,
      growthPct: pct(cents(revenue) - cents(prevRevenue), cents(prevRevenue)),
      target,
      attainmentPct: target === null ? null : pct(cents(revenue), cents(target)),
    };
  }

  /** Closed Won revenue and deals per lead source in a period, with its share of the total. */
  revenueBySource(key: string) {
    const w = this.window(key);
    const won = this.closed("won", w.start, w.end, w.asOf);
    const total = sumCents(won);
    return groupBy(won, (d) => d.source ?? "(none)").map(([source, ds]) => ({
      source,
      revenue: sumCents(ds) / 100,
      wonDeals: ds.length,
      sharePct: pct(sumCents(ds), total),
    }));
  }

  /** Won revenue per owner with won, lost and win rate (by count), revenue largest first. */
  leaderboard(key: string) {
    const w = this.window(key);
    const won = this.closed("won", w.start, w.end, w.asOf);
    const lost = this.closed("lost", w.start, w.end, w.asOf);
    const owners = new Set([...won, ...lost].map((d) => d.owner ?? "(none)"));
    return [...owners].map((owner) => {
      const ow = won.filter((d) => (d.owner ?? "(none)") === owner);
      const ol = lost.filter((d) => (d.owner ?? "(none)") === owner);
      return {
        owner,
        revenue: sumCents(ow) / 100,
        won: ow.length,
        lost: ol.length,
        winRatePct: pct(ow.length, ow.length + ol.length),
      };
    }).sort((a, b) => b.revenue - a.revenue);
  }

  /** Closed Won revenue per calendar month, the last `months` months (this one to date). */
  revenueTrend(months: number) {
    const thisMonth = this.today.slice(0, 8) + "01";
    return Array.from({ length: months }, (_, i) => {
      const month = addMonths(thisMonth, i - months + 1);
      const end = addDays(addMonths(month, 1), -1);
      const won = this.closed("won", month, end < this.today ? end : this.today, this.today);
      return { month, revenue: sumCents(won) / 100, wonDeals: won.length };
    });
  }

  /** Win rate by count and by Amount of deals closing in the period. */
  winRate(key: string) {
    const w = this.window(key);
    const won = this.closed("won", w.start, w.end, w.asOf);
    const lost = this.closed("lost", w.start, w.end, w.asOf);
    return {
      window: w,
      won: won.length,
      lost: lost.length,
      wonAmount: sumCents(won) / 100,
      lostAmount: sumCents(lost) / 100,
      countPct: pct(won.length, won.length + lost.length),
      valuePct: pct(sumCents(won), sumCents(won) + sumCents(lost)),
    };
  }

  /** Lost deals of the period, their amount and the count per loss reason (most first). */
  lostDeals(key: string) {
    const w = this.window(key);
    const lost = this.closed("lost", w.start, w.end, w.asOf);
    const reasons = groupBy(lost.filter((d) => d.reason), (d) => d.reason!)
      .map(([reason, ds]) => ({ reason, deals: ds.length }))
      .sort((a, b) => b.deals - a.deals);
    return { window: w, lost: lost.length, amount: sumCents(lost) / 100, reasons };
  }

  /** Won deal size (average, median) and created → closed days of deals won in the period. */
  dealSize(key: string) {
    const w = this.window(key);
    const won = this.closed("won", w.start, w.end, w.asOf);
    const amounts = won.filter((d) => d.amount !== null).map((d) => d.amount!);
    const cycles = won.map((d) => daysBetween(d.createdDay, d.closing!));
    const avg = (
      v: number[],
    ) => (v.length ? round2(v.reduce((s, x) => s + x, 0) / v.length) : null);
    return {
      window: w,
      wonDeals: won.length,
      avgAmount: avg(amounts),
      medianAmount: median(amounts),
      avgCycleDays: avg(cycles),
      medianCycleDays: median(cycles),
    };
  }

  /** Sales velocity: open deals now × t12m win rate × t12m average won size ÷ t12m average cycle. */
  salesVelocity() {
    const w = this.window("last_12_months");
    const won = this.closed("won", w.start, w.end, w.asOf);
    const lost = this.closed("lost", w.start, w.end, w.asOf);
    const open = this.openDeals(this.today).length;
    const rate = won.length / (won.length + lost.length);
    const sizes = won.filter((d) => d.amount !== null).map((d) => d.amount!);
    const size = sizes.reduce((s, x) => s + x, 0) / sizes.length;
    const cycle = won.reduce((s, d) => s + daysBetween(d.createdDay, d.closing!), 0) / won.length;
    return {
      openDeals: open,
      winRatePct: pct(won.length, won.length + lost.length),
      avgDealSize: round2(size),
      avgCycleDays: round2(cycle),
      velocityPerDay: round2((open * rate * size) / cycle),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Pipeline

  /** Open deals existing at the end of `day` (current fields). */
  openDeals(day: string): Deal[] {
    return this.dealsAt(day).filter((d) => isOpenStage(d.stage));
  }

  /** Count, Amount and probability-weighted Amount of deals. */
  pipelineOf(deals: Deal[]) {
    const weighted = deals.reduce((s, d) => s + cents(d.amount) * this.probability(d), 0) / 100;
    return {
      openDeals: deals.length,
      amount: sumCents(deals) / 100,
      weighted: Math.round(weighted) / 100,
    };
  }

  /** The open pipeline split by stage, owner or source. */
  pipelineBy(dimension: "stage" | "owner" | "source") {
    const key = (d: Deal) =>
      (dimension === "stage" ? d.stage : dimension === "owner" ? d.owner : d.source) ?? "(none)";
    return groupBy(this.openDeals(this.today), key).map(([name, ds]) => ({
      name,
      ...this.pipelineOf(ds),
    }));
  }

  /** This quarter: won to date, weighted open pipeline closing in it, target, gap, coverage. */
  forecast(target: number | null) {
    const w = this.window("this_quarter");
    const won = sumCents(this.closed("won", w.start, w.end, w.asOf)) / 100;
    const open = this.openDeals(this.today).filter((d) => inside(d.closing, w.start, w.fullEnd));
    const p = this.pipelineOf(open);
    const forecast = round2(won + p.weighted);
    const remaining = target === null ? null : Math.max(target - won, 0);
    return {
      quarterEnd: w.fullEnd,
      won,
      openPipeline: p.amount,
      weighted: p.weighted,
      forecast,
      target,
      remaining,
      gap: target === null ? null : round2(target - forecast),
      coverage: remaining ? round2(p.amount / remaining) : null,
    };
  }

  /** Open deals (now) due to close from today to the end of the period; for a past period, the
   * open deals whose Closing_Date falls in it. */
  closingIn(key: string) {
    const w = this.window(key);
    const from = w.key.startsWith("this_") || w.key === "today" ? this.today : w.start;
    const deals = this.openDeals(this.today).filter((d) => inside(d.closing, from, w.fullEnd));
    return { window: w, deals, ...this.pipelineOf(deals) };
  }

  /** When each deal last changed or had a call/task/event, by the end of `day`. */
  lastMoved(d: Deal, day: string): number {
    const end = this.dayEnd(day);
    let last = d.modifiedAt <= end ? d.modifiedAt : d.createdAt;
    for (const t of this.touchesOf(d.id)) {
      if (t.at <= end && (t.deletedDay === null || t.deletedDay > day)) last = Math.max(last, t.at);
    }
    return last;
  }

  private touchIndex?: Map<string, AskTruth["touches"]>;
  private touchesOf(id: string) {
    if (!this.touchIndex) {
      this.touchIndex = new Map();
      for (const t of this.touches) {
        const list = this.touchIndex.get(t.what) ?? [];
        list.push(t);
        this.touchIndex.set(t.what, list);
      }
    }
    return this.touchIndex.get(id) ?? [];
  }

  /** Days (2 decimals) from a deal's last change or activity to the end of today. */
  idleDays(d: Deal): number {
    return round2((this.dayEnd(this.today) - this.lastMoved(d, this.today)) / 86400);
  }

  /** Open deals idle longer than their stage allows. */
  staleDeals(): Deal[] {
    return this.openDeals(this.today).filter((d) =>
      this.idleDays(d) > (STAGES[d.stage ?? ""]?.staleDays ?? Infinity)
    );
  }

  /** Open deals whose Closing_Date is before today. */
  slippedDeals(): Deal[] {
    return this.openDeals(this.today).filter((d) => d.closing !== null && d.closing < this.today);
  }

  /** Deals created in the period (existing at its end) and in the previous equal period. */
  newDeals(key: string) {
    const w = this.window(key);
    const now = this.dealsAt(w.asOf);
    const cur = now.filter((d) => inside(d.createdDay, w.start, w.end));
    const prev = now.filter((d) => inside(d.createdDay, w.prevStart, w.prevEnd));
    return {
      window: w,
      deals: cur.length,
      amount: sumCents(cur) / 100,
      prevDeals: prev.length,
      prevAmount: sumCents(prev) / 100,
    };
  }

  /** A deal's state at an instant from its stage history (null before it existed). */
  stateAt(d: Deal, at: number) {
    let state: Deal["history"][number] | null = null;
    for (const h of d.history) if (h.at <= at) state = h;
    return state;
  }

  /** The pipeline of a period (open deals with Closing_Date in the whole calendar period) at its
   * first instant and at the end of as_of, and the deals won and lost in it. */
  pipelineMoves(key: string) {
    const w = this.window(key);
    const startAt = this.dayEnd(addDays(w.start, -1));
    const endAt = this.dayEnd(w.asOf);
    const inPipeline = (d: Deal, at: number, day: string) => {
      if (d.deletedDay !== null && d.deletedDay <= day) return null;
      const s = this.stateAt(d, at);
      return s && isOpenStage(s.stage) && inside(s.closing, w.start, w.fullEnd) ? s : null;
    };
    const start = this.deals.map((d) => inPipeline(d, startAt - 1, addDays(w.start, -1)))
      .filter((s) => s !== null);
    const end = this.deals.map((d) => inPipeline(d, endAt - 1, w.asOf)).filter((s) => s !== null);
    // New: created inside the period and, at the end of as_of, still due in it (open, or closed
    // with Closing_Date in it), at that amount: a deal created and closed inside the period
    // passes through new and won/lost; one created and since pushed past the period never
    // belonged to its pipeline at a point the waterfall looks at.
    const created = this.deals.filter((d) =>
      d.createdAt >= startAt && d.createdAt < endAt &&
      (d.deletedDay === null || d.deletedDay > w.asOf)
    ).map((d) => this.stateAt(d, endAt - 1)).filter((s) =>
      s !== null && inside(s.closing, w.start, w.fullEnd)
    ) as { amount: number | null }[];
    const won = this.closed("won", w.start, w.fullEnd, w.asOf);
    const lost = this.closed("lost", w.start, w.fullEnd, w.asOf);
    const sum = (ss: { amount: number | null }[]) =>
      ss.reduce((s, x) => s + cents(x.amount), 0) / 100;
    return {
      window: w,
      start: { deals: start.length, amount: sum(start) },
      new: { deals: created.length, amount: sum(created) },
      end: { deals: end.length, amount: sum(end) },
      won: { deals: won.length, amount: sumCents(won) / 100 },
      lost: { deals: lost.length, amount: sumCents(lost) / 100 },
    };
  }

  /** Per open stage: entries into it in the period and how many later reached a further stage
   * (a higher open stage or Closed Won) by the end of as_of. */
  stageConversion(key: string) {
    const w = this.window(key);
    const endAt = this.dayEnd(w.asOf);
    const rows = new Map<string, { entered: number; advanced: number }>();
    for (const d of this.dealsAt(w.asOf)) {
      const steps = d.history.filter((h) => h.at < endAt);
      steps.forEach((h, i) => {
        if (!isOpenStage(h.stage)) return;
        if (!inside(localDay(h.at, this.options.tz), w.start, w.end)) return;
        const pos = STAGES[h.stage]!.position;
        const advanced = steps.slice(i + 1).some((n) =>
          n.stage === "Closed Won" || (isOpenStage(n.stage) && STAGES[n.stage]!.position > pos)
        );
        const r = rows.get(h.stage) ?? { entered: 0, advanced: 0 };
        r.entered++;
        if (advanced) r.advanced++;
        rows.set(h.stage, r);
      });
    }
    return [...rows].map(([stage, r]) => ({
      stage,
      ...r,
      conversionPct: pct(r.advanced, r.entered),
    })).sort((a, b) => STAGES[a.stage]!.position - STAGES[b.stage]!.position);
  }

  // -------------------------------------------------------------------------------------------
  // Leads

  /** Leads created in [from, to] existing at the end of `asOf`. */
  leadsIn(from: string, to: string, asOf: string): Lead[] {
    return this.leadsAt(asOf).filter((l) => inside(l.createdDay, from, to));
  }

  /** Leads of a period and of its previous equal period, all or of one source / owner. */
  leadCount(key: string, filter: { source?: string; owner?: string } = {}) {
    const w = this.window(key);
    const keep = (l: Lead) =>
      (filter.source === undefined || l.source === filter.source) &&
      (filter.owner === undefined || l.owner === filter.owner);
    const leads = this.leadsIn(w.start, w.end, w.asOf).filter(keep).length;
    const prev = this.leadsIn(w.prevStart, w.prevEnd, w.asOf).filter(keep).length;
    return { window: w, leads, prev, growthPct: pct(leads - prev, prev) };
  }

  /** Leads per source (owner) in the period and the previous equal period; share of the total. */
  leadsBy(key: string, dimension: "source" | "owner") {
    const w = this.window(key);
    const name = (l: Lead) => (dimension === "source" ? l.source : l.owner) ?? "(none)";
    const cur = this.leadsIn(w.start, w.end, w.asOf);
    const prev = this.leadsIn(w.prevStart, w.prevEnd, w.asOf);
    const names = new Set([...cur, ...prev].map(name));
    return [...names].map((n) => {
      const leads = cur.filter((l) => name(l) === n).length;
      return {
        name: n,
        leads,
        prev: prev.filter((l) => name(l) === n).length,
        sharePct: pct(leads, cur.length),
      };
    });
  }

  /** Each lead's first call/task/event by the end of `day`. */
  firstTouches(day: string): Map<string, number> {
    const end = this.dayEnd(day);
    const first = new Map<string, number>();
    for (const t of this.touches) {
      if (t.module !== "Leads" || t.at >= end) continue;
      if (t.deletedDay !== null && t.deletedDay <= day) continue;
      first.set(t.what, Math.min(first.get(t.what) ?? Infinity, t.at));
    }
    return first;
  }

  /** Speed to lead of the leads created in the period: hours to the first touch. */
  responseTime(key: string) {
    const w = this.window(key);
    const first = this.firstTouches(w.asOf);
    const leads = this.leadsIn(w.start, w.end, w.asOf);
    const seconds = leads.filter((l) => first.has(l.id)).map((l) =>
      Math.max(first.get(l.id)! - l.createdAt, 0)
    );
    // Each lead's hours to 2 decimals (as _demo_truth's first-contact truth), then median/mean.
    const hours = seconds.map((s) => Math.round(s / 36) / 100);
    const avg = hours.length ? round2(hours.reduce((s, x) => s + x, 0) / hours.length) : null;
    const med = median(hours);
    return {
      window: w,
      leads: leads.length,
      touched: hours.length,
      untouched: leads.length - hours.length,
      medianHours: med === null ? null : round2(med),
      avgHours: avg,
      within1hPct: pct(seconds.filter((s) => s <= 3600).length, seconds.length),
    };
  }

  /** Open (unconverted) leads, those never touched, and the recent ones (last `days` days). */
  untouched(days: number) {
    const open = this.leadsAt(this.today).filter((l) =>
      l.convertedDay === null || l.convertedDay > this.today
    );
    const t = computeLeadTouches({
      leads: this.options.leads,
      seed: this.options.seed,
      asOf: this.today,
      tz: this.options.tz,
      recentDays: days,
    });
    return {
      openLeads: open.length,
      neverTouched: t.never_touched,
      neverTouchedPct: pct(t.never_touched, open.length),
      recentLeads: t.recent,
      recentUntouched: t.recent_untouched,
      recentPct: pct(t.recent_untouched, t.recent),
    };
  }

  /** Open deals failing each hygiene check (of all open deals). */
  dealHygiene() {
    const open = this.openDeals(this.today);
    const count = (f: (d: Deal) => boolean) => ({
      count: open.filter(f).length,
      total: open.length,
      pct: pct(open.filter(f).length, open.length),
    });
    return {
      "open deals without amount": count((d) => d.amount === null),
      "open deals at zero": count((d) => d.amount === 0),
      "open deals without closing date": count((d) => d.closing === null),
      "open deals without owner": count((d) => d.owner === null),
      "open deals without source": count((d) => d.source === null),
    };
  }

  /** Monthly lead cohorts (the last `months`), deal and won conversion; maturing = younger than
   * `maturityDays` after the cohort month's last day. */
  leadConversion(months: number, maturityDays: number) {
    const { cohorts } = computeTruth({
      leads: this.options.leads,
      seed: this.options.seed,
      asOf: this.today,
      tz: this.options.tz,
    });
    return cohorts.slice(-months).reverse().map((c) => ({
      ...c,
      incomplete: addDays(addDays(addMonths(c.cohort_month, 1), -1), maturityDays) > this.today,
    }));
  }

  /** Per source: campaign cost (campaigns starting in the period, by the channel they ran on),
   * leads created, won deals and revenue (deals' Lead_Source), ROI. */
  sourceRoi(key: string) {
    const w = this.window(key);
    const leads = this.leadsIn(w.start, w.end, w.asOf);
    const won = this.closed("won", w.start, w.end, w.asOf);
    const costs = this.campaigns.filter((c) => inside(c.start, w.start, w.end));
    const sources = new Set([
      ...leads.map((l) => l.source ?? "(none)"),
      ...won.map((d) => d.source ?? "(none)"),
      ...costs.map((c) => c.channel ?? "(none)"),
    ]);
    return [...sources].map((source) => {
      const cost = costs.filter((c) => (c.channel ?? "(none)") === source)
        .reduce((s, c) => s + cents(c.cost), 0);
      const ws = won.filter((d) => (d.source ?? "(none)") === source);
      return {
        source,
        cost: cost / 100,
        leads: leads.filter((l) => (l.source ?? "(none)") === source).length,
        wonDeals: ws.length,
        revenue: sumCents(ws) / 100,
        roiPct: pct(sumCents(ws) - cost, cost),
      };
    });
  }

  /** Per source, this rolling week's (the 7 days to today) and the week before's leads and won
   * deals: a week can only be unusual with volume (min leads, min won deals in either week). */
  weeklyVolume() {
    const t = this.today;
    const week = (from: string, to: string) => {
      const leads = groupBy(this.leadsIn(from, to, t), (l) => l.source ?? "(none)");
      const won = groupBy(this.closed("won", from, to, t), (d) => d.source ?? "(none)");
      return {
        leads: new Map(leads.map(([k, v]) => [k, v.length])),
        won: new Map(won.map(([k, v]) => [k, v.length])),
      };
    };
    return { thisWeek: week(addDays(t, -6), t), lastWeek: week(addDays(t, -13), addDays(t, -7)) };
  }
}

function sumCents(deals: Deal[]): number {
  return deals.reduce((s, d) => s + cents(d.amount), 0);
}

function groupBy<T>(items: T[], key: (t: T) => string): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k) ?? [];
    list.push(it);
    m.set(k, list);
  }
  return [...m];
}
