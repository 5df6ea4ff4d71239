/**
 * Name claims for the brief check: sources, owners, stages and deals a text mentions. Known names
 * (any fact's label, owner or stage) are found first; any other capitalised phrase that is not a
 * common word of a CRO's sentence is treated as a name too, so an invented "Instagram" or
 * "Acme Corp" is caught even though no fact holds it.
 */

/** A name mentioned in the text. */
export interface NameClaim {
  text: string;
  index: number;
}

/** Capitalised words that are no names: acronyms, periods, months, a CRO's common words. */
const COMMON = new Set(
  (
    "I A An The This That These Those Our We Us It Its Their They Your You Here There Today " +
    "Now Next Last Each Every All Any Both No Not Only Also Yet Still Then Than So If When " +
    "While Whereas Although Though Because Since As At By For From In Into Of On Onto Over " +
    "To Toward Towards Under Until Upon With Within Without Across After Before Between " +
    "Behind Beyond During Per Via Against Among And Or But Nor " +
    "CRO CEO CFO VP KPI KPIs ROI QTD MTD WTD YTD T12M QoQ WoW MoM YoY ASAP EOD EOW EOM EOQ " +
    "USD EUR GBP INR JPY CHF AUD CAD CRM SLA AI OK Q1 Q2 Q3 Q4 H1 H2 FY " +
    "January February March April May June July August September October November December " +
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec " +
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday " +
    "Revenue Pipeline Pipelines Leads Lead Deals Deal Conversion Conversions Win Wins Won " +
    "Lost Loss Losses Sales Sale Forecast Coverage Quota Target Targets Attainment Velocity " +
    "Cycle Bookings Budget Spend Source Sources Owner Owners Stage Stages Rep Reps Team Teams " +
    "Company Quarter Month Week Year Day Days Weekly Monthly Quarterly Daily Growth Gap Risk " +
    "Risks Action Actions Insight Insights Headline Critical Immediate Key Top Bottom Overall " +
    "Total Open Closed Weighted Median Average Response Cohort Momentum Demand Volume Mix " +
    "Inbound Outbound Marketing Focus Move Shift Push Pull Call Calls Reassign Review Prioritise " +
    "Prioritize Escalate Chase Close Protect Cut Double Book Schedule Audit Fix Clean Re-engage " +
    "Reengage Unblock Rescue Accelerate Slow Slowing Hold Pause Stop Start Keep Put Get Set " +
    "Ask Tell Make Take Give Run Use Add Drop Raise Lower Reallocate Redirect Invest Fund " +
    "Coach Help Meet Plan Confirm Update Verify Check Watch Track Flag Hit Miss Missed Close " +
    "Strong Weak Healthy Stale Slipped Untouched Stalled Behind Ahead Flat Up Down Higher More " +
    "Less Fewer Most Least Nearly Almost About Around Roughly Just Over Under Well Better Worse " +
    "Best Worst New Fresh High Low Big Large Small Biggest Largest Smallest Main Primary " +
    "Leadership Executive Executives Summary Brief Pulse Note Status Alert Warning Good Bad " +
    "Budget Budgets Money Cash Value Values Amount Amounts Rate Rates Share Half Twice Double " +
    "Every Several Many Much Few Some Other Another Such What Which Who Why How Where Whose Data " +
    "Reply Respond Answer Send Share Contact Reach Engage Follow Nurture Qualify Convert Win " +
    "Expand Grow Build Create Launch Test Try Trial Pilot Measure Monitor Report Analyse Analyze " +
    "Investigate Dig Drill Find Identify Spot Assign Route Hire Train Align Sync Brief Remind " +
    "Nudge Escalation Prioritization Prioritisation Discount Negotiate Renew Upsell Cross-sell " +
    "Cancel Consider Decide Approve Allocate Rebalance Scale Trim Reduce Increase Boost Improve " +
    "Tighten Protect Defend Recover Restart Revive Refresh Reset Redeploy Refocus Pipeline " +
    "Despite However Meanwhile Overall Still Already Again Finally First Second Third Instead " +
    "Otherwise Therefore Thus Hence Also Even Especially Notably Importantly Currently Recently " +
    "Today's Tomorrow Yesterday Tonight Morning Afternoon Evening Week's Month's Quarter's " +
    "Year's Team's Is Are Was Were Be Been Has Have Had Do Does Did Can Could Should Would Will " +
    "Must May Might Let Lets Let's Make Makes Made Needs Need Needed Wants Want Looks Look Seems " +
    "Remains Remain Stays Stay Sits Sit Holds Stands Comes Goes Means Shows Show Suggests Signals"
  ).split(/\s+/),
);

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Known names (longest first, so "Closed Won" is found before "Won") found in `text`. */
export function findKnownNames(
  text: string,
  known: string[],
): { claims: NameClaim[]; masked: string } {
  let masked = text;
  const claims: NameClaim[] = [];
  // One-letter names are left out (they would mask "a"); a one-digit name is kept: a source
  // named "4" is stated as a name ("4 leads are up ..."), so its digit is no number claim.
  const names = [...new Set(known.filter((n) => n.trim().length > 1 || /^\p{N}$/u.test(n.trim())))]
    .sort((a, b) => b.length - a.length);
  for (const name of names) {
    const re = new RegExp(`(?<![\\w])${escape(name)}(?![\\w])`, "gi");
    masked = masked.replace(re, (m, index: number) => {
      claims.push({ text: name, index });
      return " ".repeat(m.length);
    });
  }
  return { claims: claims.sort((a, b) => a.index - b.index), masked };
}

/** Capitalised phrases that are not common words (in text where known names are masked). */
export function findOtherNames(masked: string): NameClaim[] {
  const out: NameClaim[] = [];
  const re =
    /(?<![\p{L}\p{N}])[A-Z][\p{L}'&-]*[\p{L}](?:[ \t]+(?:[A-Z][\p{L}'&-]*[\p{L}]|&|of|de|and))*/gu;
  for (const m of masked.matchAll(re)) {
    const words = m[0].split(/[ \t]+/);
    // Leading and trailing common words ("Push", "Call") are verbs or nouns, not the name.
    let start = 0;
    let end = words.length;
    while (start < end && isCommon(words[start]!)) start++;
    while (end > start && isCommon(words[end - 1]!)) end--;
    if (start >= end) continue;
    const name = words.slice(start, end).join(" ");
    const offset = m[0].indexOf(name);
    out.push({ text: name, index: m.index! + Math.max(0, offset) });
  }
  return out;
}

function isCommon(word: string): boolean {
  const w = word.replace(/'s$/, "");
  // "Month-to-date", "Follow-up": common when every capitalised part is.
  if (w.includes("-") && w.split("-").every((p) => !/^[A-Z]/.test(p) || COMMON.has(p))) {
    return true;
  }
  return COMMON.has(w) || ["of", "de", "and", "&"].includes(w) || w.length < 2;
}

/** Whether `claim` is (part of) one of `names`, word by word, case-insensitive. */
export function nameIn(claim: string, names: string[]): boolean {
  const c = claim.toLowerCase();
  return names.some((n) => {
    const lower = n.toLowerCase();
    if (lower === c) return true;
    return new RegExp(`(?<![\\w])${escape(c)}(?![\\w])`).test(lower);
  });
}
