/** Pipeline panels: by stage, by closing month, coverage, stage conversion, at-risk deals, waterfall. */
import { categoryOption } from "./charts.ts";
import { num, Obj, type Row, Rows, str } from "./data.ts";
import { z } from "zod";
import { asOfNote, col, type Column, definePanel } from "./panel.ts";

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

/** Open deals, amount and weighted amount per key (a stage, a closing month). */
const OPEN_AMOUNTS: Column[] = [
  col("Open deals", "open_deals", "count"),
  col("Amount", "amount", "money", { name: "Open amount" }),
  col("Weighted", "weighted_amount", "money", {}),
];

/** The open pipeline by stage. */
export const pipelineByStagePanel = definePanel({
  id: "pipeline-by-stage",
  fields: z.object({ pipeline_by_stage: Rows }),
  build: (ctx, { pipeline_by_stage }) => ({
    question: "Where does the open pipeline sit, by stage?",
    note: asOfNote(ctx, false),
    rows: pipeline_by_stage,
    columns: [col("Stage", "key"), ...OPEN_AMOUNTS],
    chart: {
      category: (r) => str(r, "key"),
      xName: "Stage",
      yName: `Amount (${ctx.data.snapshot.currency})`,
      yFormat: ctx.f.moneyShort,
      horizontal: true,
    },
    chartHeight: 320,
  }),
});

/** The open pipeline by closing month. */
export const pipelineByMonthPanel = definePanel({
  id: "pipeline-by-month",
  fields: z.object({ pipeline_by_month: Rows }),
  build: (ctx, { pipeline_by_month }) => ({
    question: "When is the open pipeline expected to close?",
    note: asOfNote(ctx, false),
    rows: pipeline_by_month,
    columns: [col("Closing month", "key"), ...OPEN_AMOUNTS],
    chart: {
      category: (r) => ctx.f.month(str(r, "key")),
      xName: "Closing month",
      yName: `Amount (${ctx.data.snapshot.currency})`,
      yFormat: ctx.f.moneyShort,
    },
  }),
});

const COVERAGE_FIGURES = [
  ["Quarter target", "target"],
  ["Won so far", "won_qtd"],
  ["Remaining target", "remaining_target"],
  ["Open pipeline closing this quarter", "open_pipeline"],
  ["Weighted pipeline", "weighted_pipeline"],
  ["Forecast (won + weighted)", "forecast"],
  ["Forecast gap", "forecast_gap"],
] as const;

/** Pipeline coverage of the quarter's remaining target: one row per figure. */
export const coveragePanel = definePanel({
  id: "coverage",
  fields: z.object({ coverage: Obj.nullable() }),
  build: (ctx, { coverage }) => {
    const { f } = ctx;
    const cv = coverage;
    return {
      question: "Does the pipeline cover what is left of the quarter's target?",
      note: `${asOfNote(ctx, false)}; coverage ${f.ratio(num(cv, "coverage"))}, required ${
        f.ratio(num(cv, "required_coverage"))
      } (1 ÷ win rate ${f.pct(num(cv, "win_rate_pct"))})`,
      rows: COVERAGE_FIGURES.map(([figure, key]) => ({ figure, value: num(cv, key) })),
      columns: [col("Figure", "figure"), col("Value", "value", "money", { name: "Amount" })],
      extraRows: [
        ["Coverage (open ÷ remaining)", f.ratio(num(cv, "coverage"))],
        ["Required coverage", f.ratio(num(cv, "required_coverage"))],
        ["Quarter", `${str(cv, "quarter_start")} – ${str(cv, "quarter_end")}`],
      ],
      chart: {
        category: (r) => str(r, "figure"),
        xName: "Figure",
        yName: `Amount (${ctx.data.snapshot.currency})`,
        yFormat: f.moneyShort,
        horizontal: true,
      },
      chartHeight: 320,
    };
  },
});

