/** Pipeline intents: open pipeline and its splits, top/closing/stale/slipped/new deals, movement. */
import { z } from "zod";
import { formatDay, formatMoney, formatNumber, formatPct, plural } from "./format.ts";
import { ClosingPeriodSchema, PeriodSchema } from "./periods.ts";
import { DAY, defineIntent, INT, NAME, NUM, TEXT } from "./registry.ts";

export const pipeline = defineIntent({
  name: "pipeline",
  description: "Open pipeline and its weighted value, optionally of a rep, source or stage",
  example: "pipeline",
  params: z.object({ owner: NAME.optional(), source: NAME.optional(), stage: NAME.optional() }),
  cues: [["pipeline"]],
  sql: {
    fn: "ask.pipeline",
    args: (
      p,
    ) => [[p.owner ?? null, "text"], [p.source ?? null, "text"], [p.stage ?? null, "text"]],
  },
  row: z.object({
    open_deals: INT,
    amount: z.number(),
    weighted_amount: z.number(),
    quarter_end: DAY.nullable(),
    quarter_pipeline: NUM,
    target: NUM,
    remaining_target: NUM,
    coverage: NUM,
    required_coverage: NUM,
    win_rate_pct: NUM,
  }),
  render([r], p, { currency }) {
    const slice = [p.owner, p.source, p.stage && `in ${p.stage}`].filter(Boolean).join(", ");
    const of = slice ? ` (${slice})` : "";
    if (!r || r.open_deals === 0) return `No open deals${of}.`;
    const open = `Open pipeline${of}: ${formatMoney(r.amount, currency)} in ${
      plural(r.open_deals, "deal")
    }; weighted by probability ${formatMoney(r.weighted_amount, currency)}.`;
    const coverage = renderCoverage(r, currency);
    return coverage ? `${open}\n${coverage}` : open;
  },
});

/** The quarter's coverage line of the company's pipeline (analytics.pipeline_coverage's figures,
 * as the dashboard's coverage panel and the brief give them); "" for one owner or source. */
function renderCoverage(
  r: {
    quarter_end: string | null;
    quarter_pipeline: number | null;
    target: number | null;
    remaining_target: number | null;
    coverage: number | null;
    required_coverage: number | null;
    win_rate_pct: number | null;
  },
  currency: string,
): string {
  if (r.quarter_end === null || r.quarter_pipeline === null) return "";
  const closing = `Closing by ${formatDay(r.quarter_end)}: ${
    formatMoney(r.quarter_pipeline, currency)
  }`;
  if (r.target === null) return `${closing} (no quarter target set).`;
  if (r.coverage === null) {
    return `${closing}; the quarter's ${formatMoney(r.target, currency)} target is already won.`;
  }
  const needed = r.required_coverage === null
    ? ""
    : ` (${formatNumber(r.required_coverage)}× needed at a ${formatPct(r.win_rate_pct)} win rate)`;
  return `${closing}, ${formatNumber(r.coverage)}× the ${
    formatMoney(r.remaining_target, currency)
  } still to win this quarter${needed}.`;
}

const SplitRow = z.object({
  name: TEXT,
  open_deals: INT,
  amount: z.number(),
  weighted_amount: z.number(),
});

function splitIntent(dimension: "stage" | "owner" | "source", example: string) {
  const title = dimension === "owner" ? "rep" : dimension;
  return defineIntent({
    name: `pipeline_by_${dimension}`,
    description: `Open pipeline by ${title}`,
    example,
    params: z.object({}),
    cues: dimension === "stage"
      ? [["pipeline", "stage"], ["stage", "deals"]]
      : [["pipeline", dimension]],
    sql: { fn: "ask.pipeline_by", args: () => [[dimension, "text"]] },
    row: SplitRow,
    render(rows, _p, { currency }) {
      if (!rows.length) return "No open deals.";
      return [`Open pipeline by ${title}:`].concat(
        rows.map((r) =>
          `• ${r.name}: ${formatMoney(r.amount, currency)} (${plural(r.open_deals, "deal")})`
        ),
      ).join("\n");
    },
  });
}

export const pipelineByStage = splitIntent("stage", "pipeline by stage");
export const pipelineByOwner = splitIntent("owner", "pipeline by rep");
export const pipelineBySource = splitIntent("source", "pipeline by source");

/** A deal line in lists. */
export const DealItem = z.object({
  name: TEXT.nullable(),
  owner: TEXT.nullable(),
  stage: TEXT.nullable(),
  amount: NUM,
  closing_date: z.string().nullable(),
});

