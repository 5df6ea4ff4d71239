/** Revenue and lead-flow panels: tiles, revenue vs target, leads by source, funnel, cohorts, win rate, velocity. */
import { categoryOption } from "./charts.ts";
import { num, str } from "./data.ts";
import { type Panel, type PanelContext, PERIOD_LABEL } from "./panel.ts";

function bucketLabel(ctx: PanelContext, iso: string): string {
  return ctx.data.filter.grain === "month" ? ctx.f.month(iso) : ctx.f.day(iso);
}

/** Whether a previous figure is too small for a percentage change to mean anything. */
function tinyBase(value: number | null, prev: number | null): boolean {
  return value !== null && prev !== null && prev * 4 < value;
}

/** All revenue and lead-flow panels. */
export function revenuePanels(ctx: PanelContext): Panel[] {
  const { data, f } = ctx;
  const src = data.filter.source;
  const per = PERIOD_LABEL[data.filter.period]!;
  const panels: Panel[] = [];

  panels.push({
    id: "tiles",
    question: "How much have we sold this month, quarter and year, against the period before?",
    note: src ? `Revenue: all sources; leads: ${src}` : undefined,
    tiles: data.tiles.map((t) => ({
      label: `Revenue ${str(t, "period").toUpperCase()}`,
      value: f.money(num(t, "revenue")),
      // A change on a tiny base (the previous figure under a quarter of this one: +662% on
      // the 4th of a month) is no news; the tile says both amounts, as the brief does.
      detail: tinyBase(num(t, "revenue"), num(t, "prev_revenue"))
        ? `against ${f.money(num(t, "prev_revenue"))} the period before`
        : `${f.pct(num(t, "revenue_growth_pct"))} vs ${f.money(num(t, "prev_revenue"))}`,
    })),
    table: {
      columns: [
        "Period",
        "Revenue",
        "Previous",
        "Change",
        "Target",
        "Attainment",
        "Leads",
        "Previous leads",
        "Leads change",
      ],
      rows: data.tiles.map((t) => [
        str(t, "period").toUpperCase(),
        f.money(num(t, "revenue")),
        f.money(num(t, "prev_revenue")),
        f.pct(num(t, "revenue_growth_pct")),
        f.money(num(t, "target")),
        f.pct(num(t, "attainment_pct")),
        f.count(num(t, "leads")),
        f.count(num(t, "prev_leads")),
        f.pct(num(t, "leads_growth_pct")),
      ]),
    },
  });

  const rm = data.revenue_by_month;
  panels.push({
    id: "revenue-by-month",
    question: "Is monthly Closed Won revenue on target?",
    note: src ? "Target: company-wide targets are not split by source" : undefined,
    chart: categoryOption({
      categories: rm.map((r) => f.month(str(r, "month"))),
      series: [
        { name: "Revenue", data: rm.map((r) => num(r, "revenue")) },
        ...(src ? [] : [{
          name: "Target",
          type: "line" as const,
          data: rm.map((r) => num(r, "target")),
          color: "#d9534f",
        }]),
      ],
      xName: "Month (closing date)",
      yName: `Revenue (${data.snapshot.currency})`,
      yFormat: f.moneyShort,
    }),
    table: {
      columns: ["Month", "Revenue", "Won deals", "Target"],
      rows: rm.map((r) => [
        f.month(str(r, "month")),
        f.money(num(r, "revenue")),
        f.count(num(r, "won_deals")),
        f.money(num(r, "target")),
      ]),
    },
  });

  const lot = data.leads_over_time;
  const buckets = [...new Set(lot.map((r) => str(r, "bucket")))];
  const sources = [...new Set(lot.map((r) => str(r, "lead_source")))];
  const leadsAt = new Map(lot.map((r) => [`${str(r, "bucket")}|${str(r, "lead_source")}`, r]));
  panels.push({
    id: "leads-by-source",
    question: `Where do new leads come from, ${data.filter.grain} by ${data.filter.grain}?`,
    chart: categoryOption({
      categories: buckets.map((b) => bucketLabel(ctx, b)),
      series: sources.map((s) => ({
        name: s,
        stack: "leads",
        data: buckets.map((b) => num(leadsAt.get(`${b}|${s}`), "leads") ?? 0),
      })),
      xName: `${data.filter.grain[0]!.toUpperCase()}${data.filter.grain.slice(1)} starting`,
      yName: "Leads created",
    }),
    table: {
      columns: ["Bucket", "Lead source", "Leads"],
      rows: lot.map((r) => [str(r, "bucket"), str(r, "lead_source"), f.count(num(r, "leads"))]),
    },
  });

  const fn = data.funnel;
  panels.push({
    id: "funnel",
    question: `How do the ${per} lead cohorts of each source turn into deals and wins?`,
    chart: categoryOption({
      categories: fn.map((r) => str(r, "lead_source")),
      series: [
        { name: "Leads", data: fn.map((r) => num(r, "leads")) },
        { name: "With a deal", data: fn.map((r) => num(r, "with_deal")) },
        { name: "Won", data: fn.map((r) => num(r, "won")) },
      ],
      xName: "Lead source",
      yName: "Leads",
    }),
    table: {
      columns: ["Lead source", "Leads", "With a deal", "Won", "Lead → deal", "Lead → won"],
      rows: fn.map((r) => [
        str(r, "lead_source"),
        f.count(num(r, "leads")),
        f.count(num(r, "with_deal")),
        f.count(num(r, "won")),
        f.pct(num(r, "lead_to_deal_pct")),
        f.pct(num(r, "lead_to_won_pct")),
      ]),
    },
  });

  const co = data.cohorts;
  const metrics = [
    ["lead_to_deal_pct", "Lead → deal"],
    ["converted_pct", "Converted"],
    ["lead_to_won_pct", "Lead → won"],
  ] as const;
  const cells = co.flatMap((r, i) =>
    metrics.map(([m], j) => [i, j, num(r, m) ?? 0] as [number, number, number])
  );
  panels.push({
    id: "cohorts",
    question: "Which monthly lead cohorts convert to deals and wins?",
    chart: {
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
        data: metrics.map(([, l]) => l),
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
    },
    table: {
      columns: [
        "Cohort",
        "Leads",
        "With a deal",
        "Converted",
        "Won",
        "Lead → deal",
        "Lead → won",
        "Complete",
      ],
      rows: co.map((r) => [
        str(r, "cohort_month").slice(0, 7),
        f.count(num(r, "leads")),
        f.count(num(r, "with_deal")),
        f.count(num(r, "converted")),
        f.count(num(r, "won")),
        f.pct(num(r, "lead_to_deal_pct")),
        f.pct(num(r, "lead_to_won_pct")),
        r.incomplete ? "no (still maturing)" : "yes",
      ]),
    },
  });

  const wr = data.win_rate_over_time;
  panels.push({
    id: "win-rate",
    question: "Is our win rate improving, by count and by value?",
    note: data.win_rate
      ? `${per}: ${f.pct(num(data.win_rate, "win_rate_count_pct"))} by count, ${
        f.pct(num(data.win_rate, "win_rate_value_pct"))
      } by value`
      : undefined,
    chart: categoryOption({
      categories: wr.map((r) => bucketLabel(ctx, str(r, "bucket"))),
      series: [
        { name: "By count", type: "line", data: wr.map((r) => num(r, "win_rate_count_pct")) },
        { name: "By value", type: "line", data: wr.map((r) => num(r, "win_rate_value_pct")) },
      ],
      xName: "Closing date",
      yName: "Win rate (%)",
      yFormat: (v) => `${v}%`,
    }),
    table: {
      columns: ["Bucket", "Won", "Lost", "Won amount", "Lost amount", "By count", "By value"],
      rows: wr.map((r) => [
        str(r, "bucket"),
        f.count(num(r, "won")),
        f.count(num(r, "lost")),
        f.money(num(r, "won_amount")),
        f.money(num(r, "lost_amount")),
        f.pct(num(r, "win_rate_count_pct")),
        f.pct(num(r, "win_rate_value_pct")),
      ]),
    },
  });

  const ve = data.velocity;
  panels.push({
    id: "velocity",
    question: "Which sources turn pipeline into revenue fastest (sales velocity)?",
    note: "Last 12 months: open deals × win rate × average deal size ÷ average cycle",
    chart: categoryOption({
      categories: ve.map((r) => str(r, "key") || "All sources"),
      series: [{ name: "Velocity per day", data: ve.map((r) => num(r, "velocity_per_day")) }],
      xName: "Lead source",
      yName: `${data.snapshot.currency} per day`,
      yFormat: f.moneyShort,
    }),
    table: {
      columns: ["Source", "Open deals", "Win rate", "Avg deal", "Avg cycle", "Per day"],
      rows: ve.map((r) => [
        str(r, "key") || "All sources",
        f.count(num(r, "open_deals")),
        f.pct(num(r, "win_rate_pct")),
        f.money(num(r, "avg_deal_size")),
        f.days(num(r, "avg_cycle_days")),
        f.money(num(r, "velocity_per_day")),
      ]),
    },
  });
  return panels;
}
