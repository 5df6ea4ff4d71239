/**
 * Issue 26's questions, texted the way a Chief Revenue Officer asks them, on the demo company
 * (scratch database, as of 2026-03-04): each lands on the intent that answers it, keeps its
 * filter or says it cannot, and its reply states the figures the independent implementation
 * (_ask_truth.ts, TypeScript over the simulator's dataset, never the SQL) computes. Money is
 * written in whole units, as the dashboard and brief write it. The "why", comparison, "what
 * should I do" and red-flag questions have their own truth (ask_truth_why_test.ts,
 * ask_truth_briefing_test.ts).
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { answerIntent, loadAskContext } from "../_shared/ask/answer.ts";
import { formatMoney, formatNumber, formatPct, plural } from "../_shared/ask/format.ts";
import { intentByName } from "../_shared/ask/intents.ts";
import { matchMessage } from "../_shared/ask/matcher.ts";
import { AskTruth, type Deal } from "./_ask_truth.ts";
import { LeadsTruth } from "./_ask_truth_leads.ts";
import { PipelineTruth } from "./_ask_truth_pipeline.ts";
import { RevenueTruth } from "./_ask_truth_revenue.ts";
import { loadDemoCompany } from "./_demo_company.ts";
import { computeSourceCohorts } from "./_demo_truth_sources.ts";

const AS_OF = "2026-03-04";
const LEADS = 3000;
const m = (v: number | null) => formatMoney(v, "USD");
const signed = (v: number, fmt: (x: number) => string) =>
  v > 0 ? `+${fmt(v)}` : v < 0 ? `-${fmt(-v)}` : "no change";
const sum = (ds: Deal[]) => ds.reduce((s, d) => s + Math.round((d.amount ?? 0) * 100), 0) / 100;

/** Won revenue per source in the window and its previous equal window, largest move first. */
function revenueMoves(t: AskTruth, key: string) {
  const w = t.window(key);
  const cur = t.closed("won", w.start, w.end, w.asOf);
  const prev = t.closed("won", w.prevStart, w.prevEnd, w.asOf);
  const sources = new Set([...cur, ...prev].map((d) => d.source ?? "(none)"));
  return [...sources].map((s) => {
    const of = (ds: Deal[]) => sum(ds.filter((d) => (d.source ?? "(none)") === s));
    return { source: s, change: of(cur) - of(prev) };
  }).filter((x) => x.change !== 0).sort((a, b) => Math.abs(b.change) - Math.abs(a.change));
}

