/**
 * The independent truth of the revenue intents (revenue, by source, leaderboard, trend, win rate,
 * lost deals, deal size, sales cycle, velocity) and of the forecast: Closed Won and Lost deals by
 * their Closing_Date, from the demo company's records (_ask_truth.ts), never the SQL.
 */
import {
  addDays,
  addMonths,
  cents,
  daysBetween,
  groupBy,
  inside,
  median,
  round2,
  sumCents,
  type Window,
} from "./_ask_truth_calendar.ts";
import type { AskTruth } from "./_ask_truth.ts";
import { pct } from "./_demo_truth.ts";

/** The revenue truth over the demo company's records. */
export class RevenueTruth {
  constructor(readonly core: AskTruth) {}

  get today(): string {
    return this.core.today;
  }

  window(key: string): Window {
    return this.core.window(key);
  }

  /** Revenue of a period and of its previous equal period; target of its quarter (if any). */
  revenue(key: string, targets: Record<string, number> = {}) {
    const w = this.window(key);
    const won = this.core.closed("won", w.start, w.end, w.asOf);
    const prev = this.core.closed("won", w.prevStart, w.prevEnd, w.asOf);
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
    const won = this.core.closed("won", w.start, w.end, w.asOf);
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
    const won = this.core.closed("won", w.start, w.end, w.asOf);
    const lost = this.core.closed("lost", w.start, w.end, w.asOf);
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
      const won = this.core.closed("won", month, end < this.today ? end : this.today, this.today);
      return { month, revenue: sumCents(won) / 100, wonDeals: won.length };
    });
  }

  /** Win rate by count and by Amount of deals closing in the period. */
  winRate(key: string) {
    const w = this.window(key);
    const won = this.core.closed("won", w.start, w.end, w.asOf);
    const lost = this.core.closed("lost", w.start, w.end, w.asOf);
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
    const lost = this.core.closed("lost", w.start, w.end, w.asOf);
    const reasons = groupBy(lost.filter((d) => d.reason), (d) => d.reason!)
      .map(([reason, ds]) => ({ reason, deals: ds.length }))
      .sort((a, b) => b.deals - a.deals);
    return { window: w, lost: lost.length, amount: sumCents(lost) / 100, reasons };
  }

  /** Won deal size (average, median) and created → closed days of deals won in the period. */
  dealSize(key: string) {
    const w = this.window(key);
    const won = this.core.closed("won", w.start, w.end, w.asOf);
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
    const won = this.core.closed("won", w.start, w.end, w.asOf);
    const lost = this.core.closed("lost", w.start, w.end, w.asOf);
    const open = this.core.openDeals(this.today).length;
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

  /** This quarter: won to date, weighted open pipeline closing in it, target, gap, coverage. */
  forecast(target: number | null) {
    const w = this.window("this_quarter");
    const won = sumCents(this.core.closed("won", w.start, w.end, w.asOf)) / 100;
    const open = this.core.openDeals(this.today).filter((d) =>
      inside(d.closing, w.start, w.fullEnd)
    );
    const p = this.core.pipelineOf(open);
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
}
