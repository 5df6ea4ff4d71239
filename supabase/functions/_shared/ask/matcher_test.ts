import assert from "node:assert/strict";
import { INTENTS } from "./intents.ts";
import { type Match, matchMessage, type Vocabulary } from "./matcher.ts";

/** The demo company's names (scripts/zoho-sim/dataset/catalog.ts, analytics.stage_settings). */
const VOCAB: Vocabulary = {
  sources: ["Facebook", "Google Ads", "Partner", "Referral", "Trade Show", "Website"],
  owners: [
    "Asha Hegde",
    "Marcus Reyes",
    "Priya Nair",
    "Tom Becker",
    "Lena Kowalski",
    "Diego Santos",
    "Grace Okafor",
    "Hiro Tanaka",
  ],
  stages: [
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
    "Closed Lost to Competition",
  ],
};

const q = (intent: string, params: Record<string, string | number> = {}): Match => ({
  kind: "intent",
  intent,
  params,
});
const UNKNOWN: Match = { kind: "unknown" };

/** [message, expected match]: typos, casual wording and abbreviations included. */
const TABLE: [string, Match][] = [
  // Revenue.
  ["revenue this month", q("revenue", { period: "this_month" })],
  ["rev mtd", q("revenue", { period: "this_month" })],
  ["Rev QTD?", q("revenue", { period: "this_quarter" })],
  ["how much did we sell last month", q("revenue", { period: "last_month" })],
  ["revnue this moth", q("revenue", { period: "this_month" })],
  ["sales ytd", q("revenue", { period: "this_year" })],
  ["what have we booked today", q("revenue", { period: "today" })],
  ["revenue vs target this quarter", q("revenue", { period: "this_quarter" })],
  // Won so far, the target, the chance of making it and the gap: the forecast answers it.
  ["how r we doing against quota", q("forecast")],
  ["deals won yesterday", q("revenue", { period: "yesterday" })],
  ["revenue", q("revenue")],
  ["revenue by source this quarter", q("revenue_by_source", { period: "this_quarter" })],
  ["which channel brings the money", q("revenue_by_source")],
  ["monthly revenue trend", q("revenue_trend")],
  ["rev by month", q("revenue_trend")],
  ["are we on track to hit target", q("forecast")],
  ["forecast for the quarter", q("forecast")],
  ["whats the gap to plan", q("forecast")],
  // Reps.
  ["leaderboard", q("owner_leaderboard")],
  ["who sold the most this month", q("owner_leaderboard", { period: "this_month" })],
  ["top reps qtd", q("owner_leaderboard", { period: "this_quarter" })],
  ["top 3 reps last quarter", q("owner_leaderboard", { period: "last_quarter", limit: 3 })],
  ["revenue by rep", q("owner_leaderboard")],
  // Win rate and losses.
  ["win rate this quarter", q("win_rate", { period: "this_quarter" })],
  ["wr qtd", q("win_rate", { period: "this_quarter" })],
  ["whats our close rate ytd", q("win_rate", { period: "this_year" })],
  ["win rate for facebook", q("win_rate", { source: "Facebook" })],
  ["priya's win rate last month", q("win_rate", { owner: "Priya Nair", period: "last_month" })],
  ["winrate referals t12m", q("win_rate", { source: "Referral", period: "last_12_months" })],
  ["why are we losing deals", q("lost_deals")],
  ["deals lost last month", q("lost_deals", { period: "last_month" })],
  // Size, cycle, velocity.
  ["average deal size", q("deal_size")],
  ["avg deal size this year", q("deal_size", { period: "this_year" })],
  ["how long is our sales cycle", q("sales_cycle")],
  ["days to close", q("sales_cycle")],
  ["sales velocity", q("sales_velocity")],
  // Leads.
  ["leads today", q("leads", { period: "today" })],
  ["how many new leads this week", q("leads", { period: "this_week" })],
  ["hw many leads frm facebok this wk", q("leads", { source: "Facebook", period: "this_week" })],
  ["google ads leads yesterday", q("leads", { source: "Google Ads", period: "yesterday" })],
  ["leads from trade show last month", q("leads", { source: "Trade Show", period: "last_month" })],
  ["leads for tom this month", q("leads", { owner: "Tom Becker", period: "this_month" })],
  ["leads by source this week", q("leads_by_source", { period: "this_week" })],
  ["where are leads coming from", q("leads_by_source")],
  ["lead sources mtd", q("leads_by_source", { period: "this_month" })],
  ["leads per rep", q("leads_by_owner")],
  ["response time", q("response_time")],
  ["how fast do we respond to leads", q("response_time")],
  [
    "speed to lead for website last week",
    q("response_time", { source: "Website", period: "last_week" }),
  ],
  ["untouched leads", q("untouched_leads")],
  ["leads never contacted", q("untouched_leads")],
  ["lead conversion rate", q("lead_conversion")],
  ["what's our quota attainment", q("revenue", { period: "this_quarter" })],
  ["deals closing next month", q("closing_soon", { period: "next_month" })],
  ["quota attainment this month", q("revenue", { period: "this_month" })],
  ["which lead source converts best", q("lead_conversion_by_source")],
  [
    "lead conversion by source this quarter",
    q("lead_conversion_by_source", { period: "this_quarter" }),
  ],
  ["roi by source", q("source_roi")],
  ["marketing roi for google", q("source_roi", { source: "Google Ads" })],
  ["cost per lead last quarter", q("source_roi", { period: "last_quarter" })],
  ["any anomalies", q("anomalies")],
  ["data quality", q("data_quality")],
  // Pipeline.
  ["pipeline", q("pipeline")],
  ["whats in the pipe", q("pipeline")],
  ["pipelin for marcus", q("pipeline", { owner: "Marcus Reyes" })],
  ["pipeline by stage", q("pipeline_by_stage")],
  ["deals per stage", q("pipeline_by_stage")],
  ["pipe by rep", q("pipeline_by_owner")],
  ["pipeline by source", q("pipeline_by_source")],
  ["top deals", q("top_deals")],
  ["top 3 opps", q("top_deals", { limit: 3 })],
  ["biggest deals in negotiation", q("top_deals", { stage: "Negotiation/Review" })],
  ["largest deals for lena", q("top_deals", { owner: "Lena Kowalski" })],
  ["what's closing this week", q("closing_soon", { period: "this_week" })],
  ["deals closing this month", q("closing_soon", { period: "this_month" })],
  ["biggest deals closing this week", q("closing_soon", { period: "this_week" })],
  ["stale deals", q("stale_deals")],
  ["which deals are stuck", q("stale_deals")],
  ["stuck deals for diego", q("stale_deals", { owner: "Diego Santos" })],
  ["slipped deals", q("slipped_deals")],
  ["overdue opps", q("slipped_deals")],
  ["new deals this week", q("new_deals", { period: "this_week" })],
  ["deals created last month", q("new_deals", { period: "last_month" })],
  ["pipeline movement this quarter", q("pipeline_change", { period: "this_quarter" })],
  ["what changed in the pipeline", q("pipeline_change")],
  ["stage conversion", q("stage_conversion")],
  ["which stages lose the most deals", q("stage_conversion")],
  ["which stage do we lose the most deals in", q("stage_conversion")],
  // A named deal.
  ["how is the okafor deal", q("deal_status", { deal: "okafor" })],
  ["status of Becker Villa deal", q("deal_status", { deal: "Becker Villa" })],
  ["whats happening with Kowalski Cottage", q("deal_status", { deal: "Kowalski Cottage" })],
  ["update on the Müller deal", q("deal_status", { deal: "Müller" })],
  ["Santos Loft deal?", q("deal_status", { deal: "Santos Loft" })],
  ["okafor deal owned by grace", q("deal_status", { deal: "okafor", owner: "Grace Okafor" })],
  ["when was the data last synced", q("last_sync")],
  // Whole-message commands ("status", "sync now") are the inbox's: inbox/commands/detect_test.ts.
  // Nothing the registry answers.
  ["what's the weather in Austin", UNKNOWN],
  ["tell me a joke", UNKNOWN],
  ["asdfgh", UNKNOWN],
  // A CRO's own words (issue 26): drivers, comparisons, actions, red flags, filters honoured.
  ["which deals are at risk", q("stale_deals")],
  ["whats hiros pipe worth", q("pipeline", { owner: "Hiro Tanaka" })],
  ["ledas this week", q("leads", { period: "this_week" })],
  ["what should i do today", q("next_actions")],
  ["what should I focus on this week", q("next_actions")],
  ["why is revenue down vs last quarter", q("why_revenue", { period: "this_quarter" })],
  ["why did bookings drop last month", q("why_revenue", { period: "last_month" })],
  ["why are we down this quarter", q("why_revenue", { period: "this_quarter" })],
  ["why are leads down this month", q("why_leads", { period: "this_month" })],
  ["why is the pipeline shrinking", q("why_pipeline")],
  ["why are we losing deals", q("lost_deals")],
  ["this quarter vs last", q("compare", { period: "this_quarter" })],
  ["any red flags", q("red_flags")],
  ["anything unusual this week", q("red_flags")],
  ["what should worry me in lena's deals", q("red_flags", { owner: "Lena Kowalski" })],
  ["any spikes by source", q("anomalies")],
  ["revenue vs target", q("revenue", { period: "this_quarter" })],
  ["conversion rate of facebook leads", q("lead_conversion", { source: "Facebook" })],
  ["what's the average deal size for google ads", q("deal_size", { source: "Google Ads" })],
  ["show me deals stuck in negotiation", q("stale_deals", { stage: "Negotiation/Review" })],
  ["priya's revenue this quarter", q("revenue", { period: "this_quarter", owner: "Priya Nair" })],
];

