/**
 * Independent truth for the WhatsApp intents on the demo company: the figures each intent's reply
 * states, computed in TypeScript straight from the simulator's dataset (records exactly as Zoho's
 * single-record GET returns them) for a question's period and its previous period. Definitions
 * come from the KPI docs (SQL COMMENTs, analytics/rules.sql conventions) and from what the Zoho
 * fields mean, never from the SQL code. Compared with the replies by the ask_truth_<family>_test.ts
 * files. This module reads the records and holds what every family shares; each intent family's
 * figures are a class over it (_ask_truth_revenue.ts, _ask_truth_leads.ts, _ask_truth_pipeline.ts).
 *
 * Conventions (rules.sql): periods are calendar periods in the company time zone, weeks from
 * Monday; "this X" runs from the start of X to as_of, "last X" is the whole previous X; the
 * previous equal period has the same number of days from the start of the previous period,
 * capped at its end. A record counts when created by the end of the period's last day and not
 * deleted by then; fields are their current values. Closed in period = Closing_Date in it.
 */
import { createDataset } from "../../../scripts/zoho-sim/dataset/dataset.ts";
import { parseDateTime } from "../../../scripts/zoho-sim/dataset/time_format.ts";
import { conversionOf, localDay } from "./_demo_truth.ts";
import {
  addDays,
  cents,
  inside,
  round2,
  sumCents,
  type Window,
  windowOf,
} from "./_ask_truth_calendar.ts";

export { addDays, type Window, windowOf } from "./_ask_truth_calendar.ts";

type Rec = Record<string, unknown>;

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
/** Whether a stage is open (not Closed Won or Lost). */
export const isOpenStage = (stage: string | null) => stage !== null && !stage.startsWith("Closed");
/** Whether a stage is a Closed Lost one. */
export const isLostStage = (stage: string | null) =>
  stage !== null && stage.startsWith("Closed Lost");

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

/** A lead as the truth reads it. */
export interface Lead {
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

  /** Deals won (lost) with Closing_Date in [from, to], existing at the end of `asOf`. */
  closed(kind: "won" | "lost", from: string, to: string, asOf: string): Deal[] {
    return this.dealsAt(asOf).filter((d) =>
      (kind === "won" ? d.stage === "Closed Won" : isLostStage(d.stage)) &&
      inside(d.closing, from, to)
    );
  }

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

  /** A deal's state at an instant from its stage history (null before it existed). */
  stateAt(d: Deal, at: number) {
    let state: Deal["history"][number] | null = null;
    for (const h of d.history) if (h.at <= at) state = h;
    return state;
  }

  /** Leads created in [from, to] existing at the end of `asOf`. */
  leadsIn(from: string, to: string, asOf: string): Lead[] {
    return this.leadsAt(asOf).filter((l) => inside(l.createdDay, from, to));
  }
}
