/**
 * The independent truth of the pipeline intents (by dimension, closing, stale and slipped deals,
 * new deals, movement, stage conversion): open deals and their stage history from the demo
 * company's records (_ask_truth.ts), never the SQL.
 */
import {
  addDays,
  cents,
  groupBy,
  inside,
  median,
  round2,
  sumCents,
  type Window,
} from "./_ask_truth_calendar.ts";
import { type AskTruth, type Deal, isOpenStage, STAGES } from "./_ask_truth.ts";
import { localDay, pct } from "./_demo_truth.ts";

/** The pipeline truth over the demo company's records. */
export class PipelineTruth {
  constructor(readonly core: AskTruth) {}

  get today(): string {
    return this.core.today;
  }

  window(key: string): Window {
    return this.core.window(key);
  }

  /** The open pipeline split by stage, owner or source. */
  pipelineBy(dimension: "stage" | "owner" | "source") {
    const key = (d: Deal) =>
      (dimension === "stage" ? d.stage : dimension === "owner" ? d.owner : d.source) ?? "(none)";
    return groupBy(this.core.openDeals(this.today), key).map(([name, ds]) => ({
      name,
      ...this.core.pipelineOf(ds),
    }));
  }

  /** Open deals (now) due to close from today to the end of the period; for a past period, the
   * open deals whose Closing_Date falls in it. */
  closingIn(key: string) {
    const w = this.window(key);
    const from = w.key.startsWith("this_") || w.key === "today" ? this.today : w.start;
    // (a next period: all of it, from its start)
    const deals = this.core.openDeals(this.today).filter((d) => inside(d.closing, from, w.fullEnd));
    return { window: w, deals, ...this.core.pipelineOf(deals) };
  }

  /** Open deals idle longer than their stage allows. */
  staleDeals(): Deal[] {
    return this.core.openDeals(this.today).filter((d) =>
      this.core.idleDays(d) > (STAGES[d.stage ?? ""]?.staleDays ?? Infinity)
    );
  }

  /** Open deals whose Closing_Date is before today. */
  slippedDeals(): Deal[] {
    return this.core.openDeals(this.today).filter((d) =>
      d.closing !== null && d.closing < this.today
    );
  }

  /** Deals created in the period (existing at its end) and in the previous equal period. */
  newDeals(key: string) {
    const w = this.window(key);
    const now = this.core.dealsAt(w.asOf);
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

  /** The pipeline of a period (open deals with Closing_Date in the whole calendar period) at its
   * first instant and at the end of as_of, and the deals won and lost in it. */
  pipelineMoves(key: string) {
    const w = this.window(key);
    const startAt = this.core.dayEnd(addDays(w.start, -1));
    const endAt = this.core.dayEnd(w.asOf);
    const inPipeline = (d: Deal, at: number, day: string) => {
      if (d.deletedDay !== null && d.deletedDay <= day) return null;
      const s = this.core.stateAt(d, at);
      return s && isOpenStage(s.stage) && inside(s.closing, w.start, w.fullEnd) ? s : null;
    };
    const start = this.core.deals.map((d) => inPipeline(d, startAt - 1, addDays(w.start, -1)))
      .filter((s) => s !== null);
    const end = this.core.deals.map((d) => inPipeline(d, endAt - 1, w.asOf)).filter((s) =>
      s !== null
    );
    // New: created inside the period and, at the end of as_of, still due in it (open, or closed
    // with Closing_Date in it), at that amount: a deal created and closed inside the period
    // passes through new and won/lost; one created and since pushed past the period never
    // belonged to its pipeline at a point the waterfall looks at.
    const created = this.core.deals.filter((d) =>
      d.createdAt >= startAt && d.createdAt < endAt &&
      (d.deletedDay === null || d.deletedDay > w.asOf)
    ).map((d) => this.core.stateAt(d, endAt - 1)).filter((s) =>
      s !== null && inside(s.closing, w.start, w.fullEnd)
    ) as { amount: number | null }[];
    const won = this.core.closed("won", w.start, w.fullEnd, w.asOf);
    const lost = this.core.closed("lost", w.start, w.fullEnd, w.asOf);
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
    const endAt = this.core.dayEnd(w.asOf);
    const rows = new Map<string, { entered: number; advanced: number; days: number[] }>();
    for (const d of this.core.dealsAt(w.asOf)) {
      const steps = d.history.filter((h) => h.at < endAt);
      steps.forEach((h, i) => {
        if (!isOpenStage(h.stage)) return;
        if (!inside(localDay(h.at, this.core.options.tz), w.start, w.end)) return;
        const pos = STAGES[h.stage]!.position;
        const advanced = steps.slice(i + 1).some((n) =>
          n.stage === "Closed Won" || (isOpenStage(n.stage) && STAGES[n.stage]!.position > pos)
        );
        const r = rows.get(h.stage) ?? { entered: 0, advanced: 0, days: [] };
        r.entered++;
        if (advanced) r.advanced++;
        // A completed stay: from its entry to the next stage change, in days to 2 decimals.
        const next = steps[i + 1];
        if (next) r.days.push(round2((next.at - h.at) / 86400));
        rows.set(h.stage, r);
      });
    }
    return [...rows].map(([stage, r]) => {
      const med = median(r.days);
      return {
        stage,
        entered: r.entered,
        advanced: r.advanced,
        conversionPct: pct(r.advanced, r.entered),
        medianDays: med === null ? null : round2(med),
      };
    }).sort((a, b) => STAGES[a.stage]!.position - STAGES[b.stage]!.position);
  }
}
