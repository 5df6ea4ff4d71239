/**
 * The matcher's rules for words that change each other's meaning: concepts that clash (the more
 * specific wins), "why" paired with its subject, and a period named against another ("vs last
 * quarter") read as the current one.
 */
import { type Concept, conceptWeight } from "./lexicon.ts";
import type { Period } from "./periods.ts";
import type { RawParams } from "./registry.ts";

/** Today or a period to date ("this week"), which an answer as of today covers. */
export function isCurrent(period: unknown): boolean {
  return period === "today" || String(period).startsWith("this_");
}

const AGAINST = new Set(["vs", "versus", "against", "than", "to", "with", "compared", "since"]);
const CURRENT_OF: Partial<Record<Period, Period>> = {
  yesterday: "today",
  last_week: "this_week",
  last_month: "this_month",
  last_quarter: "this_quarter",
  last_year: "this_year",
};

/** "revenue vs last quarter", "why are we down compared to last month": the one period named is
 * what the current one is measured against, so the question is about the current one. */
export function againstPrevious(periods: { value: Period; start: number }[], norms: string[]) {
  if (periods.length !== 1) return undefined;
  const [p] = periods;
  return AGAINST.has(norms[p!.start - 1] ?? "") ? CURRENT_OF[p!.value] : undefined;
}

/** Concepts that, found together, mean one thing: the more specific one wins. */
export function resolveConflicts(found: Set<Concept>, norms: string[], params: RawParams) {
  // "missed their close date" is a slip, not a deal due to close.
  if (found.has("slipped")) found.delete("closing");
  // "how fast do we respond to new leads", "new leads nobody called": not a count of new leads.
  if (found.has("response") || found.has("untouched")) found.delete("fresh");
  // "funnel conversion" is stage to stage, not lead to deal.
  if (found.has("advance")) found.delete("conversion");
  // "how many deals did priya close": won deals, not deals due to close.
  if (
    found.has("closing") && norms.includes("did") && norms.includes("close") &&
    !norms.includes("closing")
  ) {
    found.delete("closing");
    found.add("revenue");
  }
  // "deals in qualification": the open deals of a stage.
  if (params.stage !== undefined && found.size === 1 && found.has("deals")) found.add("pipeline");
  // "Why" asks for the drivers of a change in revenue, leads or the pipeline; with a more
  // specific ask ("why are we losing deals", "why is the win rate down") that one answers.
  if (found.has("why")) {
    const specific = [...found].some((c) =>
      c !== "why" && c !== "compare" && conceptWeight(c) === 3
    );
    if (specific) found.delete("why");
    else if (!SUBJECTS.some((c) => found.has(c)) && norms.some((w) => CHANGE_WORDS.has(w))) {
      // "why are we down this quarter": a CRO's number is revenue.
      found.add("revenue");
    }
  }
  // "revenue vs target", "tracking against plan": attainment, not period against period.
  if (found.has("compare") && (found.has("target") || found.has("forecast"))) {
    found.delete("compare");
  }
}

const SUBJECTS: Concept[] = ["revenue", "leads", "pipeline", "deals"];
/** Words saying a number moved (a "why" about them is about revenue unless another is named). */
const CHANGE_WORDS = new Set(
  ("down up drop dropped dropping fell fall falling decline declined declining lower higher " +
    "grew grow growing growth shrink shrinking shrank miss missed behind short slow slower " +
    "better worse").split(" "),
);
