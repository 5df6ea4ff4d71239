/**
 * The independent truth of the lead intents (counts, by source and rep, speed to lead, untouched
 * leads, data quality, conversion, source ROI, unusual weeks): leads, their activities and
 * campaigns from the demo company's records (_ask_truth.ts), never the SQL.
 */
import {
  addDays,
  addMonths,
  cents,
  groupBy,
  inside,
  median,
  round2,
  sumCents,
  type Window,
} from "./_ask_truth_calendar.ts";
import type { AskTruth, Deal, Lead } from "./_ask_truth.ts";
import { computeLeadTouches, computeTruth, pct } from "./_demo_truth.ts";
import { computeSourceCohorts } from "./_demo_truth_sources.ts";

/** The leads truth over the demo company's records. */
export class LeadsTruth {
  constructor(readonly core: AskTruth) {}

  get today(): string {
    return this.core.today;
  }

  window(key: string): Window {
    return this.core.window(key);
  }

  /** Leads of a period and of its previous equal period, all or of one source / owner. */
  leadCount(key: string, filter: { source?: string; owner?: string } = {}) {
    const w = this.window(key);
    const keep = (l: Lead) =>
      (filter.source === undefined || l.source === filter.source) &&
      (filter.owner === undefined || l.owner === filter.owner);
    const leads = this.core.leadsIn(w.start, w.end, w.asOf).filter(keep).length;
    const prev = this.core.leadsIn(w.prevStart, w.prevEnd, w.asOf).filter(keep).length;
    return { window: w, leads, prev, growthPct: pct(leads - prev, prev) };
  }

  /** Leads per source (owner) in the period and the previous equal period; share of the total. */
  leadsBy(key: string, dimension: "source" | "owner") {
    const w = this.window(key);
    const name = (l: Lead) => (dimension === "source" ? l.source : l.owner) ?? "(none)";
    const cur = this.core.leadsIn(w.start, w.end, w.asOf);
    const prev = this.core.leadsIn(w.prevStart, w.prevEnd, w.asOf);
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
    const end = this.core.dayEnd(day);
    const first = new Map<string, number>();
    for (const t of this.core.touches) {
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
    const leads = this.core.leadsIn(w.start, w.end, w.asOf);
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
    const open = this.core.leadsAt(this.today).filter((l) =>
      l.convertedDay === null || l.convertedDay > this.today
    );
    const t = computeLeadTouches({
      leads: this.core.options.leads,
      seed: this.core.options.seed,
      asOf: this.today,
      tz: this.core.options.tz,
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
    const open = this.core.openDeals(this.today);
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
      leads: this.core.options.leads,
      seed: this.core.options.seed,
      asOf: this.today,
      tz: this.core.options.tz,
    });
    return cohorts.slice(-months).reverse().map((c) => ({
      ...c,
      incomplete: addDays(addDays(addMonths(c.cohort_month, 1), -1), maturityDays) > this.today,
    }));
  }

  /** Per source: the period's monthly lead cohorts (from the period's first month, at most the
   * 12 months to its as_of) summed; best lead → won first, then lead → deal, leads, name. */
  leadConversionBySource(key: string) {
    const w = this.window(key);
    const first = w.start.slice(0, 8) + "01";
    const rows = computeSourceCohorts({
      leads: this.core.options.leads,
      seed: this.core.options.seed,
      asOf: w.asOf,
      tz: this.core.options.tz,
    }).filter((r) => r.cohort_month >= first);
    const oldest = addMonths(w.asOf.slice(0, 8) + "01", -11);
    const firstMonth = first > oldest ? first : oldest;
    const sources = groupBy(rows, (r) => r.key).map(([source, rs]) => {
      const leads = rs.reduce((n, r) => n + r.leads, 0);
      const withDeal = rs.reduce((n, r) => n + r.with_deal, 0);
      const won = rs.reduce((n, r) => n + r.won, 0);
      return {
        source,
        leads,
        withDeal,
        won,
        toDealPct: pct(withDeal, leads),
        toWonPct: pct(won, leads),
      };
    }).sort((a, b) =>
      (b.toWonPct ?? -1) - (a.toWonPct ?? -1) || (b.toDealPct ?? -1) - (a.toDealPct ?? -1) ||
      b.leads - a.leads || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0)
    );
    return { window: w, firstMonth, sources };
  }

  /** Per source: campaign cost (campaigns starting in the period, by the channel they ran on),
   * leads created, won deals and revenue (deals' Lead_Source), ROI. */
  sourceRoi(key: string) {
    const w = this.window(key);
    const leads = this.core.leadsIn(w.start, w.end, w.asOf);
    const won = this.core.closed("won", w.start, w.end, w.asOf);
    const costs = this.core.campaigns.filter((c) => inside(c.start, w.start, w.end));
    const sources = new Set([
      ...leads.map((l) => l.source ?? "(none)"),
      ...won.map((d) => d.source ?? "(none)"),
      ...costs.map((c) => c.channel ?? "(none)"),
    ]);
    return [...sources].map((source) => {
      const cost = costs.filter((c) => (c.channel ?? "(none)") === source)
        .reduce((s, c) => s + cents(c.cost), 0);
      const ws = won.filter((d) => (d.source ?? "(none)") === source);
      const leadsOf = leads.filter((l) => (l.source ?? "(none)") === source).length;
      return {
        source,
        cost: cost / 100,
        leads: leadsOf,
        wonDeals: ws.length,
        revenue: sumCents(ws) / 100,
        roiPct: pct(sumCents(ws) - cost, cost),
        // cents per lead, rounded half up (exact: a tie is a whole half-cent)
        costPerLead: leadsOf === 0 ? null : Math.round(cost / leadsOf) / 100,
      };
    });
  }

  /** Per source, this rolling week's (the 7 days to today) and the week before's leads and won
   * deals: a week can only be unusual with volume (min leads, min won deals in either week). */
  weeklyVolume() {
    const t = this.today;
    const week = (from: string, to: string) => {
      const leads = groupBy(this.core.leadsIn(from, to, t), (l) => l.source ?? "(none)");
      const won = groupBy(this.core.closed("won", from, to, t), (d) => d.source ?? "(none)");
      return {
        leads: new Map(leads.map(([k, v]) => [k, v.length])),
        won: new Map(won.map(([k, v]) => [k, v.length])),
      };
    };
    return { thisWeek: week(addDays(t, -6), t), lastWeek: week(addDays(t, -13), addDays(t, -7)) };
  }
}
