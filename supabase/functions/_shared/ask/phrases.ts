/**
 * Words the keyword matcher reads besides concepts, as data: abbreviations executives type, the
 * phrases that name a period, other spellings of lead sources and of Zoho's standard stages, and
 * the words that carry no meaning. Lower case, already normalised (see text.ts).
 */
import type { Period } from "./periods.ts";

/** Token → replacement tokens, applied before anything else ("rev mtd" → "revenue this month"). */
export const ABBREVIATIONS: Record<string, string> = {
  rev: "revenue",
  revs: "revenue",
  mtd: "this month",
  qtd: "this quarter",
  ytd: "this year",
  wtd: "this week",
  t12m: "last 12 months",
  l12m: "last 12 months",
  lw: "last week",
  lm: "last month",
  lq: "last quarter",
  ly: "last year",
  lst: "last",
  yoy: "this year vs last year",
  mom: "this month vs last month",
  qoq: "this quarter vs last quarter",
  abt: "about",
  src: "source",
  srcs: "sources",
  ae: "rep",
  aes: "reps",
  ttm: "last 12 months",
  ltm: "last 12 months",
  yday: "yesterday",
  yest: "yesterday",
  tdy: "today",
  tod: "today",
  pipe: "pipeline",
  pl: "pipeline",
  opps: "deals",
  opp: "deal",
  opportunity: "deal",
  opportunities: "deals",
  potential: "deal",
  potentials: "deals",
  wr: "win rate",
  wk: "week",
  wks: "weeks",
  mo: "month",
  mth: "month",
  qtr: "quarter",
  q: "quarter",
  yr: "year",
  avg: "average",
  hrs: "hours",
  whats: "what is",
  hows: "how is",
  wheres: "where is",
  whos: "who is",
  cust: "customer",
  lb: "leaderboard",
  u: "you",
  pls: "please",
  plz: "please",
  thx: "thanks",
  wil: "will",
  cpl: "cost per lead",
  y: "why",
  r: "are",
  w: "with",
  conv: "conversion",
  ppl: "people",
  "win%": "win rate",
  "%": "percent",
  "12m": "12 months",
};

/** Period phrases, longest first when matched; a bare unit means the current one. */
export const PERIOD_PHRASES: [string, Period][] = withPossessives([
  ["last 12 months", "last_12_months"],
  ["past 12 months", "last_12_months"],
  ["last twelve months", "last_12_months"],
  ["trailing twelve months", "last_12_months"],
  ["past twelve months", "last_12_months"],
  ["trailing 12 months", "last_12_months"],
  ["past year", "last_12_months"],
  ["week to date", "this_week"],
  ["month to date", "this_month"],
  ["quarter to date", "this_quarter"],
  ["year to date", "this_year"],
  ["so far this week", "this_week"],
  ["so far this month", "this_month"],
  ["so far this quarter", "this_quarter"],
  ["so far this year", "this_year"],
  ["this week", "this_week"],
  ["last week", "last_week"],
  ["previous week", "last_week"],
  ["prior week", "last_week"],
  ["this month", "this_month"],
  ["last month", "last_month"],
  ["previous month", "last_month"],
  ["prior month", "last_month"],
  ["this quarter", "this_quarter"],
  ["by quarter end", "this_quarter"],
  ["before quarter end", "this_quarter"],
  ["quarter end", "this_quarter"],
  ["end of quarter", "this_quarter"],
  ["end of the quarter", "this_quarter"],
  ["last quarter", "last_quarter"],
  ["previous quarter", "last_quarter"],
  ["prior quarter", "last_quarter"],
  ["this year", "this_year"],
  ["last year", "last_year"],
  ["previous year", "last_year"],
  ["next week", "next_week"],
  ["coming week", "next_week"],
  ["following week", "next_week"],
  ["next month", "next_month"],
  ["coming month", "next_month"],
  ["following month", "next_month"],
  ["next quarter", "next_quarter"],
  ["coming quarter", "next_quarter"],
  ["following quarter", "next_quarter"],
  ["next year", "next_year"],
  ["coming year", "next_year"],
  ["today", "today"],
  ["tonight", "today"],
  ["yesterday", "yesterday"],
  ["week", "this_week"],
  ["month", "this_month"],
  ["quarter", "this_quarter"],
  ["year", "this_year"],
]);

/** A named period with the possessive typed without its apostrophe too ("last months leads",
 * "yesterdays calls"); a bare unit ("weeks") stays out: it names no period. */
function withPossessives(phrases: [string, Period][]): [string, Period][] {
  const units = new Set(["week", "month", "quarter", "year"]);
  const possessive = (p: string) =>
    p.includes(" ") ? units.has(p.split(" ").at(-1)!) : p === "today" || p === "yesterday";
  return phrases.flatMap(([p, period]): [string, Period][] =>
    possessive(p) ? [[p, period], [`${p}s`, period]] : [[p, period]]
  );
}

/** Other spellings of lead sources; the data's own names always match too. */
export const SOURCE_ALIASES: Record<string, string[]> = {
  Facebook: ["fb", "meta", "facebook ads", "insta", "instagram"],
  "Google Ads": ["google", "adwords", "google ad", "ppc", "sem", "search ads"],
  Website: ["web", "site", "web site", "organic", "inbound web", "seo"],
  Referral: ["referrals", "referred", "word of mouth"],
  "Trade Show": ["tradeshow", "trade shows", "expo", "expos", "fair", "conference", "conferences"],
  Partner: ["partners", "channel partner", "resellers", "reseller"],
};

/** Other spellings of Zoho's standard stages. */
export const STAGE_ALIASES: Record<string, string[]> = {
  Qualification: ["qualifying", "qualified", "qual"],
  "Needs Analysis": ["needs analysis", "discovery"],
  "Value Proposition": ["value prop", "value proposition"],
  "Id. Decision Makers": ["decision makers", "decision maker", "dm"],
  "Perception Analysis": ["perception"],
  "Proposal/Price Quote": ["proposal", "quote", "price quote", "proposals", "quotes"],
  "Negotiation/Review": ["negotiation", "negotiating", "negotiations"],
};

/** Words that carry no meaning for matching (and are not taken as part of a deal's name). */
export const STOPWORDS = new Set(
  ("a an the is are was were be been am do does did of for in on at to by with from and or " +
    "our my we us me i you your it its this that these those what which how much many " +
    "please can could would will show tell give get me any there have has had so far " +
    "about whats s current currently right now far now with as per all total number " +
    "count some up thanks thank hi hey most getting got gotten seeing see where than less " +
    "more still drive boss asking")
    .split(" "),
);
