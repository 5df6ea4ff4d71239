/**
 * The revenue intents (revenue, by source, trend, leaderboard, win rate, lost deals, deal size,
 * sales cycle, velocity) state the independent truth (_ask_truth_revenue.ts); see
 * _ask_truth_cases.ts.
 */
import assert from "node:assert/strict";
import {
  formatChange,
  formatDay,
  formatMonth,
  formatNumber,
  formatPct,
  plural,
} from "../_shared/ask/format.ts";
import {
  type Case,
  type CaseContext,
  m,
  sameList,
  TARGETS,
  testAskTruthFamily,
} from "./_ask_truth_cases.ts";
import { RevenueTruth } from "./_ask_truth_revenue.ts";

function casesFor({ truth: t }: CaseContext): Record<string, Case[]> {
  const f = new RevenueTruth(t);
  const revenue = (period: string): Case => ({
    question: `revenue ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const r = f.revenue(period, TARGETS);
      const w = r.window;
      const lines = [
        `Revenue ${w.label} (${formatDay(w.start)}–${formatDay(w.end)}): ${m(r.revenue)} from ${
          plural(r.wonDeals, "won deal")
        }.`,
        `Same days of the previous period: ${m(r.prevRevenue)} (${formatChange(r.growthPct)}).`,
      ];
      if (r.target !== null) {
        lines.push(`Target ${m(r.target)}: ${formatPct(r.attainmentPct)} attained.`);
      }
      assert.equal(text, lines.join("\n"));
    },
  });
  const revenueBySource = (period: string): Case => ({
    question: `revenue by source ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const rows = f.revenueBySource(period);
      sameList(
        text,
        `Revenue by source ${t.window(period).label}:`,
        rows.map((r) =>
          `• ${r.source}: ${m(r.revenue)} (${formatPct(r.sharePct)}, ${plural(r.wonDeals, "deal")})`
        ),
      );
    },
  });
  const leaderboard = (period: string): Case => ({
    question: `leaderboard ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const rows = f.leaderboard(period).slice(0, 5);
      assert.equal(
        text,
        [`Leaderboard ${t.window(period).label} (won revenue):`].concat(
          rows.map((r, i) =>
            `${i + 1}. ${r.owner}: ${m(r.revenue)}, ${plural(r.won, "won deal")}, win rate ${
              formatPct(r.winRatePct)
            }`
          ),
        ).join("\n"),
      );
    },
  });
  const winRate = (period: string): Case => ({
    question: `win rate ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const r = f.winRate(period);
      assert.equal(
        text,
        `Win rate ${r.window.label}: ${formatPct(r.countPct)} — ${formatNumber(r.won)} won, ${
          formatNumber(r.lost)
        } lost. By value ${formatPct(r.valuePct)} (${m(r.wonAmount)} won, ${
          m(r.lostAmount)
        } lost).`,
      );
    },
  });
  const lost = (question: string, period: string): Case => ({
    question,
    period,
    expect(text) {
      const r = f.lostDeals(period);
      const head = `Lost ${r.window.label}: ${plural(r.lost, "deal")}, ${
        m(r.amount)
      }. Top reasons: `;
      assert.ok(text.startsWith(head), `${head} in ${text}`);
      // The three most frequent reasons (ties in any order), each with its count.
      const said = [...text.slice(head.length).matchAll(/([^,(]+) \((\d+)\)/g)].map((x) => ({
        reason: x[1]!.trim(),
        deals: Number(x[2]),
      }));
      assert.equal(said.length, Math.min(3, r.reasons.length), text);
      const counts = new Map(r.reasons.map((x) => [x.reason, x.deals]));
      for (const s of said) assert.equal(counts.get(s.reason), s.deals, `${s.reason} in ${text}`);
      assert.deepEqual(said.map((s) => s.deals), r.reasons.slice(0, 3).map((x) => x.deals), text);
    },
  });
  const dealSize = (period: string): Case => ({
    question: `average deal size ${period.replaceAll("_", " ")}`,
    period,
    expect(text) {
      const r = f.dealSize(period);
      assert.equal(
        text,
        `Won deals ${r.window.label}: ${formatNumber(r.wonDeals)}, average ${
          m(r.avgAmount)
        }, median ${m(r.medianAmount)}.`,
      );
    },
  });
  const salesCycle = (period: string): Case => ({
    question: `sales cycle ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const r = f.dealSize(period);
      assert.equal(
        text,
        `Sales cycle ${r.window.label} (${plural(r.wonDeals, "won deal")}): average ${
          formatNumber(r.avgCycleDays)
        } days, median ${formatNumber(r.medianCycleDays)} days from created to won.`,
      );
    },
  });

  return {
    revenue: [
      revenue("this_month"),
      revenue("last_month"),
      revenue("this_quarter"),
      revenue("last_quarter"),
    ],
    revenue_by_source: [revenueBySource("this_month"), revenueBySource("last_month")],
    revenue_trend: [{
      question: "monthly revenue trend",
      expect(text) {
        assert.equal(
          text,
          ["Revenue by month:"].concat(
            f.revenueTrend(6).map((r) =>
              `• ${formatMonth(r.month)}: ${m(r.revenue)} (${plural(r.wonDeals, "deal")})`
            ),
          ).join("\n"),
        );
      },
    }],
    owner_leaderboard: [leaderboard("this_quarter"), leaderboard("last_quarter")],
    win_rate: [winRate("this_quarter"), winRate("last_quarter")],
    lost_deals: [
      lost("why did we lose deals this quarter", "this_quarter"),
      lost("lost deals last quarter", "last_quarter"),
    ],
    deal_size: [dealSize("this_quarter"), dealSize("last_quarter"), dealSize("last_12_months")],
    sales_cycle: [salesCycle("this_year"), salesCycle("last_year")],
    sales_velocity: [{
      question: "sales velocity",
      expect(text) {
        const v = f.salesVelocity();
        assert.equal(
          text,
          `Sales velocity: ${m(v.velocityPerDay)} per day = ${
            formatNumber(v.openDeals)
          } open deals × ${formatPct(v.winRatePct)} win rate × ${m(v.avgDealSize)} ÷ ${
            formatNumber(v.avgCycleDays)
          } days over the trailing year.`,
        );
      },
    }],
  };
}

testAskTruthFamily("revenue", casesFor);
