/** Revenue and lead-flow panels: tiles, revenue vs target, leads by source, funnel, cohorts, win rate, velocity. */
import { categoryOption, type ChartOption } from "./charts.ts";
import { num, Obj, type Row, Rows, str } from "./data.ts";
import { z } from "zod";
import type { Formats } from "./format.ts";
import { col, definePanel, type PanelContext, PERIOD_LABEL } from "./panel.ts";

function bucketLabel(ctx: PanelContext, iso: string): string {
  return ctx.data.filter.grain === "month" ? ctx.f.month(iso) : ctx.f.day(iso);
}

/** Whether a previous figure is too small for a percentage change to mean anything. */
function tinyBase(value: number | null, prev: number | null): boolean {
  return value !== null && prev !== null && prev * 4 < value;
}

/** Revenue of the month, quarter and year to date, with leads, against the period before. */
export const tilesPanel = definePanel({
  id: "tiles",
  fields: z.object({ tiles: Rows }),
  build: ({ data, f }, { tiles }) => ({
    question: "How much have we sold this month, quarter and year, against the period before?",
    note: data.filter.source ? `Revenue: all sources; leads: ${data.filter.source}` : undefined,
    tiles: tiles.map((t) => ({
      label: `Revenue ${str(t, "period").toUpperCase()}`,
      value: f.money(num(t, "revenue")),
      // A change on a tiny base (the previous figure under a quarter of this one: +662% on
      // the 4th of a month) is no news; the tile says both amounts, as the brief does.
      detail: tinyBase(num(t, "revenue"), num(t, "prev_revenue"))
        ? `against ${f.money(num(t, "prev_revenue"))} the period before`
        : `${f.pct(num(t, "revenue_growth_pct"))} vs ${f.money(num(t, "prev_revenue"))}`,
    })),
    rows: tiles,
    columns: [
      { label: "Period", cell: (t) => str(t, "period").toUpperCase() },
      col("Revenue", "revenue", "money"),
      col("Previous", "prev_revenue", "money"),
      col("Change", "revenue_growth_pct", "pct"),
      col("Target", "target", "money"),
      col("Attainment", "attainment_pct", "pct"),
      col("Leads", "leads", "count"),
      col("Previous leads", "prev_leads", "count"),
      col("Leads change", "leads_growth_pct", "pct"),
    ],
  }),
});

/** Closed Won revenue by month against the company target. */
export const revenueByMonthPanel = definePanel({
  id: "revenue-by-month",
  fields: z.object({ revenue_by_month: Rows }),
  build: ({ data, f }, { revenue_by_month }) => ({
    question: "Is monthly Closed Won revenue on target?",
    note: data.filter.source ? "Target: company-wide targets are not split by source" : undefined,
    rows: revenue_by_month,
    columns: [
      { label: "Month", cell: (r) => f.month(str(r, "month")) },
      col("Revenue", "revenue", "money", {}),
      col("Won deals", "won_deals", "count"),
      col(
        "Target",
        "target",
        "money",
        data.filter.source ? undefined : { type: "line", color: "#d9534f" },
      ),
    ],
    chart: {
      category: (r) => f.month(str(r, "month")),
      xName: "Month (closing date)",
      yName: `Revenue (${data.snapshot.currency})`,
      yFormat: f.moneyShort,
    },
  }),
});

/** New leads by source, stacked per bucket (a pivot of the rows: its own chart). */
function leadsBySourceChart(ctx: PanelContext, lot: Row[]): ChartOption {
  const { data } = ctx;
  const buckets = [...new Set(lot.map((r) => str(r, "bucket")))];
  const sources = [...new Set(lot.map((r) => str(r, "lead_source")))];
  const leadsAt = new Map(lot.map((r) => [`${str(r, "bucket")}|${str(r, "lead_source")}`, r]));
  return categoryOption({
    categories: buckets.map((b) => bucketLabel(ctx, b)),
    series: sources.map((s) => ({
      name: s,
      stack: "leads",
      data: buckets.map((b) => num(leadsAt.get(`${b}|${s}`), "leads") ?? 0),
    })),
    xName: `${data.filter.grain[0]!.toUpperCase()}${data.filter.grain.slice(1)} starting`,
    yName: "Leads created",
  });
}

/** Where new leads come from, bucket by bucket. */
export const leadsBySourcePanel = definePanel({
  id: "leads-by-source",
  fields: z.object({ leads_over_time: Rows }),
  build: (ctx, { leads_over_time }) => ({
    question: `Where do new leads come from, ${ctx.data.filter.grain} by ${ctx.data.filter.grain}?`,
    rows: leads_over_time,
    columns: [
      col("Bucket", "bucket"),
      col("Lead source", "lead_source"),
      col("Leads", "leads", "count"),
    ],
    option: leadsBySourceChart(ctx, leads_over_time),
  }),
});