function dealLine(d: z.infer<typeof DealItem>, currency: string): string {
  return `${d.name ?? "(unnamed)"} — ${formatMoney(d.amount, currency)}, ${d.stage}, ${
    d.owner ?? "no owner"
  }, closes ${formatDay(d.closing_date)}`;
}

export const topDeals = defineIntent({
  name: "top_deals",
  description: "Largest open deals, optionally of a rep or stage",
  example: "top 5 deals",
  params: z.object({
    limit: z.number().int().min(1).max(10).default(5),
    owner: NAME.optional(),
    stage: NAME.optional(),
  }),
  cues: [["top", "deals"], ["top", "pipeline"]],
  sql: {
    fn: "ask.top_deals",
    args: (p) => [[p.limit, "integer"], [p.owner ?? null, "text"], [p.stage ?? null, "text"]],
  },
  row: DealItem.extend({ rank: INT }),
  render(rows, p, { currency }) {
    if (!rows.length) return "No open deals match.";
    const slice = [p.owner && `of ${p.owner}`, p.stage && `in ${p.stage}`].filter(Boolean);
    return [`Top open deals${slice.length ? ` ${slice.join(" ")}` : ""}:`].concat(
      rows.map((d) => `${d.rank}. ${dealLine(d, currency)}`),
    )
      .join("\n");
  },
});

export const closingSoon = defineIntent({
  name: "closing_soon",
  description: "Open deals due to close this week (or month, quarter)",
  example: "what's closing this week",
  params: z.object({ period: ClosingPeriodSchema.default("this_week"), owner: NAME.optional() }),
  cues: [["closing"], ["closing", "deals"], ["closing", "top"]],
  sql: { fn: "ask.closing_soon", args: (p) => [[p.period, "text"], [p.owner ?? null, "text"]] },
  row: z.object({
    label: TEXT,
    deals: INT,
    amount: z.number(),
    weighted_amount: z.number(),
    top: z.array(DealItem),
  }),
  render([r], p, { currency }) {
    const of = p.owner ? ` (${p.owner})` : "";
    if (!r || r.deals === 0) return `No open deals${of} due to close ${r?.label ?? "then"}.`;
    return [
      `Closing ${r.label}${of}: ${plural(r.deals, "deal")}, ${
        formatMoney(r.amount, currency)
      } (weighted ${formatMoney(r.weighted_amount, currency)}). Largest:`,
    ].concat(r.top.map((d) => `• ${dealLine(d, currency)}`)).join("\n");
  },
});

const RiskRow = z.object({
  deals: INT,
  amount: z.number(),
  open_deals: INT,
  top: z.array(DealItem.extend({ days_since_change: NUM.optional() })),
  pushed: INT,
  pushed_amount: z.number(),
  pushed_top: z.array(DealItem.extend({ pushes: INT })),
  by_owner: z.array(z.object({ owner: TEXT.nullable(), deals: INT, amount: z.number() })),
});

/** A deal whose closing date moved later: its line and how many times. */
function pushedLine(d: z.infer<typeof DealItem> & { pushes: number }, currency: string): string {
  return `${dealLine(d, currency)}, pushed ${d.pushes === 1 ? "once" : `${d.pushes} times`}`;
}

function riskIntent(kind: "stale" | "slipped") {
  return defineIntent({
    name: `${kind}_deals`,
    description: kind === "stale"
      ? "Open deals idle longer than their stage allows"
      : "Open deals whose closing date has passed",
    example: kind === "stale" ? "stuck deals" : "overdue deals",
    params: z.object({ owner: NAME.optional(), stage: NAME.optional() }),
    cues: [[kind], [kind, "deals"]],
    sql: {
      fn: "ask.deal_risk",
      args: (
        p,
      ) => [[kind, "text"], [p.owner ?? null, "text"], [p.stage ?? null, "text"]],
    },
    row: RiskRow,
    render([r], p, { currency }) {
      const slice = [p.owner, p.stage && `in ${p.stage}`].filter(Boolean).join(", ");
      const of = slice ? ` (${slice})` : "";
      // "Which deals got pushed" asks for slipped deals too: the deals whose closing date moved
      // later are said beside those past it.
      const pushed = kind === "slipped" && r && r.pushed > 0;
      if (!r || (r.deals === 0 && !pushed)) return `No ${kind} deals${of}.`;
      if (r.deals === 0) {
        return [
          `No open deal${of} is past its closing date. ${plural(r.pushed, "open deal")} of ${
            formatNumber(r.open_deals)
          } had it pushed later: ${formatMoney(r.pushed_amount, currency)}. Largest:`,
        ].concat(r.pushed_top.map((d) => `• ${pushedLine(d, currency)}`)).join("\n");
      }
      const what = kind === "stale" ? "stale (no change or activity)" : "past their closing date";
      return [
        `${plural(r.deals, "open deal")} of ${formatNumber(r.open_deals)}${of} ${what}: ${
          formatMoney(r.amount, currency)
        }. Largest:`,
      ].concat(
        r.top.map((d) =>
          `• ${dealLine(d, currency)}${
            kind === "stale" ? `, idle ${formatNumber(d.days_since_change ?? null)} days` : ""
          }`
        ),
        // Who has them, when the answer is not one rep's already.
        !p.owner && r.by_owner.length > 1
          ? [
            `Most by rep: ${
              r.by_owner.map((o) =>
                `${o.owner ?? "no owner"} ${formatNumber(o.deals)} (${
                  formatMoney(o.amount, currency)
                })`
              ).join(", ")
            }.`,
          ]
          : [],
        pushed
          ? [
            `Closing date pushed later: ${plural(r.pushed, "open deal")}, ${
              formatMoney(r.pushed_amount, currency)
            }.`,
          ]
          : [],
      ).join("\n");
    },
  });
}

