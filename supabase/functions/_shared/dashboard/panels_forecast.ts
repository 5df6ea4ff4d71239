/**
 * Will we make the quarter? The forecast's path (won to date, then the P10-P90 range to the
 * quarter's end, the target line), its figures, the deals that move it and the stages where the
 * company's own history differs from Zoho's probabilities (analytics.forecast).
 */
import { num, Obj, type Row, str } from "./data.ts";
import { z } from "zod";
import { col, definePanel } from "./panel.ts";

/** The day before an exclusive end date (YYYY-MM-DD). */
function lastDay(end: string): string {
  return new Date(Date.parse(`${end}T00:00:00Z`) - 86400_000).toISOString().slice(0, 10);
}

/** The forecast: its path (chart), its figures, the deals that move it and stage rates (table). */
export const forecastPanel = definePanel({
  id: "forecast",
  fields: z.object({ forecast: Obj.nullable().optional() }),
  build: ({ data, f }, { forecast }) => {
    const fc = forecast;
    if (!fc) return null;
    const drivers = (fc.drivers ?? []) as Row[];
    const stages = (fc.stage_rates ?? []) as Row[];
    const history = str(fc, "method") === "history";
    const note = [
      `As of ${str(fc, "as_of")}; quarter ${f.day(str(fc, "quarter_start"))} to ${
        f.day(lastDay(str(fc, "quarter_end")))
      }; all sources`,
      history
        ? `chances learned from ${f.count(num(fc, "history_deals"))} deals of the last 8 quarters`
        : str(fc, "note"),
      `${f.count(num(fc, "trials"))} simulated quarters; lines run from today's won to the ` +
      "quarter-end P10, P50 and P90",
    ].join("; ");
    const figures: [string, string][] = [
      ["Won to date", f.money(num(fc, "won_to_date"))],
      ["Forecast P50 (as likely above as below)", f.money(num(fc, "p50"))],
      ["P10 (9 in 10 quarters land above)", f.money(num(fc, "p10"))],
      ["P90 (9 in 10 quarters land below)", f.money(num(fc, "p90"))],
      ["Target", f.money(num(fc, "target"))],
      ["Gap to target at P50", f.money(num(fc, "gap_p50"))],
      ["Chance of reaching the target", f.pct(num(fc, "chance_of_target_pct"))],
      ["Open deals expected to win", f.money(num(fc, "open_expected"))],
      ["New deals expected to be created and won", f.money(num(fc, "new_business_expected"))],
      ["Weighted pipeline forecast (Zoho probabilities)", f.money(num(fc, "weighted_baseline"))],
      ...drivers.map((d): [string, string] => [
        `Moves the forecast: ${str(d, "name") || str(d, "deal_id")} (${str(d, "stage")}, ${
          f.count(num(d, "days_in_stage"))
        } days in stage)`,
        `${f.money(num(d, "amount"))}: ${
          f.pct(num(d, "chance_pct"))
        } likely to close this quarter (Zoho's stage probability ${f.pct(num(d, "zoho_pct"))})`,
      ]),
      ...stages.map((s): [string, string] => [
        `Stage ${str(s, "stage")}: won from here (history, ${f.count(num(s, "deals"))} deals)`,
        `${f.pct(num(s, "history_pct"))} against Zoho's ${f.pct(num(s, "zoho_pct"))}`,
      ]),
    ];
    const line = (name: string, color?: string) => ({ name, type: "line" as const, color });
    return {
      question: "Will we make the quarter, and how sure are we?",
      note,
      rows: figures.map(([figure, value]) => ({ figure, value })),
      columns: [
        col("Figure", "figure"),
        col("Value", "value"),
        // The path, week by week: chart-only columns of the chart's own rows.
        { field: "won", series: line("Won to date") },
        { field: "p10", series: line("P10", "#9bb8d3") },
        { field: "p50", series: line("P50", "#2f6ea5") },
        { field: "p90", series: line("P90", "#9bb8d3") },
        { field: "target", series: line("Target", "#c0392b") },
      ],
      chart: {
        category: (r) => f.day(str(r, "day")),
        rows: (fc.path ?? []) as Row[],
        xName: "Week ending",
        yName: `Revenue (${data.snapshot.currency})`,
        yFormat: f.moneyShort,
      },
    };
  },
});