/** Stage-to-stage conversion and time in stage. */
export const stageConversionPanel = definePanel({
  id: "stage-conversion",
  fields: z.object({ stage_conversion: Rows.nullable() }),
  build: (_ctx, { stage_conversion }) => ({
    question: "Which stages lose deals, and how long do deals stay in each?",
    note: "Last 12 months of stage entries; all sources",
    rows: stage_conversion ?? [],
    columns: [
      col("Stage", "stage"),
      col("Entered", "entered", "count"),
      col("Advanced", "advanced", "count"),
      col("Conversion", "conversion_pct", "pct", { name: "Advanced (%)" }),
      col("Median days", "median_days_in_stage", "days", {
        name: "Median days in stage",
        type: "line",
        axis: 1,
      }),
      col("Average days", "avg_days_in_stage", "days"),
    ],
    chart: {
      category: (r) => str(r, "stage"),
      xName: "Stage",
      yName: "Advanced (%)",
      y2Name: "Days",
    },
  }),
});

/** Stale, slipped and stuck deals: counts by stage (chart), the 25 largest (table). */
export const riskyDealsPanel = definePanel({
  id: "risky-deals",
  fields: z.object({ deal_risks: Rows.nullable(), risky_deals: Rows }),
  build: (ctx, { deal_risks, risky_deals }) => {
    const dr = (deal_risks ?? []).filter((r) => r.stage !== null);
    const zoho = ctx.zohoWebUrl.replace(/\/$/, "");
    return {
      question: "Which open deals are stale, slipping or stuck in their stage?",
      note: `${asOfNote(ctx, true)}; chart: all sources; list: the 25 largest`,
      rows: risky_deals,
      columns: [
        {
          label: "Deal",
          cell: (r) => ({
            text: str(r, "deal_name") || str(r, "deal_id"),
            href: `${zoho}/tab/Potentials/${str(r, "deal_id")}`,
          }),
        },
        col("Account", "account_name"),
        col("Owner", "owner_name"),
        col("Source", "lead_source"),
        col("Stage", "stage"),
        col("Amount", "amount", "money"),
        col("Closing", "closing_date"),
        col("Days in stage", "days_in_stage", "days"),
        col("Days since change", "days_since_change", "days"),
        {
          label: "Why",
          cell: (r: Row) =>
            [r.is_stale && "stale", r.is_slipped && "slipped", r.past_median && "past median"]
              .filter(Boolean).join(", "),
        },
      ],
      option: categoryOption({
        categories: dr.map((r) => str(r, "stage")),
        series: [
          { name: "Stale", stack: "r", data: dr.map((r) => num(r, "stale")) },
          { name: "Slipped", stack: "r", data: dr.map((r) => num(r, "slipped")) },
          { name: "Past median", stack: "r", data: dr.map((r) => num(r, "past_median")) },
        ],
        xName: "Stage",
        yName: "Deals",
      }),
    };
  },
});

const stepName = (r: Row) => WATERFALL_STEP[str(r, "step")] ?? str(r, "step");

/** The period's pipeline waterfall: bars float from `base` to `base + height`. */
export const waterfallPanel = definePanel({
  id: "waterfall",
  fields: z.object({ waterfall: z.object({ period: z.string(), steps: Rows }) }),
  build: ({ data, f }, { waterfall }) => ({
    question: `How did the ${waterfall.period === "mtd" ? "month" : "quarter"}'s pipeline change?`,
    note: "Deals closing in the period: start, additions, closes and removals, end; all sources",
    rows: waterfall.steps,
    columns: [
      { label: "Step", cell: stepName },
      col("Deals", "deals", "count"),
      col("Amount", "amount", "money"),
      { field: "base", series: { name: "base", stack: "w", invisible: true } },
      { field: "height", series: { name: "Amount", stack: "w" } },
    ],
    chart: {
      category: stepName,
      xName: "Step",
      yName: `Amount (${data.snapshot.currency})`,
      yFormat: f.moneyShort,
    },
  }),
});
