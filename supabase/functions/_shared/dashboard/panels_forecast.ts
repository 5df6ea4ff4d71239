/**
 * Will we make the quarter? The forecast's path (won to date, then the P10-P90 range to the
 * quarter's end, the target line), its figures, the deals that move it and the stages where the
 * company's own history differs from Zoho's probabilities (analytics.forecast).
 */
import { categoryOption } from "./charts.ts";
import { num, type Row, str } from "./data.ts";
import type { Panel, PanelContext } from "./panel.ts";

/** The day before an exclusive end date (YYYY-MM-DD). */
function lastDay(end: string): string {
  return new Date(Date.parse(`${end}T00:00:00Z`) - 86400_000).toISOString().slice(0, 10);
}

/** The forecast panels (none when the snapshot has no forecast). */
export function forecastPanels(ctx: PanelContext): Panel[] {
  const { data, f } = ctx;
  const fc = data.forecast;
  if (!fc) return [];
  const cur = data.snapshot.currency;
  const path = (fc.path ?? []) as Row[];
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
  ];
  return [{
    id: "forecast",
    question: "Will we make the quarter, and how sure are we?",
    note,
    chart: categoryOption({
      categories: path.map((r) => f.day(str(r, "day"))),
      series: [
        { name: "Won to date", type: "line", data: path.map((r) => num(r, "won")) },
        { name: "P10", type: "line", color: "#9bb8d3", data: path.map((r) => num(r, "p10")) },
        { name: "P50", type: "line", color: "#2f6ea5", data: path.map((r) => num(r, "p50")) },
        { name: "P90", type: "line", color: "#9bb8d3", data: path.map((r) => num(r, "p90")) },
        { name: "Target", type: "line", color: "#c0392b", data: path.map((r) => num(r, "target")) },
      ],
      xName: "Week ending",
      yName: `Revenue (${cur})`,
      yFormat: f.moneyShort,
    }),
    table: {
      columns: ["Figure", "Value"],
      rows: [
        ...figures.map(([l, v]) => [l, v]),
        ...drivers.map((d) => [
          `Moves the forecast: ${str(d, "name") || str(d, "deal_id")} (${str(d, "stage")}, ${
            f.count(num(d, "days_in_stage"))
          } days in stage)`,
          `${f.money(num(d, "amount"))}: ${
            f.pct(num(d, "chance_pct"))
          } likely to close this quarter (Zoho's stage probability ${f.pct(num(d, "zoho_pct"))})`,
        ]),
        ...stages.map((s) => [
          `Stage ${str(s, "stage")}: won from here (history, ${f.count(num(s, "deals"))} deals)`,
          `${f.pct(num(s, "history_pct"))} against Zoho's ${f.pct(num(s, "zoho_pct"))}`,
        ]),
      ],
    },
  }];
}
