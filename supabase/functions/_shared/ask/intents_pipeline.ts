/** Pipeline intents: open pipeline, its coverage and splits, movement, stage conversion (deal lists:
 * intents_deal_lists.ts). */
import { z } from "zod";
import { formatDay, formatMoney, formatNumber, formatPct, plural } from "./format.ts";
import { PeriodSchema } from "./periods.ts";
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
    // "Which stages lose the most deals": the stage fewest advance from, named after the list.
    const weakest = seen.reduce((a, b) =>
      (b.conversion_pct ?? 100) < (a.conversion_pct ?? 100) ? b : a
    );
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
      seen.length > 1
        ? [`Fewest advance from ${weakest.stage} (${formatPct(weakest.conversion_pct)}).`]
        : [],
    ).join("\n");
  },
});
