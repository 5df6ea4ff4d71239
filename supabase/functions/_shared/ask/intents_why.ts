/** "Why" and comparison intents: what moved revenue, leads or the pipeline, and period vs period. */
import { z } from "zod";
import { formatChange, formatDay, formatMoney, formatNumber, formatPct, plural } from "./format.ts";
import { PeriodSchema } from "./periods.ts";
import { DAY, defineIntent, INT, NUM, TEXT } from "./registry.ts";

/** One contribution to a change: all, a source or an owner. */
const DriverRow = z.object({
  label: TEXT,
  dimension: TEXT,
  key: TEXT.nullable(),
  current: z.number(),
  previous: z.number(),
  change: z.number(),
  share_pct: NUM,
});
type Driver = z.infer<typeof DriverRow>;

const signed = (v: number, fmt: (x: number) => string) =>
  v > 0 ? `+${fmt(v)}` : v < 0 ? `-${fmt(-v)}` : "no change";

/** How much of the change one part explains ("57% of the drop"); parts moving against it and
 * parts larger than the whole (others moved the other way) read as what they are. */
function shareOf(r: Driver, total: number): string {
  if (r.share_pct === null) return "";
  const what = total < 0 ? "drop" : "rise";
  return r.share_pct > 100
    ? `, more than the whole ${what}`
    : `, ${formatPct(r.share_pct)} of the ${what}`;
}

/** The change line, then the three largest contributions by source and by rep. */
function renderDrivers(rows: Driver[], what: string, fmt: (x: number) => string): string {
  const all = rows.find((r) => r.dimension === "all");
  if (!all) return `No ${what} figure for that period.`;
  const lines = [
    `${what[0]!.toUpperCase()}${what.slice(1)} ${all.label}: ${fmt(all.current)} vs ${
      fmt(all.previous)
    } in the same days of the period before (${signed(all.change, fmt)}).`,
  ];
  if (all.change === 0 && rows.every((r) => r.change === 0)) return lines[0]!;
  for (const [dimension, title] of [["source", "By source"], ["owner", "By rep"]] as const) {
    const parts = rows.filter((r) => r.dimension === dimension && r.change !== 0).slice(0, 3);
    if (!parts.length) continue;
    lines.push(`${title}, largest moves first:`);
    for (const r of parts) {
      lines.push(
        `• ${r.key ?? "(none)"}: ${signed(r.change, fmt)} (${fmt(r.current)} vs ${fmt(r.previous)}${
          shareOf(r, all.change)
        })`,
      );
    }
  }
  return lines.join("\n");
}

export const whyRevenue = defineIntent({
  name: "why_revenue",
  description: "Why revenue moved: the change vs the period before, by source and rep",
  example: "why is revenue down this quarter",
  params: z.object({ period: PeriodSchema.default("this_quarter") }),
  cues: [["why", "revenue"], ["why", "win"]],
  sql: { fn: "ask.why_revenue", args: (p) => [[p.period, "text"]] },
  row: DriverRow,
  render: (rows, _p, { currency }) =>
    renderDrivers(rows, "revenue", (x) => formatMoney(x, currency)),
});

export const whyLeads = defineIntent({
  name: "why_leads",
  description: "Why new leads moved: the change vs the period before, by source and rep",
  example: "why are leads down this month",
  params: z.object({ period: PeriodSchema.default("this_month") }),
  cues: [["why", "leads"]],
  sql: { fn: "ask.why_leads", args: (p) => [[p.period, "text"]] },
  row: DriverRow,
  render: (rows) => renderDrivers(rows, "new leads", formatNumber),
});

/** Waterfall steps as a CRO reads them. */
const STEP_WORDS: Record<string, string> = {
  new: "new deals",
  moved_in: "pulled in (close date moved into the period)",
  changed: "amount changes",
  won: "won (leaves the open pipeline)",
  lost: "lost",
  moved_out: "slipped out (close date moved past the period)",
  removed: "deleted in the CRM",
};

export const whyPipeline = defineIntent({
  name: "why_pipeline",
  description: "Why the pipeline moved: what added to it and what took from it",
  example: "why is the pipeline shrinking",
  params: z.object({ period: PeriodSchema.default("this_quarter") }),
  cues: [["why", "pipeline"], ["why", "deals"]],
  sql: { fn: "ask.why_pipeline", args: (p) => [[p.period, "text"]] },
  row: z.object({
    label: TEXT,
    step: TEXT,
    deals: INT,
    change: z.number(),
    start_amount: z.number(),
    end_amount: z.number(),
    net_change: z.number(),
  }),
  render(rows, _p, { currency }) {
    const first = rows[0];
    if (!first) return "No pipeline figure for that period.";
    const money = (x: number) => formatMoney(x, currency);
    const lines = [
      `Pipeline closing ${first.label}: ${money(first.start_amount)} at its start, ${
        money(first.end_amount)
      } now (${signed(first.net_change, money)}).`,
    ];
    const moves = rows.filter((r) => r.step !== "none");
    if (!moves.length) return `${lines[0]} Nothing moved.`;
    lines.push("What moved it, largest first:");
    for (const r of moves) {
      lines.push(
        `• ${STEP_WORDS[r.step] ?? r.step}: ${signed(r.change, money)} (${
          plural(r.deals, "deal")
        })`,
      );
    }
    return lines.join("\n");
  },
});

const METRIC_WORDS: Record<string, [string, "money" | "count" | "rate"]> = {
  revenue: ["Revenue", "money"],
  won_deals: ["Won deals", "count"],
  new_leads: ["New leads", "count"],
  new_deals: ["New deals", "count"],
  new_deal_amount: ["New deal amount", "money"],
  win_rate_pct: ["Win rate", "rate"],
};

export const compare = defineIntent({
  name: "compare",
  description: "A period against the one before: revenue, won deals, leads, new deals, win rate",
  example: "this quarter vs last",
  params: z.object({ period: PeriodSchema.default("this_month") }),
  cues: [["compare"]],
  sql: { fn: "ask.compare", args: (p) => [[p.period, "text"]] },
  row: z.object({
    label: TEXT,
    start_day: DAY,
    end_day: DAY,
    prev_start_day: DAY,
    prev_end_day: DAY,
    metric: TEXT,
    current: NUM,
    previous: NUM,
    change_pct: NUM,
  }),
  render(rows, _p, { currency }) {
    const first = rows[0];
    if (!first) return "No figures for that period.";
    const span = (a: string, b: string) =>
      a === b ? formatDay(a) : `${formatDay(a)}–${formatDay(b)}`;
    const lines = [
      `${first.label[0]!.toUpperCase()}${first.label.slice(1)} (${
        span(first.start_day, first.end_day)
      }) vs the same days before (${span(first.prev_start_day, first.prev_end_day)}):`,
    ];
    for (const r of rows) {
      const [name, kind] = METRIC_WORDS[r.metric] ?? [r.metric, "count"];
      const v = (x: number | null) =>
        kind === "money"
          ? formatMoney(x, currency)
          : kind === "rate"
          ? formatPct(x)
          : formatNumber(x);
      const change = r.change_pct === null
        ? "none before"
        : kind === "rate"
        ? `${signed(r.change_pct, formatNumber)} pts`
        : formatChange(r.change_pct);
      lines.push(`• ${name}: ${v(r.current)} vs ${v(r.previous)} (${change})`);
    }
    return lines.join("\n");
  },
});