export const staleDeals = riskIntent("stale");
export const slippedDeals = riskIntent("slipped");

export const newDeals = defineIntent({
  name: "new_deals",
  description: "Deals created in a period",
  example: "new deals this week",
  params: z.object({ period: PeriodSchema.default("this_week") }),
  cues: [["fresh", "deals"], ["fresh", "pipeline"]],
  sql: { fn: "ask.new_deals", args: (p) => [[p.period, "text"]] },
  row: z.object({
    label: TEXT,
    deals: INT,
    amount: z.number(),
    prev_deals: INT,
    prev_amount: z.number(),
  }),
  render([r], _p, { currency }) {
    if (!r) return "No figure for that period.";
    return `New deals ${r.label}: ${formatNumber(r.deals)}, ${
      formatMoney(r.amount, currency)
    } (previous period ${formatNumber(r.prev_deals)}, ${formatMoney(r.prev_amount, currency)}).`;
  },
});

export const pipelineChange = defineIntent({
  name: "pipeline_change",
  description: "How the pipeline closing this quarter moved: new, won, lost, slipped out",
  example: "pipeline movement this quarter",
  params: z.object({ period: PeriodSchema.default("this_quarter") }),
  cues: [["movement"], ["movement", "pipeline"]],
  sql: { fn: "ask.pipeline_change", args: (p) => [[p.period, "text"]] },
  row: z.object({ label: TEXT, step: TEXT, deals: INT, amount: z.number() }),
  render(rows, _p, { currency }) {
    const moved = rows.filter((r) => r.deals > 0 || r.step === "start" || r.step === "end");
    if (!moved.length) return "No pipeline movement.";
    return [`Pipeline closing ${rows[0]!.label}:`].concat(
      moved.map((r) =>
        `• ${r.step.replace("_", " ")}: ${formatMoney(r.amount, currency)} (${
          plural(r.deals, "deal")
        })`
      ),
    ).join("\n");
  },
});

export const stageConversion = defineIntent({
  name: "stage_conversion",
  description: "Share of deals that advance from each stage, and how long they stay in it",
  example: "stage conversion",
  params: z.object({ period: PeriodSchema.default("last_12_months"), stage: NAME.optional() }),
  cues: [["advance"], ["conversion", "stage"], ["advance", "stage"]],
  sql: { fn: "ask.stage_conversion", args: (p) => [[p.period, "text"]] },
  row: z.object({
    label: TEXT,
    stage: TEXT,
    entered: INT,
    advanced: INT,
    conversion_pct: NUM,
    median_days_in_stage: NUM,
  }),
  // "How long do deals sit in proposal": one stage's line when a stage is named.
  render(rows, p) {
    const seen = rows.filter((r) => r.entered > 0 && (!p.stage || r.stage === p.stage));
    if (!seen.length) {
      return `No ${p.stage ? `entries into ${p.stage}` : "stage changes"} in that period.`;
    }
    return [`Stage conversion ${seen[0]!.label}:`].concat(
      seen.map((r) =>
        `• ${r.stage}: ${formatPct(r.conversion_pct)} advance (${formatNumber(r.advanced)} of ${
          formatNumber(r.entered)
        })${
          r.median_days_in_stage === null
            ? ""
            : `, median ${formatNumber(r.median_days_in_stage)} days in stage`
        }`
      ),
    ).join("\n");
  },
});