Deno.test("a CRO's questions on the demo company", async (t) => {
  const db = await createScratchDb("ask_cro");
  try {
    await loadDemoCompany(db.sql, { leads: LEADS });
    await db.sql`select analytics.refresh_facts()`;
    await db.sql`insert into analytics.revenue_targets (quarter_start, amount)
      values ('2026-01-01', 120000)`;
    const ctx = await loadAskContext(db.sql);
    const [tz] = await db.sql`select analytics.time_zone() as tz`;
    const truth = new AskTruth({ leads: LEADS, today: AS_OF, tz: String(tz!.tz) });
    const pipeline = new PipelineTruth(truth);

    const ask = async (text: string, intent: string) => {
      const match = matchMessage(text, ctx);
      assert.equal(match.kind === "intent" ? match.intent : match.kind, intent, text);
      if (match.kind !== "intent") throw new Error("unreachable");
      const answer = await answerIntent(db.sql, intentByName(intent)!, match.params, {
        asOf: AS_OF,
        currency: ctx.currency,
        refused: match.refused,
      });
      assert.doesNotMatch(answer.text, /\$[\d,]+\.\d/, `money in whole units: ${answer.text}`);
      return answer.text;
    };

    await t.step('"which deals are at risk": the stale deals', async () => {
      const stale = pipeline.staleDeals();
      const text = await ask("which deals are at risk", "stale_deals");
      assert.ok(text.startsWith(`${plural(stale.length, "open deal")} of `), text);
      assert.ok(text.includes(m(sum(stale))), text);
    });

    await t.step('"show me deals stuck in negotiation": the stage kept', async () => {
      const stale = pipeline.staleDeals().filter((d) => d.stage === "Negotiation/Review");
      const text = await ask("show me deals stuck in negotiation", "stale_deals");
      assert.ok(text.includes("(in Negotiation/Review)") && text.includes(m(sum(stale))), text);
      assert.ok(text.startsWith(plural(stale.length, "open deal")), text);
    });

    await t.step('"why is revenue down vs last quarter": this quarter\'s drivers', async () => {
      const rev = new RevenueTruth(truth).revenue("this_quarter");
      const text = await ask("why is revenue down vs last quarter", "why_revenue");
      const [first, , top] = text.split("\n");
      assert.equal(
        first,
        `Revenue this quarter: ${m(rev.revenue)} vs ${m(rev.prevRevenue)} in the same days of ` +
          `the period before (${signed(rev.revenue - rev.prevRevenue, m)}).`,
      );
      const moves = revenueMoves(truth, "this_quarter");
      assert.ok(top!.startsWith(`• ${moves[0]!.source}: ${signed(moves[0]!.change, m)} (`), text);
    });

    await t.step('"conversion rate of facebook leads": Facebook\'s cohorts', async () => {
      const rows = computeSourceCohorts({ leads: LEADS, asOf: AS_OF, tz: String(tz!.tz) })
        .filter((r) => r.key === "Facebook").slice(-3).reverse();
      const text = await ask("conversion rate of facebook leads", "lead_conversion");
      const lines = text.split("\n");
      assert.equal(lines[0], "Lead conversion of Facebook leads by month created:");
      rows.forEach((r, i) =>
        assert.ok(
          lines[i + 1]!.includes(
            `${plural(r.leads, "lead")} → ${formatPct(r.lead_to_deal_pct)} to deal, ${
              formatPct(r.lead_to_won_pct)
            } won`,
          ),
          text,
        )
      );
    });

    await t.step("\"what's the average deal size for google ads\": Google Ads' deals", async () => {
      const w = truth.window("last_12_months");
      const won = truth.closed("won", w.start, w.end, w.asOf).filter((d) =>
        d.source === "Google Ads"
      );
      const avg = Math.round(sum(won) / won.length * 100) / 100;
      const text = await ask("what's the average deal size for google ads", "deal_size");
      assert.ok(
        text.startsWith(
          `Won deals from Google Ads the last 12 months: ${won.length}, average ${m(avg)}`,
        ),
        text,
      );
    });

    await t.step('"how many deals did priya close this quarter": her won deals', async () => {
      const w = truth.window("this_quarter");
      const won = truth.closed("won", w.start, w.end, w.asOf).filter((d) =>
        d.owner === "Priya Nair"
      );
      const text = await ask("how many deals did priya close this quarter", "revenue");
      assert.ok(
        text.startsWith(`Revenue of Priya Nair this quarter (`) &&
          text.includes(`: ${m(sum(won))} from ${plural(won.length, "won deal")}.`),
        text,
      );
    });

    await t.step("a rep's deals say whose they are", async () => {
      const top = await ask("top deals for diego", "top_deals");
      assert.equal(top.split("\n")[0], "Top open deals of Diego Santos:");
      const due = pipeline.closingIn("this_month").deals.filter((d) => d.owner === "Grace Okafor");
      const text = await ask("what's closing this month for grace", "closing_soon");
      assert.ok(
        text.startsWith(
          `Closing this month (Grace Okafor): ${plural(due.length, "deal")}, ${m(sum(due))}`,
        ),
        text,
      );
    });

    await t.step('"how fast do we respond to new leads": speed to lead', async () => {
      const r = new LeadsTruth(truth).responseTime("this_month");
      const text = await ask("how fast do we respond to new leads", "response_time");
      assert.ok(text.includes(`median ${formatNumber(r.medianHours)} h`), text);
    });

    await t.step('"how are we tracking against target": the forecast', async () => {
      const text = await ask("how are we tracking against target", "forecast");
      assert.ok(text.includes(`Target ${m(120000)}`), text);
    });

    await t.step('"stale deals last month": a period it cannot take, said aloud', async () => {
      const text = await ask("stale deals last month", "stale_deals");
      assert.ok(
        text.endsWith("I can't give this one for last month: it shows how things stand today."),
      );
    });
  } finally {
    await db.drop();
  }
});
