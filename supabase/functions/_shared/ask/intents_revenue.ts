/** Revenue and outcome intents: revenue, by source, leaderboard, trend, size, win rate. */
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
import { CALENDAR_PERIODS, PeriodSchema } from "./periods.ts";
import { DAY, defineIntent, INT, NAME, NUM, TEXT } from "./registry.ts";

const CalendarPeriod = z.enum(CALENDAR_PERIODS);

export const revenue = defineIntent({
  name: "revenue",
  description: "Closed Won revenue for a period, vs the previous period and the target",
  example: "rev mtd",
  params: z.object({
    period: CalendarPeriod.default("this_month"),
    source: NAME.optional(),
    owner: NAME.optional(),
  }),
  cues: [["revenue"], ["revenue", "target"], ["target"]],
  sql: {
    fn: "ask.revenue",
    args: (p) => [[p.period, "text"], [p.source ?? null, "text"], [p.owner ?? null, "text"]],
  },
  row: z.object({
    label: TEXT,
    start_day: DAY,
    end_day: DAY,
    revenue: z.number(),
    won_deals: INT,
    prev_revenue: z.number(),
    growth_pct: NUM,
    target: NUM,
    attainment_pct: NUM,
  }),
  render([r], p, { currency }) {
    const of = p.owner ? ` of ${p.owner}` : p.source ? ` from ${p.source}` : "";
    if (!r) return `No revenue figure${of} for that period.`;
    const lines = [
      `Revenue${of} ${r.label} (${formatDay(r.start_day)}–${formatDay(r.end_day)}): ${
        formatMoney(r.revenue, currency)
      } from ${plural(r.won_deals, "won deal")}.`,
      `Same days of the previous period: ${formatMoney(r.prev_revenue, currency)} (${
        formatChange(r.growth_pct)
      }).`,
    ];
    if (r.target !== null) {
      lines.push(
        `Target ${formatMoney(r.target, currency)}: ${formatPct(r.attainment_pct)} attained.`,
      );
    }
    return lines.join("\n");
  },
});

export const revenueBySource = defineIntent({
  name: "revenue_by_source",
  description: "Revenue by lead source",
  example: "revenue by source this quarter",
  params: z.object({ period: PeriodSchema.default("this_month") }),
  cues: [["revenue", "source"]],
  sql: { fn: "ask.revenue_by_source", args: (p) => [[p.period, "text"]] },
  row: z.object({
    label: TEXT,
    lead_source: TEXT,
    revenue: z.number(),
    won_deals: INT,
    share_pct: NUM,
  }),
  render(rows, p, { currency }) {
    if (!rows.length) return `No won deals ${p.period.replaceAll("_", " ")}.`;
    return [`Revenue by source ${rows[0]!.label}:`].concat(
      rows.map((r) =>
        `• ${r.lead_source}: ${formatMoney(r.revenue, currency)} (${formatPct(r.share_pct)}, ${
          plural(r.won_deals, "deal")
        })`
      ),
    ).join("\n");
  },
});

export const ownerLeaderboard = defineIntent({
  name: "owner_leaderboard",
  description: "Reps ranked by won revenue, with win rate",
  example: "leaderboard this quarter",
  params: z.object({
    period: PeriodSchema.default("this_quarter"),
    limit: z.number().int().min(1).max(10).default(5),
  }),
  cues: [["leaderboard"], ["revenue", "owner"], ["top", "owner"], ["win", "owner"]],
  sql: { fn: "ask.owner_leaderboard", args: (p) => [[p.period, "text"], [p.limit, "integer"]] },
  row: z.object({
    label: TEXT,
    rank: INT,
    owner: TEXT,
    revenue: z.number(),
    won_deals: INT,
    lost_deals: INT,
    win_rate_pct: NUM,
  }),
  render(rows, p, { currency }) {
    if (!rows.length) return `No closed deals ${p.period.replaceAll("_", " ")}.`;
    return [`Leaderboard ${rows[0]!.label} (won revenue):`].concat(
      rows.map((r) =>
        `${r.rank}. ${r.owner}: ${formatMoney(r.revenue, currency)}, ${
          plural(r.won_deals, "won deal")
        }, win rate ${formatPct(r.win_rate_pct)}`
      ),
    ).join("\n");
  },
});

export const revenueTrend = defineIntent({
  name: "revenue_trend",
  description: "Revenue per month, last 6 months",
  example: "monthly revenue trend",
  params: z.object({}),
  cues: [["revenue", "trend"], ["trend"]],
  sql: { fn: "ask.revenue_trend", args: () => [[6, "integer"]] },
  row: z.object({ month: DAY, revenue: z.number(), won_deals: INT }),
  render(rows, _p, { currency }) {
    return ["Revenue by month:"].concat(
      rows.map((r) =>
        `• ${formatMonth(r.month)}: ${formatMoney(r.revenue, currency)} (${
          plural(r.won_deals, "deal")
        })`
      ),
    ).join("\n");
  },
});

const DealSizeRow = z.object({
  label: TEXT,
  won_deals: INT,
  avg_amount: NUM,
  median_amount: NUM,
  avg_cycle_days: NUM,
  median_cycle_days: NUM,
});

