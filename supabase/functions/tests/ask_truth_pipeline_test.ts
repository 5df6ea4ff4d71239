/**
 * The pipeline intents (total, by stage, rep and source, movement, stage conversion) state the
 * independent truth (_ask_truth_pipeline.ts); the deal lists: ask_truth_deal_lists_test.ts. See
 * _ask_truth_cases.ts.
 */
import assert from "node:assert/strict";
import { formatDay, formatNumber, formatPct, plural } from "../_shared/ask/format.ts";
import {
  type Case,
  type CaseContext,
  m,
  sameList,
  TARGETS,
  testAskTruthFamily,
} from "./_ask_truth_cases.ts";
import { PipelineTruth } from "./_ask_truth_pipeline.ts";
import { RevenueTruth } from "./_ask_truth_revenue.ts";

function casesFor({ truth: t }: CaseContext): Record<string, Case[]> {
  const f = new PipelineTruth(t);
  const revenue = new RevenueTruth(t);
  const movement = (period: string): Case => ({
    question: `pipeline movement ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const r = f.pipelineMoves(period);
      const said = new Map(
        [...text.matchAll(/^• ([a-z ]+): (\S+) \((\S+) deals?\)$/gm)].map((x) => [x[1], x]),
      );
      assert.equal(text.split("\n")[0], `Pipeline closing ${r.window.label}:`);
      for (const step of ["start", "new", "won", "lost", "end"] as const) {
        const s = said.get(step);
        assert.ok(s, `${step} in ${text}`);
        assert.equal(s[2], m(r[step].amount), `${step} amount in ${text}`);
        assert.equal(s[3], formatNumber(r[step].deals), `${step} deals in ${text}`);
      }
    },
  });
  const stageConversion = (period: string, stage?: string, question?: string): Case => ({
    question: question ?? `stage conversion ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const rows = f.stageConversion(period).filter((r) => !stage || r.stage === stage);
      // the lowest advance rate (the first of equals, in stage order) closes a list of stages
      const lowest = Math.min(...rows.map((r) => r.conversionPct ?? 100));
      const weakest = rows.find((r) => (r.conversionPct ?? 100) === lowest)!;
      assert.equal(
        text,
        [`Stage conversion ${t.window(period).label}:`].concat(
          rows.map((r) =>
            `• ${r.stage}: ${formatPct(r.conversionPct)} advance (${formatNumber(r.advanced)} of ${
              formatNumber(r.entered)
            })${
              r.medianDays === null ? "" : `, median ${formatNumber(r.medianDays)} days in stage`
            }`
          ),
          rows.length > 1
            ? [`Fewest advance from ${weakest.stage} (${formatPct(weakest.conversionPct)}).`]
            : [],
        ).join("\n"),
      );
    },
  });

  const pipelineBy = (dimension: "stage" | "owner" | "source"): Case => ({
    question: `pipeline by ${dimension === "owner" ? "rep" : dimension}`,
    expect(text) {
      sameList(
        text,
        `Open pipeline by ${dimension === "owner" ? "rep" : dimension}:`,
        f.pipelineBy(dimension).map((r) =>
          `• ${r.name}: ${m(r.amount)} (${plural(r.openDeals, "deal")})`
        ),
      );
    },
  });

  return {
    pipeline: [{
      question: "pipeline",
      expect(text) {
        const p = t.pipelineOf(t.openDeals(t.today));
        // The company's pipeline also states the quarter's coverage: the open deals closing in
        // the quarter against the target still to win, and 1 ÷ the t12m win rate by count.
        const q = revenue.forecast(TARGETS["2026-01-01"]!);
        const rate = revenue.winRate("last_12_months").countPct!;
        assert.equal(
          text,
          `Open pipeline: ${m(p.amount)} in ${
            plural(p.openDeals, "deal")
          }; weighted by probability ${m(p.weighted)}.\nClosing by ${formatDay(q.quarterEnd)}: ${
            m(q.openPipeline)
          }, ${formatNumber(q.coverage)}× the ${m(q.remaining)} still to win this quarter (${
            formatNumber(Math.round(10000 / rate) / 100)
          }× needed at a ${formatPct(rate)} win rate).`,
        );
      },
    }, {
      question: "do we have enough pipeline coverage?",
      expect(text) {
        const q = revenue.forecast(TARGETS["2026-01-01"]!);
        assert.ok(
          text.includes(`, ${formatNumber(q.coverage)}× the ${m(q.remaining)} still to win`),
          text,
        );
      },
    }, {
      question: "pipeline for tom becker",
      expect(text) {
        const p = t.pipelineOf(t.openDeals(t.today).filter((d) => d.owner === "Tom Becker"));
        assert.equal(
          text,
          `Open pipeline (Tom Becker): ${m(p.amount)} in ${
            plural(p.openDeals, "deal")
          }; weighted by probability ${m(p.weighted)}.`,
        );
      },
    }, {
      question: "how many deals are in negotiation",
      expect(text) {
        const p = t.pipelineOf(
          t.openDeals(t.today).filter((d) => d.stage === "Negotiation/Review"),
        );
        assert.equal(
          text,
          `Open pipeline (in Negotiation/Review): ${m(p.amount)} in ${
            plural(p.openDeals, "deal")
          }; weighted by probability ${m(p.weighted)}.`,
        );
      },
    }, {
      question: "pipeline for tom becker from website leads",
      expect(text) {
        const p = t.pipelineOf(
          t.openDeals(t.today).filter((d) => d.owner === "Tom Becker" && d.source === "Website"),
        );
        const of = "(Tom Becker, Website)";
        assert.equal(
          text,
          p.openDeals === 0
            ? `No open deals ${of}.`
            : `Open pipeline ${of}: ${m(p.amount)} in ${
              plural(p.openDeals, "deal")
            }; weighted by probability ${m(p.weighted)}.`,
        );
      },
    }],
    pipeline_by_stage: [pipelineBy("stage")],
    pipeline_by_owner: [pipelineBy("owner")],
    pipeline_by_source: [pipelineBy("source")],
    pipeline_change: [movement("this_quarter"), movement("last_quarter")],
    stage_conversion: [
      stageConversion("this_year", undefined, "which stages lose the most deals this year"),
      stageConversion("this_quarter"),
      stageConversion("last_quarter"),
      stageConversion(
        "this_year",
        "Proposal/Price Quote",
        "how long did deals sit in proposal this year",
      ),
    ],
  };
}

testAskTruthFamily("pipeline", casesFor);
