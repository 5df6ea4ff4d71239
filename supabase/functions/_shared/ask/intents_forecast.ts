/** Will we make the quarter: the forecast intent (analytics.forecast through ask.forecast). */
import { z } from "zod";
import { formatDay, formatMoney, formatPct } from "./format.ts";
import { DAY, defineIntent, INT, NUM, TEXT } from "./registry.ts";

export const forecast = defineIntent({
  name: "forecast",
  description: "Will we make the quarter: forecast range, chance of target, gap",
  example: "will we make the quarter",
  params: z.object({}),
  cues: [["forecast"], ["forecast", "target"], ["forecast", "revenue"]],
  sql: { fn: "ask.forecast", args: () => [] },
  row: z.object({
    quarter_start: DAY,
    quarter_end: DAY,
    target: NUM,
    won: z.number(),
    p10: NUM,
    p50: NUM,
    p90: NUM,
    chance_pct: NUM,
    gap_p50: NUM,
    weighted_baseline: NUM,
    method: TEXT,
    history_deals: INT.nullable(),
    top_deal: TEXT.nullable(),
    top_deal_amount: NUM,
    top_deal_chance_pct: NUM,
  }),
  render([r], _p, { currency }) {
    if (!r || r.p50 === null) return "No forecast for this quarter.";
    const m = (v: number | null) => formatMoney(v, currency);
    const lines = [
      // Low and high case: P10 and P90 (nine quarters in ten land above the low case).
      `Quarter to ${formatDay(r.quarter_end)}: won ${m(r.won)} so far; likeliest finish ${
        m(r.p50)
      } (low case ${m(r.p10)}, high case ${m(r.p90)}).`,
    ];
    if (r.target === null) lines.push("No target is set for this quarter.");
    else {
      const gap = r.gap_p50 ?? 0;
      lines.push(
        `Target ${m(r.target)}: ${formatPct(r.chance_pct)} chance of making it; ${
          gap > 0 ? `${m(gap)} short at the likeliest finish` : `ahead by ${m(-gap)}`
        }.`,
      );
    }
    if (r.top_deal !== null && r.top_deal_amount !== null) {
      lines.push(
        `Moves it most: ${r.top_deal} (${m(r.top_deal_amount)}, ${
          formatPct(r.top_deal_chance_pct)
        } likely to close this quarter).`,
      );
    }
    lines.push(
      r.method === "history"
        ? `Chances learned from ${r.history_deals ?? 0} deals of our own stage history.`
        : "Too little history: chances are Zoho's stage probabilities.",
    );
    return lines.join("\n");
  },
});
