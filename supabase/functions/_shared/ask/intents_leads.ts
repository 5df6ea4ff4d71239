/** Lead intents: leads, by source/owner, speed to lead, untouched, data quality, ROI, conversion. */
import { z } from "zod";
import {
  formatChange,
  formatDay,
  formatMoney,
  formatMonth,
  formatNumber,
  formatPct,
  plural,
} from "./format.ts";
import { PeriodSchema } from "./periods.ts";
import { DAY, defineIntent, INT, NAME, NUM, TEXT } from "./registry.ts";

export const leads = defineIntent({
  name: "leads",
  description: "New leads for a period, optionally of one source or rep",
  example: "leads today from facebook",
  params: z.object({
    period: PeriodSchema.default("today"),
    source: NAME.optional(),
    owner: NAME.optional(),
  }),
  cues: [["leads"], ["leads", "fresh"]],
  sql: {
    fn: "ask.leads",
    args: (p) => [[p.period, "text"], [p.source ?? null, "text"], [p.owner ?? null, "text"]],
  },
  row: z.object({ label: TEXT, leads: INT, prev_leads: INT, growth_pct: NUM }),
  render([r], p) {
    if (!r) return "No lead figure for that period.";
    const of = p.source ? ` from ${p.source}` : p.owner ? ` for ${p.owner}` : "";
    return `Leads ${r.label}${of}: ${formatNumber(r.leads)} (previous period ${
      formatNumber(r.prev_leads)
    }, ${formatChange(r.growth_pct)}).`;
  },
});

const LeadsByRow = z.object({
  label: TEXT,
  name: TEXT,
  leads: INT,
  prev_leads: INT,
  share_pct: NUM,
});

function renderLeadsBy(title: string) {
  return (rows: z.infer<typeof LeadsByRow>[], p: { period: string }) => {
    if (!rows.length) return `No leads ${p.period.replaceAll("_", " ")}.`;
    return [`Leads ${rows[0]!.label} by ${title}:`].concat(
      rows.map((r) =>
        `• ${r.name}: ${formatNumber(r.leads)} (${formatPct(r.share_pct)}; before ${
          formatNumber(r.prev_leads)
        })`
      ),
    ).join("\n");
  };
}

export const leadsBySource = defineIntent({
  name: "leads_by_source",
  description: "New leads by source",
  example: "leads by source this week",
  params: z.object({ period: PeriodSchema.default("this_week") }),
  cues: [["leads", "source"]],
  sql: { fn: "ask.leads_by", args: (p) => [[p.period, "text"], ["source", "text"]] },
  row: LeadsByRow,
  render: renderLeadsBy("source"),
});

export const leadsByOwner = defineIntent({
  name: "leads_by_owner",
  description: "New leads by rep",
  example: "leads per rep this month",
  params: z.object({ period: PeriodSchema.default("this_week") }),
  cues: [["leads", "owner"]],
  sql: { fn: "ask.leads_by", args: (p) => [[p.period, "text"], ["owner", "text"]] },
  row: LeadsByRow,
  render: renderLeadsBy("rep"),
});

export const responseTime = defineIntent({
  name: "response_time",
  description: "Speed to lead: hours from new lead to first call/task/meeting",
  example: "response time this month",
  params: z.object({
    period: PeriodSchema.default("this_month"),
    source: NAME.optional(),
    owner: NAME.optional(),
  }),
  cues: [["response"], ["response", "leads"]],
  sql: {
    fn: "ask.response_time",
    args: (p) => [[p.period, "text"], [p.source ?? null, "text"], [p.owner ?? null, "text"]],
  },
  row: z.object({
    label: TEXT,
    leads: INT,
    touched: INT,
    untouched: INT,
    median_hours: NUM,
    avg_hours: NUM,
    within_1h_pct: NUM,
  }),
  render([r], p) {
    const of = p.source ? ` (${p.source})` : p.owner ? ` (${p.owner})` : "";
    if (!r || r.leads === 0) return `No new leads${of} in that period.`;
    return `Speed to lead ${r.label}${of}: median ${formatNumber(r.median_hours)} h, average ${
      formatNumber(r.avg_hours)
    } h; ${formatPct(r.within_1h_pct)} of touched leads within 1 h. ${
      formatNumber(r.untouched)
    } of ${plural(r.leads, "lead")} not touched yet.`;
  },
});

export const untouchedLeads = defineIntent({
  name: "untouched_leads",
  description: "Open leads nobody has called or met",
  example: "untouched leads",
  params: z.object({}),
  cues: [["untouched"], ["untouched", "leads"]],
  sql: { fn: "ask.untouched_leads", args: () => [] },
  row: z.object({
    never_touched: INT,
    open_leads: INT,
    never_touched_pct: NUM,
    recent_untouched: INT,
    recent_leads: INT,
    recent_days: INT,
  }),
  render([r]) {
    if (!r) return "No open leads.";
    return `Untouched open leads: ${formatNumber(r.never_touched)} of ${
      formatNumber(r.open_leads)
    } (${formatPct(r.never_touched_pct)}). Of the last ${r.recent_days} days' ${
      formatNumber(r.recent_leads)
    } leads, ${formatNumber(r.recent_untouched)} untouched.`;
  },
});

const CHECKS: Record<string, string> = {
  open_deals_without_amount: "open deals without amount",
  open_deals_zero_amount: "open deals at zero",
  open_deals_without_closing_date: "open deals without closing date",
  open_deals_without_owner: "open deals without owner",
  open_deals_without_source: "open deals without source",
  leads_never_touched: "open leads never touched",
  recent_leads_untouched: "recent leads untouched",
};

