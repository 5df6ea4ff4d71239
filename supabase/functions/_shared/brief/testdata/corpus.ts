/**
 * A corpus of model-like replies on the demo payload (demo_payload.json): a correct base brief,
 * and variants that replace one part with another sentence, either correct (other roundings,
 * phrasings, multipliers) or carrying one planted error of a kind the check must catch.
 */
import type { Draft } from "../prompt.ts";

const DEAL = "deal.5725767130000000578";

/** A correct brief in a CRO's voice. */
export const BASE: Draft = {
  headline: {
    text: "Revenue QTD is $43.4K, 36% of the $120K target, while March revenue is up 662% " +
      "on February.",
    facts: ["revenue.qtd", "revenue.qtd.target", "revenue.qtd.attainment", "revenue.mtd.growth"],
  },
  critical_gap: {
    text: "Forecast is $40.1K short this quarter: coverage sits at 0.69x against the 2.1x we need.",
    facts: ["forecast.gap", "coverage.quarter", "coverage.required"],
  },
  immediate_action: {
    text: "Get Priya Nair to unstick Thompson - Smart Home Project ($42K, 16 days in " +
      "Qualification) today.",
    facts: [DEAL],
  },
  insights: [
    {
      text: "Facebook leads fell 83% this month, from 6 to 1, while Google Ads leads grew 300%.",
      facts: ["source.facebook.leads.mtd", "source.google_ads.leads.mtd"],
    },
    {
      text: "Website drove $25.9K of new pipeline this month from a standing start.",
      facts: ["source.website.pipeline_created.mtd"],
    },
    {
      text: "Win rate holds at 47.7% by count, but only 35.2% by value.",
      facts: ["win_rate.count", "win_rate.value"],
    },
  ],
};

/** One corpus entry: which part is replaced, by what, and whether it is correct. */
export interface CorpusEntry {
  kind:
    | "correct"
    | "wrong_number"
    | "flipped_direction"
    | "invented_name"
    | "uncited_name"
    | "unknown_fact"
    | "null_fact"
    | "computed_number";
  part: "headline" | "critical_gap" | "immediate_action" | 0 | 1 | 2;
  text: string;
  facts: string[];
}

const S = (id: string) => `source.${id}`;