export const dealSize = defineIntent({
  name: "deal_size",
  description: "Average and median won deal size",
  example: "average deal size",
  params: z.object({
    period: PeriodSchema.default("last_12_months"),
    source: NAME.optional(),
    owner: NAME.optional(),
  }),
  cues: [["size"], ["size", "deals"]],
  sql: {
    fn: "ask.deal_size",
    args: (p) => [[p.period, "text"], [p.source ?? null, "text"], [p.owner ?? null, "text"]],
  },
  row: DealSizeRow,
  render([r], p, { currency }) {
    const of = p.owner ? ` of ${p.owner}` : p.source ? ` from ${p.source}` : "";
    if (!r || r.won_deals === 0) return `No won deals${of} in that period.`;
    return `Won deals${of} ${r.label}: ${formatNumber(r.won_deals)}, average ${
      formatMoney(r.avg_amount, currency)
    }, median ${formatMoney(r.median_amount, currency)}.`;
  },
});

export const salesCycle = defineIntent({
  name: "sales_cycle",
  description: "Days from deal created to won",
  example: "how long is our sales cycle",
  params: z.object({ period: PeriodSchema.default("last_12_months") }),
  cues: [["cycle"], ["cycle", "deals"]],
  sql: { fn: "ask.deal_size", args: (p) => [[p.period, "text"]] },
  row: DealSizeRow,
  render([r]) {
    if (!r || r.won_deals === 0) return "No won deals in that period.";
    return `Sales cycle ${r.label} (${plural(r.won_deals, "won deal")}): average ${
      formatNumber(r.avg_cycle_days)
    } days, median ${formatNumber(r.median_cycle_days)} days from created to won.`;
  },
});

export const salesVelocity = defineIntent({
  name: "sales_velocity",
  description: "Sales velocity (revenue per day the pipeline produces)",
  example: "sales velocity",
  params: z.object({}),
  cues: [["velocity"]],
  sql: { fn: "ask.sales_velocity", args: () => [] },
  row: z.object({
    open_deals: INT,
    win_rate_pct: NUM,
    avg_deal_size: NUM,
    avg_cycle_days: NUM,
    velocity_per_day: NUM,
  }),
  render([r], _p, { currency }) {
    if (!r) return "No velocity figure yet.";
    return `Sales velocity: ${formatMoney(r.velocity_per_day, currency)} per day = ${
      formatNumber(r.open_deals)
    } open deals × ${formatPct(r.win_rate_pct)} win rate × ${
      formatMoney(r.avg_deal_size, currency)
    } ÷ ${formatNumber(r.avg_cycle_days)} days over the trailing year.`;
  },
});

export const winRate = defineIntent({
  name: "win_rate",
  description: "Win rate (won ÷ won + lost), optionally of a source or rep",
  example: "win rate this quarter",
  params: z.object({
    period: PeriodSchema.default("this_quarter"),
    source: NAME.optional(),
    owner: NAME.optional(),
  }),
  cues: [["win"], ["win", "deals"]],
  sql: {
    fn: "ask.win_rate",
    args: (p) => [[p.period, "text"], [p.source ?? null, "text"], [p.owner ?? null, "text"]],
  },
  row: z.object({
    label: TEXT,
    won: INT,
    lost: INT,
    won_amount: z.number(),
    lost_amount: z.number(),
    win_rate_count_pct: NUM,
    win_rate_value_pct: NUM,
  }),
  render([r], p, { currency }) {
    if (!r) return "No win rate for that period.";
    const who = p.source ? ` (${p.source})` : p.owner ? ` (${p.owner})` : "";
    if (r.won + r.lost === 0) return `Win rate ${r.label}${who}: no deals closed yet.`;
    return `Win rate ${r.label}${who}: ${formatPct(r.win_rate_count_pct)} — ${
      formatNumber(r.won)
    } won, ${formatNumber(r.lost)} lost. By value ${formatPct(r.win_rate_value_pct)} (${
      formatMoney(r.won_amount, currency)
    } won, ${formatMoney(r.lost_amount, currency)} lost).`;
  },
});

export const lostDeals = defineIntent({
  name: "lost_deals",
  description: "Deals lost and the top loss reasons",
  example: "why are we losing deals",
  params: z.object({ period: PeriodSchema.default("this_quarter") }),
  cues: [["lost"], ["lost", "deals"]],
  sql: { fn: "ask.lost_deals", args: (p) => [[p.period, "text"]] },
  row: z.object({
    label: TEXT,
    lost: INT,
    lost_amount: z.number(),
    reasons: z.array(z.object({ reason: TEXT, deals: INT })),
  }),
  render([r], _p, { currency }) {
    if (!r || r.lost === 0) return `No deals lost ${r?.label ?? "in that period"}.`;
    const reasons = r.reasons.map((x) => `${x.reason} (${x.deals})`).join(", ");
    return `Lost ${r.label}: ${plural(r.lost, "deal")}, ${
      formatMoney(r.lost_amount, currency)
    }. Top reasons: ${reasons}.`;
  },
});
