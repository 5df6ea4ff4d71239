/** Team and operations panels: lead response, owner leaderboard, source ROI, data quality, anomalies, sync health. */
import { categoryOption } from "./charts.ts";
import { num, str } from "./data.ts";
import { allSourcesNote, asOfNote, type Panel, type PanelContext, PERIOD_LABEL } from "./panel.ts";

const RESPONSE_BUCKETS = [
  ["le_1h", "≤ 1 h"],
  ["le_4h", "1–4 h"],
  ["le_24h", "4–24 h"],
  ["le_72h", "1–3 d"],
  ["le_168h", "3–7 d"],
  ["later", "> 7 d"],
  ["untouched", "Not yet"],
] as const;

const QUALITY_CHECK: Record<string, string> = {
  open_deals_without_amount: "Open deals without amount",
  open_deals_zero_amount: "Open deals with zero amount",
  open_deals_without_closing_date: "Open deals without closing date",
  open_deals_without_owner: "Open deals without owner",
  open_deals_without_source: "Open deals without lead source",
  leads_never_touched: "Leads never touched",
  recent_leads_untouched: "Recent leads untouched",
};

/** All team and operations panels. */
export function opsPanels(ctx: PanelContext): Panel[] {
  const { data, f } = ctx;
  const per = PERIOD_LABEL[data.filter.period]!;
  const panels: Panel[] = [];

  const rs = data.response;
  panels.push({
    id: "lead-response",
    question: `How fast do we first contact new leads (${per})?`,
    chart: categoryOption({
      categories: RESPONSE_BUCKETS.map(([, l]) => l),
      series: [{ name: "Leads", data: RESPONSE_BUCKETS.map(([k]) => num(rs, k)) }],
      xName: "Time from lead creation to first call, task or event",
      yName: "Leads",
    }),
    table: {
      columns: ["First touch", "Leads"],
      rows: [
        ...RESPONSE_BUCKETS.map(([k, l]) => [l, f.count(num(rs, k))]),
        ["All leads", f.count(num(rs, "leads"))],
      ],
    },
  });

  const ow = data.owners;
  panels.push({
    id: "owners",
    question: `Who is closing the most revenue (${per})?`,
    note: data.filter.source ? "Open pipeline: all sources" : undefined,
    chart: categoryOption({
      categories: ow.map((r) => str(r, "owner_name") || str(r, "owner_id")),
      series: [{ name: "Won amount", data: ow.map((r) => num(r, "won_amount")) }],
      xName: "Owner",
      yName: `Won amount (${data.snapshot.currency})`,
      yFormat: f.moneyShort,
      horizontal: true,
    }),
    table: {
      columns: ["Owner", "Won amount", "Won", "Lost", "Win rate", "Leads", "Open pipeline"],
      rows: ow.map((r) => [
        str(r, "owner_name") || str(r, "owner_id"),
        f.money(num(r, "won_amount")),
        f.count(num(r, "won")),
        f.count(num(r, "lost")),
        f.pct(num(r, "win_rate_count_pct")),
        f.count(num(r, "leads")),
        f.money(num(r, "open_pipeline")),
      ]),
    },
  });

  const roi = data.source_roi ?? [];
  panels.push({
    id: "campaign-roi",
    question: "Which lead sources pay back their campaign spend?",
    note: ["Last 12 months", allSourcesNote(ctx)].filter(Boolean).join("; "),
    chart: categoryOption({
      categories: roi.map((r) => str(r, "lead_source")),
      series: [
        { name: "Campaign cost", data: roi.map((r) => num(r, "cost")) },
        { name: "Won revenue", data: roi.map((r) => num(r, "revenue")) },
      ],
      xName: "Lead source",
      yName: `Amount (${data.snapshot.currency})`,
      yFormat: f.moneyShort,
    }),
    table: {
      columns: [
        "Source",
        "Cost",
        "Leads",
        "Won",
        "Revenue",
        "Cost per lead",
        "Cost per win",
        "ROI",
      ],
      rows: roi.map((r) => [
        str(r, "lead_source"),
        f.money(num(r, "cost")),
        f.count(num(r, "leads")),
        f.count(num(r, "won_deals")),
        f.money(num(r, "revenue")),
        f.money(num(r, "cost_per_lead")),
        f.money(num(r, "cost_per_won_deal")),
        f.pct(num(r, "roi_pct")),
      ]),
    },
  });

  const dq = data.data_quality ?? [];
  const dqName = (r: Record<string, unknown>) =>
    QUALITY_CHECK[str(r, "check_id")] ?? str(r, "check_id");
  panels.push({
    id: "data-quality",
    question: "Where is CRM data missing or neglected?",
    note: asOfNote(ctx, false),
    chart: categoryOption({
      categories: dq.map(dqName),
      series: [{ name: "Share affected (%)", data: dq.map((r) => num(r, "pct")) }],
      xName: "Check",
      yName: "Share of records affected (%)",
      horizontal: true,
    }),
    chartHeight: 320,
    table: {
      columns: ["Check", "Affected", "Of", "Share"],
      rows: dq.map((r) => [
        dqName(r),
        f.count(num(r, "count")),
        f.count(num(r, "total")),
        f.pct(num(r, "pct")),
      ]),
    },
  });

  const an = data.anomalies;
  // Dollars for won revenue, counts for leads; the label says which ("Trade Show · won revenue").
  const anValue = (r: Record<string, unknown>, key: string) =>
    str(r, "metric") === "won_revenue" ? f.money(num(r, key)) : f.count(num(r, key));
  panels.push({
    id: "anomalies",
    question: "Which sources moved unusually this week?",
    note: "This week against the range the previous weeks make expected (robust z, capped at " +
      "±10; flagged beyond the threshold with enough volume)",
    chart: categoryOption({
      categories: an.map((r) => str(r, "label")),
      series: [{ name: "Robust z", data: an.map((r) => num(r, "robust_z")) }],
      xName: "Source · metric",
      yName: "Robust z-score of the weekly change",
      horizontal: true,
    }),
    chartHeight: 340,
    table: {
      columns: [
        "Source · metric",
        "Week from",
        "This week",
        "Expected",
        "Last week",
        "Robust z",
        "Flagged",
      ],
      rows: an.map((r) => [
        str(r, "label"),
        str(r, "week_start"),
        anValue(r, "value"),
        `${anValue(r, "expected_low")} – ${anValue(r, "expected_high")}`,
        anValue(r, "prev_value"),
        str(r, "robust_z"),
        r.is_anomaly ? "yes" : "no",
      ]),
    },
  });

  const sr = [...data.sync_runs].reverse();
  panels.push({
    id: "sync-health",
    question: "Is the Zoho sync healthy and within its API credits?",
    note: "Last runs, oldest first; all sources",
    chart: categoryOption({
      categories: sr.map((r) => f.dateTime(str(r, "started_at"))),
      series: [
        { name: "Records fetched", data: sr.map((r) => num(r, "fetched")) },
        { name: "API credits", type: "line", axis: 1, data: sr.map((r) => num(r, "credits_used")) },
      ],
      xName: "Run started",
      yName: "Records",
      y2Name: "Credits",
    }),
    table: {
      columns: [
        "Started",
        "Mode",
        "Status",
        "Slices",
        "Fetched",
        "Changed",
        "API calls",
        "Credits",
        "Errors",
      ],
      rows: data.sync_runs.map((r) => [
        f.dateTime(str(r, "started_at")),
        str(r, "mode"),
        str(r, "status"),
        f.count(num(r, "slices")),
        f.count(num(r, "fetched")),
        f.count(num(r, "changed")),
        f.count(num(r, "api_calls")),
        f.count(num(r, "credits_used")),
        f.count(num(r, "errors")),
      ]),
    },
  });
  return panels;
}
