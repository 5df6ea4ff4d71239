/** Team and operations panels: lead response, owner leaderboard, source ROI, data quality, anomalies, sync health. */
import { num, Obj, type Row, Rows, str } from "./data.ts";
import { z } from "zod";
import { allSourcesNote, asOfNote, col, definePanel, PERIOD_LABEL } from "./panel.ts";

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

/** Time to first touch of the period's new leads: one row per bucket, then all leads. */
export const leadResponsePanel = definePanel({
  id: "lead-response",
  fields: z.object({ response: Obj }),
  build: ({ data, f }, { response }) => ({
    question: `How fast do we first contact new leads (${PERIOD_LABEL[data.filter.period]})?`,
    rows: RESPONSE_BUCKETS.map(([k, bucket]) => ({ bucket, leads: num(response, k) })),
    columns: [col("First touch", "bucket"), col("Leads", "leads", "count", {})],
    extraRows: [["All leads", f.count(num(response, "leads"))]],
    chart: {
      category: (r) => str(r, "bucket"),
      xName: "Time from lead creation to first call, task or event",
      yName: "Leads",
    },
  }),
});

const ownerName = (r: Row) => str(r, "owner_name") || str(r, "owner_id");

/** The owner leaderboard of the period. */
export const ownersPanel = definePanel({
  id: "owners",
  fields: z.object({ owners: Rows }),
  build: ({ data, f }, { owners }) => ({
    question: `Who is closing the most revenue (${PERIOD_LABEL[data.filter.period]})?`,
    note: data.filter.source ? "Open pipeline: all sources" : undefined,
    rows: owners,
    columns: [
      { label: "Owner", cell: ownerName },
      col("Won amount", "won_amount", "money", {}),
      col("Won", "won", "count"),
      col("Lost", "lost", "count"),
      col("Win rate", "win_rate_count_pct", "pct"),
      col("Leads", "leads", "count"),
      col("Open pipeline", "open_pipeline", "money"),
    ],
    chart: {
      category: ownerName,
      xName: "Owner",
      yName: `Won amount (${data.snapshot.currency})`,
      yFormat: f.moneyShort,
      horizontal: true,
    },
  }),
});

/** Campaign spend against won revenue, by lead source. */
export const campaignRoiPanel = definePanel({
  id: "campaign-roi",
  fields: z.object({ source_roi: Rows.nullable() }),
  build: (ctx, { source_roi }) => ({
    question: "Which lead sources pay back their campaign spend?",
    note: ["Last 12 months", allSourcesNote(ctx)].filter(Boolean).join("; "),
    rows: source_roi ?? [],
    columns: [
      col("Source", "lead_source"),
      col("Cost", "cost", "money", { name: "Campaign cost" }),
      col("Leads", "leads", "count"),
      col("Won", "won_deals", "count"),
      col("Revenue", "revenue", "money", { name: "Won revenue" }),
      col("Cost per lead", "cost_per_lead", "money"),
      col("Cost per win", "cost_per_won_deal", "money"),
      col("ROI", "roi_pct", "pct"),
    ],
    chart: {
      category: (r) => str(r, "lead_source"),
      xName: "Lead source",
      yName: `Amount (${ctx.data.snapshot.currency})`,
      yFormat: ctx.f.moneyShort,
    },
  }),
});

const checkName = (r: Row) => QUALITY_CHECK[str(r, "check_id")] ?? str(r, "check_id");

/** CRM data-quality checks. */
export const dataQualityPanel = definePanel({
  id: "data-quality",
  fields: z.object({ data_quality: Rows.nullable() }),
  build: (ctx, { data_quality }) => ({
    question: "Where is CRM data missing or neglected?",
    note: asOfNote(ctx, false),
    rows: data_quality ?? [],
    columns: [
      { label: "Check", cell: checkName },
      col("Affected", "count", "count"),
      col("Of", "total", "count"),
      col("Share", "pct", "pct", { name: "Share affected (%)" }),
    ],
    chart: {
      category: checkName,
      xName: "Check",
      yName: "Share of records affected (%)",
      horizontal: true,
    },
    chartHeight: 320,
  }),
});

/** This week's unusual moves by source and metric. */
export const anomaliesPanel = definePanel({
  id: "anomalies",
  fields: z.object({ anomalies: Rows }),
  build: ({ f }, { anomalies }) => {
    // Money for won revenue, counts for leads; the label says which ("Trade Show · won revenue").
    const value = (r: Row, key: string) =>
      str(r, "metric") === "won_revenue" ? f.money(num(r, key)) : f.count(num(r, key));
    return {
      question: "Which sources moved unusually this week?",
      note: "This week against the range the previous weeks make expected (robust z, capped at " +
        "±10; flagged beyond the threshold with enough volume)",
      rows: anomalies,
      columns: [
        col("Source · metric", "label"),
        col("Week from", "week_start"),
        { label: "This week", cell: (r) => value(r, "value") },
        {
          label: "Expected",
          cell: (r) => `${value(r, "expected_low")} – ${value(r, "expected_high")}`,
        },
        { label: "Last week", cell: (r) => value(r, "prev_value") },
        col("Robust z", "robust_z", "text", {}),
        { label: "Flagged", cell: (r) => r.is_anomaly ? "yes" : "no" },
      ],
      chart: {
        category: (r) => str(r, "label"),
        xName: "Source · metric",
        yName: "Robust z-score of the weekly change",
        horizontal: true,
      },
      chartHeight: 340,
    };
  },
});

/** The last sync runs: newest first in the table, oldest first in the chart. */
export const syncHealthPanel = definePanel({
  id: "sync-health",
  fields: z.object({ sync_runs: Rows }),
  build: ({ f }, { sync_runs }) => ({
    question: "Is the Zoho sync healthy and within its API credits?",
    note: "Last runs, oldest first; all sources",
    rows: sync_runs,
    columns: [
      { label: "Started", cell: (r) => f.dateTime(str(r, "started_at")) },
      col("Mode", "mode"),
      col("Status", "status"),
      col("Slices", "slices", "count"),
      col("Fetched", "fetched", "count", { name: "Records fetched" }),
      col("Changed", "changed", "count"),
      col("API calls", "api_calls", "count"),
      col("Credits", "credits_used", "count", { name: "API credits", type: "line", axis: 1 }),
      col("Errors", "errors", "count"),
    ],
    chart: {
      category: (r) => f.dateTime(str(r, "started_at")),
      rows: [...sync_runs].reverse(),
      xName: "Run started",
      yName: "Records",
      y2Name: "Credits",
    },
  }),
});
