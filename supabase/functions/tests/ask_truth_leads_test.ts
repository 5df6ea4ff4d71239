/**
 * The lead intents (counts, by source and rep, speed to lead, untouched leads, conversion, source
 * ROI, unusual weeks, data quality) state the independent truth (_ask_truth_leads.ts); see
 * _ask_truth_cases.ts.
 */
import assert from "node:assert/strict";
import {
  formatChange,
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
  testAskTruthFamily,
} from "./_ask_truth_cases.ts";
import { LeadsTruth } from "./_ask_truth_leads.ts";

function casesFor({ truth: t }: CaseContext): Record<string, Case[]> {
  const f = new LeadsTruth(t);
  const leads = (period: string, source?: string): Case => ({
    question: `leads ${period.replace("_", " ")}${source ? ` from ${source.toLowerCase()}` : ""}`,
    period,
    expect(text) {
      const r = f.leadCount(period, { source });
      assert.equal(
        text,
        `Leads ${r.window.label}${source ? ` from ${source}` : ""}: ${
          formatNumber(r.leads)
        } (${`previous period ${formatNumber(r.prev)}, ${formatChange(r.growthPct)}`}).`,
      );
    },
  });
  const leadsBy = (dimension: "source" | "owner", period: string): Case => ({
    question: `leads ${dimension === "source" ? "by source" : "per rep"} ${
      period.replace("_", " ")
    }`,
    period,
    expect(text) {
      const rows = f.leadsBy(period, dimension);
      sameList(
        text,
        `Leads ${t.window(period).label} by ${dimension === "source" ? "source" : "rep"}:`,
        rows.map((r) =>
          `• ${r.name}: ${formatNumber(r.leads)} (${formatPct(r.sharePct)}; before ${
            formatNumber(r.prev)
          })`
        ),
      );
    },
  });
  const responseTime = (period: string): Case => ({
    question: `response time ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const r = f.responseTime(period);
      assert.equal(
        text,
        `Speed to lead ${r.window.label}: median ${formatNumber(r.medianHours)} h, average ${
          formatNumber(r.avgHours)
        } h; ${formatPct(r.within1hPct)} of touched leads within 1 h. ${
          formatNumber(r.untouched)
        } of ${plural(r.leads, "lead")} not touched yet.`,
      );
    },
  });
  const sourceRoi = (period: string): Case => ({
    question: `roi by source ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const rows = f.sourceRoi(period);
      sameList(
        text,
        `Source ROI ${t.window(period).label}:`,
        rows.map((r) =>
          `• ${r.source}: cost ${m(r.cost)}, ${plural(r.leads, "lead")}${
            r.cost > 0 && r.costPerLead !== null ? ` (${m(r.costPerLead)} a lead)` : ""
          }, revenue ${m(r.revenue)}, ROI ${formatPct(r.roiPct)}`
        ),
      );
    },
  });

  // Which source converts best: the period's cohorts per source, as the dashboard's funnel sums
  // them, best lead → won first.
  const conversionBySource = (question: string, period: string): Case => ({
    question,
    period,
    expect(text) {
      const r = f.leadConversionBySource(period);
      assert.equal(
        text,
        [
          `Lead conversion by source, leads created ${
            r.window.label.startsWith("the ") ? `in ${r.window.label}` : r.window.label
          } (cohorts since ${formatMonth(r.firstMonth)}), best lead → won first:`,
        ].concat(
          r.sources.map((s) =>
            `• ${s.source}: ${plural(s.leads, "lead")} → ${formatPct(s.toDealPct)} to deal, ${
              formatPct(s.toWonPct)
            } won`
          ),
        ).join("\n"),
      );
    },
  });

  return {
    leads: [
      leads("today"),
      leads("yesterday"),
      leads("this_week"),
      leads("last_week"),
      leads("this_month", "Facebook"),
      leads("last_month", "Facebook"),
    ],
    leads_by_source: [leadsBy("source", "this_week"), leadsBy("source", "last_week")],
    leads_by_owner: [leadsBy("owner", "this_month"), leadsBy("owner", "last_month")],
    response_time: [responseTime("this_month"), responseTime("last_month")],
    untouched_leads: [{
      question: "untouched leads",
      expect(text) {
        const u = f.untouched(7);
        assert.equal(
          text,
          `Untouched open leads: ${formatNumber(u.neverTouched)} of ${formatNumber(u.openLeads)} (${
            formatPct(u.neverTouchedPct)
          }). Of the last 7 days' ${formatNumber(u.recentLeads)} leads, ${
            formatNumber(u.recentUntouched)
          } untouched.`,
        );
      },
    }],
    lead_conversion: [{
      question: "lead conversion rate",
      expect(text) {
        assert.equal(
          text,
          ["Lead conversion by month created:"].concat(
            f.leadConversion(3, 90).map((r) =>
              `• ${formatMonth(r.cohort_month)}: ${plural(r.leads, "lead")} → ${
                formatPct(r.lead_to_deal_pct)
              } to deal, ${formatPct(r.lead_to_won_pct)} won${
                r.incomplete ? " (still maturing)" : ""
              }`
            ),
          ).join("\n"),
        );
      },
    }],
    lead_conversion_by_source: [
      conversionBySource(
        "which lead source converts best over the last 12 months",
        "last_12_months",
      ),
      conversionBySource("lead conversion by source this quarter", "this_quarter"),
      conversionBySource("which source converted best last quarter", "last_quarter"),
    ],
    source_roi: [sourceRoi("this_year"), sourceRoi("last_year")],
    anomalies: [{
      question: "any spikes or drops by source this week",
      expect(text) {
        // An unusual week needs volume: 10 leads or 3 won deals of the source in this rolling
        // week or the week before (settings' defaults). Without, nothing can be flagged.
        const v = f.weeklyVolume();
        const busy = [v.thisWeek, v.lastWeek].some((w) =>
          [...w.leads.values()].some((n) => n >= 10) || [...w.won.values()].some((n) => n >= 3)
        );
        if (busy) assert.match(text, /^(Unusual this week:|Nothing unusual this week)/);
        else {
          assert.equal(
            text,
            "Nothing unusual this week: every source moved within its normal range.",
          );
        }
      },
    }],
    data_quality: [{
      question: "data quality",
      expect(text) {
        const u = f.untouched(7);
        const rows: [string, { count: number; total: number; pct: number | null }][] = [
          ["open leads never touched", {
            count: u.neverTouched,
            total: u.openLeads,
            pct: u.neverTouchedPct,
          }],
          ["recent leads untouched", {
            count: u.recentUntouched,
            total: u.recentLeads,
            pct: u.recentPct,
          }],
          ...Object.entries(f.dealHygiene()),
        ];
        sameList(
          text,
          "Data quality:",
          rows.map(([label, r]) =>
            `• ${label}: ${formatNumber(r.count)} of ${formatNumber(r.total)} (${formatPct(r.pct)})`
          ),
        );
      },
    }],
  };
}

testAskTruthFamily("leads", casesFor);
