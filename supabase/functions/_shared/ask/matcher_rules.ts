/**
 * The matcher's rules for words that change each other's meaning: concepts that clash (the more
 * specific wins), "why" paired with its subject, and a period named against another ("vs last
 * quarter") read as the current one.
 */
import { type Concept, conceptWeight } from "./lexicon.ts";
import type { Period } from "./periods.ts";
import type { RawParams } from "./registry.ts";
import {
  AGAINST,
  AVERAGE,
  CHANGE_WORDS,
  DROVE,
  FUNNEL_RATE,
  RANKING,
  RATE_WORDS,
  ROI_WORDS,
  SUBJECTS,
} from "./rule_words.ts";

/** Today or a period to date ("this week"), which an answer as of today covers. */
export function isCurrent(period: unknown): boolean {
  return period === "today" || String(period).startsWith("this_");
}

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
  // "below last year ... this year": the current one of a period and the one before it.
  const values = new Set(periods.map((p) => p.value));
  for (const [prev, cur] of Object.entries(CURRENT_OF)) {
    if (values.has(prev as Period) && values.has(cur)) return cur;
  }
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
  // A named source, rep or stage is the filter, not a split ("pipeline that came from
  // referrals", "top deals at proposal stage").
  if (params.source !== undefined) found.delete("source");
  if (params.owner !== undefined) found.delete("owner");
  if (params.stage !== undefined) found.delete("stage");
  // "how many opps do we win vs lose", "won vs lost": the win rate.
  if (
    !found.has("slipped") && norms.some((w) => w === "win" || w === "won" || w === "winning") &&
    norms.some((w) => w === "lose" || w === "lost" || w === "losing")
  ) {
    for (const c of ["lost", "revenue", "compare"] as const) found.delete(c);
    found.add("win");
  }
  // "how many days are deals taking to close (on average)": the cycle, not deals due to close.
  if (found.has("cycle")) {
    found.delete("closing");
    found.delete("size");
  }
  // "coverage by rep", "why is coverage so thin": the pipeline behind the coverage.
  if (
    norms.includes("coverage") &&
    (["owner", "source", "stage", "why"] as const).some((c) => found.has(c))
  ) {
    found.delete("forecast");
    found.add("pipeline");
  }
  // "what's grace's number for the month": a rep's number is their revenue.
  // "how did Diego do last week": likewise.
  if (
    params.owner !== undefined && found.size === 0 &&
    norms.some((w) => ["number", "do", "doing", "perform", "performing"].includes(w))
  ) {
    found.add("revenue");
  }
  // "how many deals did the team open this week": deals opened, not the open pipeline.
  if (norms.includes("did") && norms.includes("open") && found.has("deals")) {
    found.delete("pipeline");
    found.add("fresh");
  }
  // "any campaign spikes": the source anomalies; "Sam from marketing wants to know why": the
  // asker's team, not a question about campaign ROI.
  if (found.has("anomaly")) found.delete("roi");
  if (
    norms.includes("marketing") && !norms.some((w) => ROI_WORDS.has(w)) && found.has("why")
  ) {
    found.delete("roi");
  }
  // "is the crm sync up to date or lagging": the sync, not the laggards.
  if (found.has("sync")) found.delete("leaderboard");
  // "closed lost ytd", "closed won this month": the outcome named as a stage.
  if (String(params.stage ?? "").startsWith("Closed Lost")) found.add("lost");
  if (params.stage === "Closed Won") found.add("revenue");
  // "who got the most new leads", "new leads per source": a split, not a count.
  if ((found.has("owner") || found.has("source")) && found.has("leads")) found.delete("fresh");
  // "total won amount with closing date last month": won revenue, not deals due to close.
  if (norms.includes("won") && !norms.includes("open")) found.delete("closing");
  // "I'm worried about the quarter": whether we make it.
  if (found.has("flags") && norms.includes("quarter") && !found.has("deals")) {
    found.delete("flags");
    found.add("forecast");
  }
  // "we win how many of the deals we close": the win rate.
  if (norms.includes("win") && norms.some((w) => w === "close" || w === "closed")) {
    for (const c of ["closing", "revenue"] as const) found.delete(c);
    found.add("win");
  }
  // "median won amount", "average potential value when won": the deal size.
  if (found.has("revenue") && !found.has("cycle") && norms.some((w) => AVERAGE.has(w))) {
    found.delete("revenue");
    found.add("size");
  }
  // "what % of facebook leads end up won": lead conversion.
  if (found.has("leads") && found.has("revenue") && norms.some((w) => RATE_WORDS.has(w))) {
    found.delete("revenue");
    found.add("conversion");
  }
  // "any source suddenly drop in leads": the source anomalies (they are by source).
  if (found.has("anomaly") && !found.has("why")) {
    found.delete("leads");
    found.delete("source");
  }
  // "open deal value split by salesperson": the pipeline's value, not deal size; "pipeline from
  // each marketing channel": the pipeline's sources, not campaign ROI.
  if (found.has("pipeline")) {
    found.delete("size");
    if (norms.includes("marketing") && !norms.some((w) => ROI_WORDS.has(w))) found.delete("roi");
  }
  // "how long do web leads wait before someone reaches out": speed to lead, not the cycle.
  if (found.has("response")) found.delete("cycle");
  // "open leads with zero activity": untouched leads (idle is about deals).
  if (found.has("stale") && found.has("leads") && !found.has("deals")) {
    found.delete("stale");
    found.add("untouched");
  }
  // "deals missing close dates": hygiene, not deals due to close; "crm housekeeping issues":
  // hygiene, not red flags.
  if (found.has("quality")) {
    for (const c of ["closing", "flags", "owner", "source", "leads"] as const) found.delete(c);
  }
  // "close date passed but not won or lost": open deals past their date.
  if (found.has("slipped")) {
    found.delete("lost");
    found.delete("revenue");
  }
  // "ACV trend ytd", "are deals getting smaller": the deal size over time.
  if (found.has("size")) found.delete("trend");
  // "neglected leads nobody's picked up": untouched leads, not speed to lead.
  if (found.has("untouched")) found.delete("response");
  // "converting more of our closed opps into wins": the win rate, not lead conversion.
  if (found.has("conversion") && found.has("revenue") && !found.has("leads")) {
    for (const c of ["conversion", "revenue"] as const) found.delete(c);
    found.add("win");
  }
  // "how are we tracking this year compared with last year": period against period (the
  // forecast is the quarter's).
  if (
    found.has("compare") && found.has("forecast") && params.period !== undefined &&
    params.period !== "this_quarter"
  ) {
    found.delete("forecast");
  }
  // "pipeline movement: new, won, lost, slipped": the waterfall names its steps.
  if (found.has("movement")) {
    for (const c of ["fresh", "lost", "slipped", "revenue"] as const) found.delete(c);
  }
  // "how much is in the funnel": the pipeline; "funnel conversion": stage to stage.
  if (norms.includes("funnel") && !norms.some((w) => FUNNEL_RATE.has(w))) {
    found.delete("advance");
    found.add("pipeline");
  }
  // "anything unusual in leads by source": the source anomalies.
  if (found.has("flags") && (found.has("leads") || found.has("source")) && !found.has("deals")) {
    for (const c of ["flags", "leads", "source"] as const) found.delete(c);
    found.add("anomaly");
  }
  // "which stages lose the most deals": where deals drop out (stage conversion), not the lost deals.
  if (found.has("lost") && found.has("stage")) {
    found.delete("lost");
    found.add("advance");
  }
  // "where do deals drop off in the funnel": stage conversion, not a source anomaly.
  if (norms.includes("funnel") && found.has("advance")) found.delete("anomaly");
  // "lead-to-close rate by monthly cohort": conversion of cohorts, not the revenue trend; "how
  // are leads trending": the leads of the period against the one before (the trend is revenue's).
  if (found.has("conversion") || found.has("leads")) found.delete("trend");
  // "whales in negotiation", "top deals for diego": the largest deals of that stage or rep.
  if (found.has("top") && (params.stage !== undefined || params.owner !== undefined)) {
    found.add("deals");
  }
  // "lead sources mtd": leads by source, unless another subject is named.
  if (
    found.has("source") && norms.includes("lead") &&
    !["revenue", "pipeline", "deals", "leads"].some((c) => found.has(c as Concept))
  ) {
    found.add("leads");
  }
  // "how are we tracking on bookings this month": the forecast is the quarter's.
  if (
    found.has("forecast") && found.has("revenue") && params.period !== undefined &&
    params.period !== "this_quarter"
  ) {
    found.delete("forecast");
  }
  // "deals in qualification": the open deals of a stage.
  if (params.stage !== undefined && found.size === 1 && found.has("deals")) found.add("pipeline");
  // "deals nobody has touched": idle deals (untouched is about leads).
  if (found.has("untouched") && found.has("deals") && !found.has("leads")) {
    found.delete("untouched");
    found.add("stale");
  }
  // "how big is the pipeline": its size, not its biggest deals.
  if (norms.some((w, i) => w === "how" && norms[i + 1] === "big")) found.delete("top");
  // "how fast is money moving through the pipe": velocity, not speed to lead.
  if (found.has("velocity")) found.delete("response");
  // "leads for each rep", "pipeline by rep": a split of that subject, not the leaderboard.
  if (found.has("leaderboard") && (found.has("leads") || found.has("pipeline"))) {
    found.delete("leaderboard");
    found.add("owner");
  }
  // "what percent of deals do we win", "how often do we win": a rate, not revenue.
  if (
    found.has("revenue") && norms.some((w) => RATE_WORDS.has(w)) &&
    norms.some((w) => w === "win" || w === "winning")
  ) {
    found.delete("revenue");
    found.add("win");
  }
  // "is diego on track": a rep's own number this period (the forecast is the company's).
  if (found.has("forecast") && params.owner !== undefined && !found.has("target")) {
    found.delete("forecast");
    found.add("revenue");
  }
  // "Why" asks for the drivers of a change in revenue, leads or the pipeline; with a more
  // specific ask ("why are we losing deals", "why is the win rate down") that one answers. A
  // spike is the change itself ("explain the lead spike"); "which channel drove the most" ranks.
  if (
    found.has("why") && norms.some((w) => DROVE.has(w)) && norms.some((w) => RANKING.has(w))
  ) {
    found.delete("why");
  }
  if (found.has("why")) {
    const specific = [...found].some((c) =>
      !["why", "compare", "anomaly", "movement", "leaderboard", "fresh", "flags"].includes(c) &&
      conceptWeight(c) === 3
    );
    if (specific) found.delete("why");
    else {
      found.delete("anomaly");
      found.delete("leaderboard");
      found.delete("fresh");
      found.delete("flags");
      // "explain the pipeline change": movement is the pipeline's.
      if (found.delete("movement")) found.add("pipeline");
      // "why are we down this quarter": a CRO's number is revenue.
      if (!SUBJECTS.some((c) => found.has(c)) && norms.some((w) => CHANGE_WORDS.has(w))) {
        found.add("revenue");
      }
    }
  }
  // "revenue vs target", "tracking against plan": attainment, not period against period; "leads
  // this month vs last", "win rate vs last quarter": that figure, which states the period before.
  if (
    found.has("compare") && !found.has("why") &&
    [...found].some((c) => c !== "compare" && (SUBJECTS.includes(c) || conceptWeight(c) === 3))
  ) {
    found.delete("compare");
  }
  if (found.has("compare") && found.has("target")) found.delete("compare");
}
