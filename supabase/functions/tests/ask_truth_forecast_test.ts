/**
 * The forecast intent ("are we on track") states the independent truth (_ask_truth_revenue.ts):
 * won revenue so far, the target and, for a weighted forecast, the pipeline it adds; see
 * _ask_truth_cases.ts.
 */
import assert from "node:assert/strict";
import { formatDay, formatNumber } from "../_shared/ask/format.ts";
import { type Case, type CaseContext, m, TARGETS, testAskTruthFamily } from "./_ask_truth_cases.ts";
import { RevenueTruth } from "./_ask_truth_revenue.ts";

function casesFor({ truth: t }: CaseContext): Record<string, Case[]> {
  const revenue = new RevenueTruth(t);

  return {
    forecast: [{
      question: "are we on track this quarter",
      expect(text) {
        const f = revenue.forecast(TARGETS["2026-01-01"]!);
        // Both replies state the quarter, the won revenue so far and the target.
        assert.ok(
          text.startsWith(`Quarter to ${formatDay(f.quarterEnd)}: won ${m(f.won)}`),
          `quarter end ${f.quarterEnd}, won ${m(f.won)} in ${text}`,
        );
        assert.ok(text.includes(`Target ${m(f.target)}`), text);
        if (!text.includes("weighted pipeline")) {
          // A modelled forecast (likeliest finish and range): its model figures are not
          // recomputed here; the shortfall it states is the target minus the likeliest finish.
          const finish = /likeliest finish (\$[\d,.]+)/.exec(text)?.[1];
          const short = /(\$[\d,.]+) short/.exec(text)?.[1];
          if (finish && short) {
            const n = (x: string) => Number(x.replace(/[$,]/g, ""));
            assert.equal(m(f.target! - n(finish)), short, text);
          }
          return;
        }
        // Weighted forecast: won + probability-weighted open pipeline due this quarter.
        const gap = f.gap ?? 0;
        assert.equal(
          text,
          `Quarter to ${formatDay(f.quarterEnd)}: won ${m(f.won)} + weighted pipeline ${
            m(f.weighted)
          } = forecast ${m(f.forecast)}.\nTarget ${m(f.target)}: ${
            gap > 0 ? `gap ${m(gap)}` : `ahead by ${m(-gap)}`
          }. Open pipeline ${m(f.openPipeline)} covers the remaining ${m(f.remaining)} ${
            formatNumber(f.coverage)
          }×.`,
        );
      },
    }],
  };
}

testAskTruthFamily("forecast", casesFor);