/** The period's lead cohorts of each source, to deals and wins. */
export const funnelPanel = definePanel({
  id: "funnel",
  fields: z.object({ funnel: Rows }),
  build: ({ data }, { funnel }) => ({
    question: `How do the ${
      PERIOD_LABEL[data.filter.period]
    } lead cohorts of each source turn into deals and wins?`,
    rows: funnel,
    columns: [
      col("Lead source", "lead_source"),
      col("Leads", "leads", "count", {}),
      col("With a deal", "with_deal", "count", {}),
      col("Won", "won", "count", {}),
      col("Lead → deal", "lead_to_deal_pct", "pct"),
      col("Lead → won", "lead_to_won_pct", "pct"),
    ],
    chart: { category: (r) => str(r, "lead_source"), xName: "Lead source", yName: "Leads" },
  }),
});

const COHORT_METRICS = [
  ["lead_to_deal_pct", "Lead → deal"],
  ["converted_pct", "Converted"],
  ["lead_to_won_pct", "Lead → won"],
] as const;

/** A heatmap of cohort months × conversion shares. */
function cohortsChart(co: Row[], f: Formats): ChartOption {
  const cells = co.flatMap((r, i) =>
    COHORT_METRICS.map(([m], j) => [i, j, num(r, m) ?? 0] as [number, number, number])
  );
  return {
    grid: { left: 104, right: 20, top: 10, bottom: 84 },
    xAxis: {
      type: "category",
      data: co.map((r) => f.month(str(r, "cohort_month"))),
      name: "Cohort (month leads were created)",
      nameLocation: "middle",
      nameGap: 28,
      axisLabel: { fontSize: 11 },
    },
    yAxis: {
      type: "category",
      data: COHORT_METRICS.map(([, l]) => l),
      name: "Share of the cohort (%)",
      nameLocation: "middle",
      nameGap: 84,
      nameTextStyle: { fontSize: 11, color: "#555" },
    },
    visualMap: {
      min: 0,
      max: Math.max(1, ...cells.map((c) => c[2])),
      orient: "horizontal",
      left: "center",
      bottom: 0,
      itemHeight: 120,
      text: ["high %", "low %"],
      calculable: false,
    },
    series: [{ type: "heatmap", data: cells, label: { show: true, fontSize: 10 } }],
  };
}

/** Monthly lead cohorts to deals and wins. */
export const cohortsPanel = definePanel({
  id: "cohorts",
  fields: z.object({ cohorts: Rows }),
  build: ({ f }, { cohorts }) => ({
    question: "Which monthly lead cohorts convert to deals and wins?",
    rows: cohorts,
    columns: [
      { label: "Cohort", cell: (r) => str(r, "cohort_month").slice(0, 7) },
      col("Leads", "leads", "count"),
      col("With a deal", "with_deal", "count"),
      col("Converted", "converted", "count"),
      col("Won", "won", "count"),
      col("Lead → deal", "lead_to_deal_pct", "pct"),
      col("Lead → won", "lead_to_won_pct", "pct"),
      { label: "Complete", cell: (r) => r.incomplete ? "no (still maturing)" : "yes" },
    ],
    option: cohortsChart(cohorts, f),
  }),
});

/** Win rate over time, by count and by value. */
export const winRatePanel = definePanel({
  id: "win-rate",
  fields: z.object({ win_rate: Obj.nullable(), win_rate_over_time: Rows }),
  build: (ctx, { win_rate, win_rate_over_time }) => {
    const { data, f } = ctx;
    return {
      question: "Is our win rate improving, by count and by value?",
      note: win_rate
        ? `${PERIOD_LABEL[data.filter.period]}: ${
          f.pct(num(win_rate, "win_rate_count_pct"))
        } by count, ${f.pct(num(win_rate, "win_rate_value_pct"))} by value`
        : undefined,
      rows: win_rate_over_time,
      columns: [
        col("Bucket", "bucket"),
        col("Won", "won", "count"),
        col("Lost", "lost", "count"),
        col("Won amount", "won_amount", "money"),
        col("Lost amount", "lost_amount", "money"),
        col("By count", "win_rate_count_pct", "pct", { type: "line" }),
        col("By value", "win_rate_value_pct", "pct", { type: "line" }),
      ],
      chart: {
        category: (r) => bucketLabel(ctx, str(r, "bucket")),
        xName: "Closing date",
        yName: "Win rate (%)",
        yFormat: (v) => `${v}%`,
      },
    };
  },
});

/** Sales velocity by source. */
export const velocityPanel = definePanel({
  id: "velocity",
  fields: z.object({ velocity: Rows }),
  build: ({ data, f }, { velocity }) => ({
    question: "Which sources turn pipeline into revenue fastest (sales velocity)?",
    note: "Last 12 months: open deals × win rate × average deal size ÷ average cycle",
    rows: velocity,
    columns: [
      { label: "Source", cell: (r) => str(r, "key") || "All sources" },
      col("Open deals", "open_deals", "count"),
      col("Win rate", "win_rate_pct", "pct"),
      col("Avg deal", "avg_deal_size", "money"),
      col("Avg cycle", "avg_cycle_days", "days"),
      col("Per day", "velocity_per_day", "money", { name: "Velocity per day" }),
    ],
    chart: {
      category: (r) => str(r, "key") || "All sources",
      xName: "Lead source",
      yName: `${data.snapshot.currency} per day`,
      yFormat: f.moneyShort,
    },
  }),
});