Deno.test("matchMessage() maps phrasings to intents and parameters", () => {
  assert.ok(TABLE.length >= 60, `at least 60 phrasings, have ${TABLE.length}`);
  const wrong: string[] = [];
  for (const [text, expected] of TABLE) {
    const got = matchMessage(text, VOCAB);
    try {
      assert.deepEqual(got, expected);
    } catch {
      wrong.push(
        `${JSON.stringify(text)}: got ${JSON.stringify(got)}, want ${JSON.stringify(expected)}`,
      );
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("matchMessage() only gives parameters an intent takes, and names the others", () => {
  const m = matchMessage("forecast for facebook last month", VOCAB);
  assert.deepEqual(m, {
    ...q("forecast"),
    refused: { period: "last_month", source: "Facebook" },
  });
  // An answer as of today covers "this week": nothing refused.
  assert.deepEqual(matchMessage("stuck deals this week", VOCAB), q("stale_deals"));
  assert.deepEqual(matchMessage("stuck deals for priya in negotiation last month", VOCAB), {
    ...q("stale_deals", { owner: "Priya Nair", stage: "Negotiation/Review" }),
    refused: { period: "last_month" },
  });
});

Deno.test("matchMessage() reads a period named against another as the current one", () => {
  assert.deepEqual(
    matchMessage("why is revenue down vs last quarter", VOCAB),
    q("why_revenue", { period: "this_quarter" }),
  );
  assert.deepEqual(
    matchMessage("how did last month compare to the month before", VOCAB),
    q("compare", { period: "last_month" }),
  );
  // A figure named against the period before is that figure (its reply states the period before).
  assert.deepEqual(
    matchMessage("revenue this month vs last month", VOCAB),
    q("revenue", { period: "this_month" }),
  );
});

Deno.test("every intent is reachable by its own example", () => {
  for (const intent of INTENTS) {
    const m = matchMessage(intent.example, VOCAB);
    assert.equal(m.kind === "intent" ? m.intent : m.kind, intent.name, intent.example);
  }
});
