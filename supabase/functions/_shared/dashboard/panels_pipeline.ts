/** Pipeline panels: by stage, by closing month, coverage, stage conversion, at-risk deals, waterfall. */
import { categoryOption } from "./charts.ts";
import { num, str } from "./data.ts";
import { asOfNote, type Panel, type PanelContext } from "./panel.ts";

const WATERFALL_STEP: Record<string, string> = {
  start: "Start",
  new: "New",
  moved_in: "Moved in",
  changed: "Amount changes",
  won: "Won",
  lost: "Lost",
  moved_out: "Moved out",
  removed: "Deleted",
  end: "End",
};

/** All pipeline panels. */
export function pipelinePanels(ctx: PanelContext): Panel[] {
  const { data, f } = ctx;
  const cur = data.snapshot.currency;
  const panels: Panel[] = [];

  const st = data.pipeline_by_stage;
  panels.push({
    id: "pipeline-by-stage",
    question: "Where does the open pipeline sit, by stage?",
    note: asOfNote(ctx, false),
    chart: categoryOption({
      categories: st.map((r) => str(r, "key")),
      series: [
        { name: "Open amount", data: st.map((r) => num(r, "amount")) },
        { name: "Weighted", data: st.map((r) => num(r, "weighted_amount")) },
      ],
      xName: "Stage",
      yName: `Amount (${cur})`,
      yFormat: f.moneyShort,
      horizontal: true,
    }),
    chartHeight: 320,
    table: {
      columns: ["Stage", "Open deals", "Amount", "Weighted"],
      rows: st.map((r) => [
        str(r, "key"),
        f.count(num(r, "open_deals")),
        f.money(num(r, "amount")),
        f.money(num(r, "weighted_amount")),
      ]),
    },
  });

  const pm = data.pipeline_by_month;
  panels.push({
    id: "pipeline-by-month",
    question: "When is the open pipeline expected to close?",
    note: asOfNote(ctx, false),
    chart: categoryOption({
      categories: pm.map((r) => f.month(str(r, "key"))),
      series: [
        { name: "Open amount", data: pm.map((r) => num(r, "amount")) },
        { name: "Weighted", data: pm.map((r) => num(r, "weighted_amount")) },
      ],
      xName: "Closing month",
      yName: `Amount (${cur})`,
      yFormat: f.moneyShort,
    }),
    table: {
      columns: ["Closing month", "Open deals", "Amount", "Weighted"],
      rows: pm.map((r) => [
        str(r, "key"),
        f.count(num(r, "open_deals")),
        f.money(num(r, "amount")),
        f.money(num(r, "weighted_amount")),
      ]),
    },
  });

  const cv = data.coverage;
  const cvRows: [string, number | null][] = [
    ["Quarter target", num(cv, "target")],
    ["Won so far", num(cv, "won_qtd")],
    ["Remaining target", num(cv, "remaining_target")],
    ["Open pipeline closing this quarter", num(cv, "open_pipeline")],
    ["Weighted pipeline", num(cv, "weighted_pipeline")],
    ["Forecast (won + weighted)", num(cv, "forecast")],
    ["Forecast gap", num(cv, "forecast_gap")],
  ];
  panels.push({
    id: "coverage",
    question: "Does the pipeline cover what is left of the quarter's target?",
    note: `${asOfNote(ctx, false)}; coverage ${f.ratio(num(cv, "coverage"))}, required ${
      f.ratio(num(cv, "required_coverage"))
    } (1 ÷ win rate ${f.pct(num(cv, "win_rate_pct"))})`,
    chart: categoryOption({
      categories: cvRows.map(([l]) => l),
      series: [{ name: "Amount", data: cvRows.map(([, v]) => v) }],
      xName: "Figure",
      yName: `Amount (${cur})`,
      yFormat: f.moneyShort,
      horizontal: true,
    }),
    chartHeight: 320,
    table: {
      columns: ["Figure", "Value"],
      rows: [
        ...cvRows.map(([l, v]) => [l, f.money(v)]),
        ["Coverage (open ÷ remaining)", f.ratio(num(cv, "coverage"))],
        ["Required coverage", f.ratio(num(cv, "required_coverage"))],
        ["Quarter", `${str(cv, "quarter_start")} – ${str(cv, "quarter_end")}`],
      ],
    },
  });

  const sc = data.stage_conversion ?? [];
  panels.push({
    id: "stage-conversion",
    question: "Which stages lose deals, and how long do deals stay in each?",
    note: "Last 12 months of stage entries; all sources",
    chart: categoryOption({
      categories: sc.map((r) => str(r, "stage")),
      series: [
        { name: "Advanced (%)", data: sc.map((r) => num(r, "conversion_pct")) },
        {
          name: "Median days in stage",
          type: "line",
          axis: 1,
          data: sc.map((r) => num(r, "median_days_in_stage")),
        },
      ],
      xName: "Stage",
      yName: "Advanced (%)",
      y2Name: "Days",
    }),
    table: {
      columns: ["Stage", "Entered", "Advanced", "Conversion", "Median days", "Average days"],
      rows: sc.map((r) => [
        str(r, "stage"),
        f.count(num(r, "entered")),
        f.count(num(r, "advanced")),
        f.pct(num(r, "conversion_pct")),
        f.days(num(r, "median_days_in_stage")),
        f.days(num(r, "avg_days_in_stage")),
      ]),
    },
  });

  const dr = (data.deal_risks ?? []).filter((r) => r.stage !== null);
  const zoho = ctx.zohoWebUrl.replace(/\/$/, "");
  panels.push({
    id: "risky-deals",
    question: "Which open deals are stale, slipping or stuck in their stage?",
    note: `${asOfNote(ctx, true)}; chart: all sources; list: the 25 largest`,
    chart: categoryOption({
      categories: dr.map((r) => str(r, "stage")),
      series: [
        { name: "Stale", stack: "r", data: dr.map((r) => num(r, "stale")) },
        { name: "Slipped", stack: "r", data: dr.map((r) => num(r, "slipped")) },
        { name: "Past median", stack: "r", data: dr.map((r) => num(r, "past_median")) },
      ],
      xName: "Stage",
      yName: "Deals",
    }),
    table: {
      columns: [
        "Deal",
        "Account",
        "Owner",
        "Source",
        "Stage",
        "Amount",
        "Closing",
        "Days in stage",
        "Days since change",
        "Why",
      ],
      rows: data.risky_deals.map((r) => [
        {
          text: str(r, "deal_name") || str(r, "deal_id"),
          href: `${zoho}/tab/Potentials/${str(r, "deal_id")}`,
        },
        str(r, "account_name"),
        str(r, "owner_name"),
        str(r, "lead_source"),
        str(r, "stage"),
        f.money(num(r, "amount")),
        str(r, "closing_date"),
        f.days(num(r, "days_in_stage")),
        f.days(num(r, "days_since_change")),
        [r.is_stale && "stale", r.is_slipped && "slipped", r.past_median && "past median"]
          .filter(Boolean).join(", "),
      ]),
    },
  });

  const wf = data.waterfall.steps;
  panels.push({
    id: "waterfall",
    question: `How did the ${
      data.waterfall.period === "mtd" ? "month" : "quarter"
    }'s pipeline change?`,
    note: "Deals closing in the period: start, additions, closes and removals, end; all sources",
    chart: categoryOption({
      categories: wf.map((r) => WATERFALL_STEP[str(r, "step")] ?? str(r, "step")),
      series: [
        { name: "base", stack: "w", invisible: true, data: wf.map((r) => num(r, "base")) },
        {
          name: "Amount",
          stack: "w",
          data: wf.map((r) => num(r, "height")),
        },
      ],
      xName: "Step",
      yName: `Amount (${cur})`,
      yFormat: f.moneyShort,
    }),
    table: {
      columns: ["Step", "Deals", "Amount"],
      rows: wf.map((r) => [
        WATERFALL_STEP[str(r, "step")] ?? str(r, "step"),
        f.count(num(r, "deals")),
        f.money(num(r, "amount")),
      ]),
    },
  });
  return panels;
}
