/**
 * The words the keyword matcher knows, as data: abbreviations executives type, the phrases that
 * name a period, the concepts a question is made of (each a list of phrases) and their weights,
 * the commands, and aliases of lead sources and stages. Phrases are lower case, already
 * normalised (see text.ts); the matcher reads them longest first.
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
  "12m": "12 months",
};

/** Period phrases, longest first when matched; a bare unit means the current one. */
export const PERIOD_PHRASES: [string, Period][] = [
  ["last 12 months", "last_12_months"],
  ["past 12 months", "last_12_months"],
  ["last twelve months", "last_12_months"],
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
  ["last quarter", "last_quarter"],
  ["previous quarter", "last_quarter"],
  ["prior quarter", "last_quarter"],
  ["this year", "this_year"],
  ["last year", "last_year"],
  ["previous year", "last_year"],
  ["today", "today"],
  ["tonight", "today"],
  ["yesterday", "yesterday"],
  ["week", "this_week"],
  ["month", "this_month"],
  ["quarter", "this_quarter"],
  ["year", "this_year"],
];

/** The concepts a question is made of. */
export const CONCEPTS = {
  // Specific asks (weight 3): one of these usually decides the intent.
  closing: ["closing", "close", "closes", "due to close", "expected to close", "land"],
  stale: [
    "at risk",
    "at-risk",
    "risk",
    "risky",
    "gone quiet",
    "quiet",
    "stale",
    "stuck",
    "idle",
    "inactive",
    "neglected",
    "rotting",
    "dormant",
    "no activity",
  ],
  slipped: ["slipped", "slipping", "slip", "overdue", "past due", "late", "missed", "pushed"],
  win: ["win rate", "winrate", "win ratio", "close rate", "closing rate", "hit rate", "win"],
  lost: ["lost", "losses", "losing", "lose", "loss", "loss reasons"],
  forecast: [
    "tracking",
    "on pace",
    "forecast",
    "projection",
    "projected",
    "coverage",
    "gap",
    "on track",
    "will we hit",
    "will we make",
    "make the quarter",
    "make the number",
    "hit the number",
    "land the quarter",
  ],
  response: ["response time", "response", "respond", "speed to lead", "first touch", "how fast"],
  size: ["deal size", "average deal", "ticket size", "typical deal", "average size", "aov"],
  cycle: ["sales cycle", "cycle", "days to close", "time to close", "how long"],
  velocity: ["velocity", "sales velocity"],
  conversion: ["conversion", "convert", "converted", "conversion rate", "lead to deal"],
  advance: ["stage conversion", "advance", "advanced", "funnel"],
  untouched: [
    "nobody has called",
    "nobody called",
    "waiting for a first call",
    "never called",
    "untouched",
    "never contacted",
    "not contacted",
    "uncontacted",
    "not called",
  ],
  quality: ["clean", "data quality", "hygiene", "missing data", "dirty data", "missing"],
  anomaly: [
    "red flags",
    "red flag",
    "flags",
    "anomaly",
    "anomalies",
    "unusual",
    "spike",
    "spikes",
    "weird",
    "outlier",
    "odd",
  ],
  roi: ["roi", "return on", "cost per lead", "spend", "marketing", "campaign", "campaigns", "cac"],
  movement: ["waterfall", "movement", "moved", "what changed", "bridge", "pipeline change"],
  trend: ["trend", "monthly", "per month", "by month", "over time", "history", "months"],
  leaderboard: ["leaderboard", "ranking", "scoreboard", "top performer", "top performers"],
  sync: [
    "how fresh",
    "last sync",
    "synced",
    "last synced",
    "data fresh",
    "last updated",
    "last update",
  ],
  fresh: ["new", "created", "added", "opened", "fresh"],
  // Main subjects (weight 2).
  revenue: [
    "revenue",
    "sales",
    "bookings",
    "booked",
    "sold",
    "did we book",
    "sell",
    "made",
    "make",
    "earned",
    "income",
    "closed won",
    "closed",
    "won",
    "money",
    "turnover",
  ],
  leads: ["leads", "lead", "signups", "inquiries", "enquiries", "prospects", "inbound"],
  pipeline: ["pipeline", "open deals", "open pipeline"],
  // Modifiers (weight 1).
  target: ["target", "quota", "goal", "attainment", "plan"],
  source: ["source", "sources", "channel", "channels", "by source", "per source", "where from"],
  owner: ["rep", "reps", "owner", "owners", "salesperson", "seller", "sellers", "who", "team"],
  stage: ["stage", "stages", "by stage", "per stage"],
  deals: ["deals", "deal", "account", "project", "customer"],
  top: ["top", "biggest", "largest", "best", "major", "key", "big", "main"],
  status: ["status", "update", "how is", "where is", "happening", "progress", "going", "doing"],
} as const;

/** A concept name. */
export type Concept = keyof typeof CONCEPTS;

/** How much a concept says about which intent is meant (see the CONCEPTS groups). */
export function conceptWeight(concept: Concept): number {
  if (["revenue", "leads", "pipeline"].includes(concept)) return 2;
  if (["target", "source", "owner", "stage", "deals", "top", "status"].includes(concept)) return 1;
  return 3;
}

/** Whole-message commands and their synonyms. */
export const COMMANDS = {
  help: ["help", "menu", "commands", "options", "hi", "hello", "hey", "?"],
  pulse: ["pulse", "daily pulse", "todays pulse", "summary"],
  brief: ["brief", "full brief", "report", "the brief"],
  sync: ["sync", "resync", "refresh", "sync now", "update data"],
  status: ["status", "run status", "pipeline status"],
  dashboard: ["dashboard", "link", "dashboard link", "charts"],
  stop: ["stop", "unsubscribe", "opt out", "optout", "stop pulse", "cancel"],
  start: ["start", "subscribe", "opt in", "optin", "resume", "start pulse", "unstop"],
} as const;

/** A command name. */
export type Command = keyof typeof COMMANDS;

/** Other spellings of lead sources; the data's own names always match too. */
export const SOURCE_ALIASES: Record<string, string[]> = {
  Facebook: ["fb", "meta", "facebook ads", "insta", "instagram"],
  "Google Ads": ["google", "adwords", "google ad", "ppc", "sem", "search ads"],
  Website: ["web", "site", "web site", "organic", "inbound web", "seo"],
  Referral: ["referrals", "referred", "word of mouth"],
  "Trade Show": ["tradeshow", "trade shows", "expo", "fair"],
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
    "please can could would will show tell give get me any there have has had so far vs " +
    "versus about whats s current currently right now far now with as per all total number " +
    "count some up thanks thank hi hey most").split(" "),
);