/** The variants. */
export const CORPUS: CorpusEntry[] = [
  // Correct: other roundings and phrasings of the same facts.
  {
    kind: "correct",
    part: "headline",
    text: "Revenue QTD is $43,380, 36.2% of the $120,000 target.",
    facts: ["revenue.qtd", "revenue.qtd.target", "revenue.qtd.attainment"],
  },
  {
    kind: "correct",
    part: "headline",
    text: "Quarter to date we booked $43K against a $120K target.",
    facts: ["revenue.qtd", "revenue.qtd.target"],
  },
  {
    kind: "correct",
    part: "headline",
    text: "March revenue jumped 662.1% to $21,705.",
    facts: ["revenue.mtd", "revenue.mtd.growth"],
  },
  {
    kind: "correct",
    part: "headline",
    text: "Revenue year to date is $43.4K and the quarter is at 36% of target.",
    facts: ["revenue.ytd", "revenue.qtd.attainment"],
  },
  {
    kind: "correct",
    part: "critical_gap",
    text: "Coverage of 0.7x is far below the 2.10x required, leaving a $40,135 forecast gap.",
    facts: ["coverage.quarter", "coverage.required", "forecast.gap"],
  },
  {
    kind: "correct",
    part: "critical_gap",
    text: "We are $40K short of the forecast for the quarter.",
    facts: ["forecast.gap"],
  },
  {
    kind: "correct",
    part: "critical_gap",
    text: "$42,000 of open pipeline is at risk in a single stale deal.",
    facts: ["deals.at_risk_amount", "deals.stale"],
  },
  {
    kind: "correct",
    part: "critical_gap",
    text: "Leads are down 33% this week to 8.",
    facts: ["leads.wtd", "leads.wtd.growth"],
  },
  {
    kind: "correct",
    part: "critical_gap",
    text: "Month-to-date leads fell 16.7% to 10.",
    facts: ["leads.mtd", "leads.mtd.growth"],
  },
  {
    kind: "correct",
    part: "immediate_action",
    text:
      "Priya Nair must move the Thompson deal out of Qualification today: $42,000 has sat there 16 days.",
    facts: [DEAL],
  },
  {
    kind: "correct",
    part: "immediate_action",
    text: "Call every one of the 16 untouched recent leads before noon.",
    facts: ["leads.untouched_recent"],
  },
  {
    kind: "correct",
    part: "immediate_action",
    text: "Shift budget toward Website, whose leads quadrupled this month.",
    facts: [S("website.leads.mtd")],
  },
  {
    kind: "correct",
    part: "immediate_action",
    text: "Review the Facebook campaigns: leads are down 80% this week, from 5 to 1.",
    facts: [S("facebook.leads.wtd")],
  },
  {
    kind: "correct",
    part: 0,
    text: "Google Ads leads halved this week, from 6 to 3.",
    facts: [S("google_ads.leads.wtd")],
  },
  {
    kind: "correct",
    part: 0,
    text: "Website leads tripled this week to 3.",
    facts: [S("website.leads.wtd")],
  },
  {
    kind: "correct",
    part: 0,
    text: "Facebook leads are down 80% this week, from 5 to 1.",
    facts: [S("facebook.leads.wtd")],
  },
  {
    kind: "correct",
    part: 0,
    text: "Google Ads leads rose from 1 to 4 this month, up 300%.",
    facts: [S("google_ads.leads.mtd")],
  },
  {
    kind: "correct",
    part: 1,
    text: "Referral pipeline created jumped 1,218.6% to $20,570.",
    facts: [S("referral.pipeline_created.mtd")],
  },
  {
    kind: "correct",
    part: 1,
    text: "Google Ads created $22K of pipeline, down 14.9% on last month.",
    facts: [S("google_ads.pipeline_created.mtd")],
  },
  {
    kind: "correct",
    part: 1,
    text: "Trade Show won $1,490 this month after nothing last month.",
    facts: [S("trade_show.won_revenue.mtd")],
  },
  {
    kind: "correct",
    part: 1,
    text: "Referral won revenue dropped to $0 from $2,848.",
    facts: [S("referral.won_revenue.mtd")],
  },
  {
    kind: "correct",
    part: 1,
    text: "Website closed $19.5K of won revenue this month.",
    facts: [S("website.won_revenue.mtd")],
  },
  {
    kind: "correct",
    part: 1,
    text: "Google Ads pipeline slipped to $22,028 from $25,877.",
    facts: [S("google_ads.pipeline_created.mtd")],
  },
  {
    kind: "correct",
    part: 2,
    text: "Open pipeline is $342K over 34 deals, $141K weighted.",
    facts: ["pipeline.open", "pipeline.open_deals", "pipeline.weighted"],
  },
  {
    kind: "correct",
    part: 2,
    text: "Deal size averages $4,065 with a median of $1,063.",
    facts: ["deal_size.avg", "deal_size.median"],
  },
  {
    kind: "correct",
    part: 2,
    text: "The median sales cycle is 18.5 days and velocity is $1,934 a day.",
    facts: ["sales_cycle.median", "sales_velocity"],
  },
  {
    kind: "correct",
    part: 2,
    text: "QTD win rate is 57.1%, above the 47.7% trailing rate.",
    facts: ["win_rate.qtd.count", "win_rate.count"],
  },
  {
    kind: "correct",
    part: 2,
    text: "Weighted pipeline stands at $141,352 against $341,999 open.",
    facts: ["pipeline.weighted", "pipeline.open"],
  },
  {
    kind: "correct",
    part: 2,
    text: "Only 1 deal is stale and 0 have slipped.",
    facts: ["deals.stale", "deals.slipped"],
  },
  {
    kind: "correct",
    part: 2,
    text: "Coverage needs to reach 2.1x; today it is 0.69x.",
    facts: ["coverage.required", "coverage.quarter"],
  },
  {
    kind: "correct",
    part: 2,
    text: "Referral is our fastest growing pipeline source this month.",
    facts: [S("referral.pipeline_created.mtd")],
  },
  {
    kind: "correct",
    part: 2,
    text: "Website leads are up while Facebook leads are down this month.",
    facts: [S("website.leads.mtd"), S("facebook.leads.mtd")],
  },
  // Wrong numbers.
  {
    kind: "wrong_number",
    part: "headline",
    text: "Revenue QTD is $48.4K, 36% of the $120K target.",
    facts: ["revenue.qtd", "revenue.qtd.target", "revenue.qtd.attainment"],
  },
  {
    kind: "wrong_number",
    part: "headline",
    text: "Revenue QTD is $43.4K, 63% of the $120K target.",
    facts: ["revenue.qtd", "revenue.qtd.target", "revenue.qtd.attainment"],
  },
  {
    kind: "wrong_number",
    part: "headline",
    text: "Revenue QTD is $43.4K against a $150K target.",
    facts: ["revenue.qtd", "revenue.qtd.target"],
  },
  {
    kind: "wrong_number",
    part: "critical_gap",
    text: "Coverage sits at 0.96x against the 2.1x we need.",
    facts: ["coverage.quarter", "coverage.required"],
  },
  {
    kind: "wrong_number",
    part: "critical_gap",
    text: "Forecast is $1.2M short this quarter.",
    facts: ["forecast.gap"],
  },
  {
    kind: "wrong_number",
    part: "immediate_action",
    text: "Get Priya Nair to unstick the Thompson deal ($42K, 61 days in Qualification).",
    facts: [DEAL],
  },
  {
    kind: "wrong_number",
    part: "immediate_action",
    text: "Get Priya Nair to rescue the $24,000 Thompson deal today.",
    facts: [DEAL],
  },
  {
    kind: "wrong_number",
    part: 0,
    text: "Facebook leads fell 38% this month.",
    facts: [S("facebook.leads.mtd")],
  },
  {
    kind: "wrong_number",
    part: 0,
    text: "Google Ads leads grew 30% this month.",
    facts: [S("google_ads.leads.mtd")],
  },
  {
    kind: "wrong_number",
    part: 0,
    text: "Google Ads leads tripled this month.",
    facts: [S("google_ads.leads.mtd")],
  },
  {
    kind: "wrong_number",
    part: 0,
    text: "Facebook leads halved this month.",
    facts: [S("facebook.leads.mtd")],
  },
  {
    kind: "wrong_number",
    part: 2,
    text: "Win rate holds at 74.7% by count.",
    facts: ["win_rate.count"],
  },
  {
    kind: "wrong_number",
    part: 2,
    text: "Open pipeline is $314,999 over 43 deals.",
    facts: ["pipeline.open", "pipeline.open_deals"],
  },
  {
    kind: "wrong_number",
    part: 2,
    text: "The median sales cycle is 15.8 days.",
    facts: ["sales_cycle.median"],
  },
  {
    kind: "wrong_number",
    part: 2,
    text: "Pipeline doubled this quarter.",
    facts: ["pipeline.open"],
  },
  {
    kind: "wrong_number",
    part: 2,
    text: "Three sources drive most of the new pipeline.",
    facts: [S("website.pipeline_created.mtd")],
  },
  // Flipped directions.
  {
    kind: "flipped_direction",
    part: "headline",
    text: "March revenue is down 662% on February.",
    facts: ["revenue.mtd.growth"],
  },
  {
    kind: "flipped_direction",
    part: 0,
    text: "Facebook leads rose 83% this month.",
    facts: [S("facebook.leads.mtd")],
  },
  {
    kind: "flipped_direction",
    part: 0,
    text: "Google Ads leads fell 300% this month.",
    facts: [S("google_ads.leads.mtd")],
  },
  {
    kind: "flipped_direction",
    part: 1,
    text: "Google Ads pipeline created is up 14.9%.",
    facts: [S("google_ads.pipeline_created.mtd")],
  },
  {
    kind: "flipped_direction",
    part: "critical_gap",
    text: "Leads are up this week.",
    facts: ["leads.wtd.growth"],
  },
  {
    kind: "flipped_direction",
    part: "critical_gap",
    text: "Month-to-date leads grew to 10.",
    facts: ["leads.mtd", "leads.mtd.growth"],
  },
  {
    kind: "flipped_direction",
    part: 1,
    text: "Referral won revenue climbed to $0 from $2,848.",
    facts: [S("referral.won_revenue.mtd")],
  },
  {
    kind: "flipped_direction",
    part: 1,
    text: "Google Ads pipeline increased to $22,028.",
    facts: [S("google_ads.pipeline_created.mtd")],
  },
  // Invented names.
  {
    kind: "invented_name",
    part: 0,
    text: "Instagram leads grew 300% this month.",
    facts: [S("google_ads.leads.mtd")],
  },
  {
    kind: "invented_name",
    part: "immediate_action",
    text: "Get John Smith to close the Acme Corp renewal today.",
    facts: [DEAL],
  },
  {
    kind: "invented_name",
    part: "immediate_action",
    text: "Move Thompson - Smart Home Project from Negotiation to Closed Won.",
    facts: [DEAL],
  },
  {
    kind: "invented_name",
    part: 1,
    text: "LinkedIn drove $25.9K of new pipeline this month.",
    facts: [S("website.pipeline_created.mtd")],
  },
  {
    kind: "invented_name",
    part: 2,
    text: "Tom Becker leads the team at 47.7% win rate.",
    facts: ["win_rate.count"],
  },
  // Names not in the cited facts.
  {
    kind: "uncited_name",
    part: 0,
    text: "Referral leads fell 83% this month.",
    facts: [S("facebook.leads.mtd")],
  },
  {
    kind: "uncited_name",
    part: 1,
    text: "Google Ads drove $25.9K of new pipeline this month.",
    facts: [S("website.pipeline_created.mtd")],
  },
  // Citations of facts that do not exist.
  {
    kind: "unknown_fact",
    part: "headline",
    text: "Revenue QTD is $43.4K.",
    facts: ["revenue.qtd", "revenue.q2"],
  },
  // A fact with no value, stated as a number.
  {
    kind: "null_fact",
    part: 2,
    text: "Leads get a first response in 4 hours at the median.",
    facts: ["response.median"],
  },
  // Numbers the model computed itself.
  {
    kind: "computed_number",
    part: 0,
    text: "Google Ads and Website together added 8 leads this month.",
    facts: [S("google_ads.leads.mtd"), S("website.leads.mtd")],
  },
  {
    kind: "computed_number",
    part: "critical_gap",
    text: "We still need $76,620 to hit target.",
    facts: ["revenue.qtd", "revenue.qtd.target"],
  },
];

/** The base brief with one part replaced by `entry`. */
export function variant(entry: CorpusEntry): Draft {
  const draft: Draft = structuredClone(BASE);
  const part = { text: entry.text, facts: entry.facts };
  if (typeof entry.part === "number") draft.insights[entry.part] = part;
  else draft[entry.part] = part;
  return draft;
}