export const dataQuality = defineIntent({
  name: "data_quality",
  description: "CRM hygiene: missing amounts, dates, owners, untouched leads",
  example: "data quality",
  params: z.object({}),
  cues: [["quality"]],
  sql: { fn: "ask.data_quality", args: () => [] },
  row: z.object({ check_id: TEXT, count: INT, total: INT, pct: NUM }),
  render(rows) {
    return ["Data quality:"].concat(
      rows.map((r) =>
        `• ${CHECKS[r.check_id] ?? r.check_id}: ${formatNumber(r.count)} of ${
          formatNumber(r.total)
        } (${formatPct(r.pct)})`
      ),
    ).join("\n");
  },
});

export const sourceRoi = defineIntent({
  name: "source_roi",
  description: "Marketing cost, revenue and ROI per lead source",
  example: "roi by source",
  params: z.object({ period: PeriodSchema.default("last_12_months"), source: NAME.optional() }),
  cues: [["roi"], ["roi", "source"], ["roi", "leads"]],
  sql: { fn: "ask.source_roi", args: (p) => [[p.period, "text"], [p.source ?? null, "text"]] },
  row: z.object({
    label: TEXT,
    lead_source: TEXT,
    cost: z.number(),
    leads: INT,
    won_deals: INT,
    revenue: z.number(),
    cost_per_lead: NUM,
    roi_pct: NUM,
  }),
  render(rows, _p, { currency }) {
    if (!rows.length) return "No leads, costs or revenue for that source and period.";
    return [`Source ROI ${rows[0]!.label}:`].concat(
      rows.map((r) =>
        `• ${r.lead_source}: cost ${formatMoney(r.cost, currency)}, ${plural(r.leads, "lead")}${
          r.cost > 0 && r.cost_per_lead !== null
            ? ` (${formatMoney(r.cost_per_lead, currency)} a lead)`
            : ""
        }, revenue ${formatMoney(r.revenue, currency)}, ROI ${formatPct(r.roi_pct)}`
      ),
    ).join("\n");
  },
});

export const leadConversion = defineIntent({
  name: "lead_conversion",
  description: "Lead → deal and lead → won conversion of recent monthly cohorts",
  example: "lead conversion rate",
  params: z.object({ source: NAME.optional() }),
  cues: [["conversion"], ["conversion", "leads"]],
  sql: {
    fn: "ask.lead_conversion",
    args: (p) => [[3, "integer"], [p.source ?? null, "text"]],
  },
  row: z.object({
    cohort_month: DAY,
    leads: INT,
    with_deal: INT,
    won: INT,
    lead_to_deal_pct: NUM,
    lead_to_won_pct: NUM,
    incomplete: z.boolean(),
  }),
  render(rows, p) {
    const of = p.source ? ` of ${p.source} leads` : "";
    if (!rows.length) return `No leads${of} in the last three months.`;
    return [`Lead conversion${of} by month created:`].concat(
      rows.map((r) =>
        `• ${formatMonth(r.cohort_month)}: ${plural(r.leads, "lead")} → ${
          formatPct(r.lead_to_deal_pct)
        } to deal, ${formatPct(r.lead_to_won_pct)} won${r.incomplete ? " (still maturing)" : ""}`
      ),
    ).join("\n");
  },
});

export const leadConversionBySource = defineIntent({
  name: "lead_conversion_by_source",
  description: "Which lead source converts best: lead → deal and lead → won per source",
  example: "lead conversion by source",
  params: z.object({ period: PeriodSchema.default("last_12_months") }),
  cues: [["conversion", "source"]],
  sql: { fn: "ask.lead_conversion_by_source", args: (p) => [[p.period, "text"]] },
  row: z.object({
    label: TEXT,
    first_month: DAY,
    lead_source: TEXT,
    leads: INT,
    with_deal: INT,
    won: INT,
    lead_to_deal_pct: NUM,
    lead_to_won_pct: NUM,
  }),
  render(rows) {
    if (!rows.length) return "No leads created in that period.";
    const label = rows[0]!.label;
    return [
      `Lead conversion by source, leads created ${
        label.startsWith("the ") ? `in ${label}` : label
      } (cohorts since ${formatMonth(rows[0]!.first_month)}), best lead → won first:`,
    ].concat(
      rows.map((r) =>
        `• ${r.lead_source}: ${plural(r.leads, "lead")} → ${
          formatPct(r.lead_to_deal_pct)
        } to deal, ${formatPct(r.lead_to_won_pct)} won`
      ),
    ).join("\n");
  },
});

export const anomalies = defineIntent({
  name: "anomalies",
  description: "Unusual moves this week in leads or revenue by source",
  example: "any spikes or drops by source",
  params: z.object({}),
  cues: [["anomaly"]],
  sql: { fn: "ask.anomalies", args: () => [] },
  row: z.object({
    metric: TEXT,
    lead_source: TEXT,
    week_start: DAY,
    value: z.number(),
    prev_value: NUM,
    change_pct: NUM,
    robust_z: NUM,
  }),
  render(rows, _p, { currency }) {
    if (!rows.length) {
      return "Nothing unusual this week: every source moved within its normal range.";
    }
    return ["Unusual this week:"].concat(rows.map((r) => {
      const money = r.metric === "won_revenue";
      const v = (x: number | null) => (money ? formatMoney(x, currency) : formatNumber(x));
      return `• ${r.lead_source} ${money ? "won revenue" : "leads"}: ${
        v(r.value)
      } in the week from ${formatDay(r.week_start)} vs ${v(r.prev_value)} the week before (${
        formatChange(r.change_pct)
      })`;
    })).join("\n");
  },
});
