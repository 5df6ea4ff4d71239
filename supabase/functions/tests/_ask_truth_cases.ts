/**
 * What the ask_truth_<family>_test.ts files share. Every intent of the registry is asked as a
 * WhatsApp question on the demo company (scratch database, as of 2026-03-04): the reply TEXT
 * states the figures an independent implementation (_ask_truth.ts, TypeScript over the
 * simulator's dataset, never the SQL) computes, for the question's period and for the previous
 * period when the intent takes one. The intents are grouped in families, one test file each;
 * FAMILIES names every family's intents, and ask_truth_test.ts fails for an intent in none, so a
 * new intent needs a truth. The project's format.ts only writes the expected numbers the way
 * replies write them.
 */
import assert from "node:assert/strict";
import { createScratchDb, type ScratchDb } from "../../../scripts/local/scratch_db.ts";
import { answerIntent, loadAskContext } from "../_shared/ask/answer.ts";
import { formatDay, formatMoney } from "../_shared/ask/format.ts";
import { INTENTS } from "../_shared/ask/intents.ts";
import { matchMessage } from "../_shared/ask/matcher.ts";
import { AskTruth, type Deal } from "./_ask_truth.ts";
import { loadDemoCompany } from "./_demo_company.ts";

/** The intents each family's test (ask_truth_<family>_test.ts) covers: a new family is its test
 * file plus its line here. */
export const FAMILIES: Record<string, readonly string[]> = {
  revenue: [
    "revenue",
    "revenue_by_source",
    "revenue_trend",
    "owner_leaderboard",
    "win_rate",
    "lost_deals",
    "deal_size",
    "sales_cycle",
    "sales_velocity",
  ],
  forecast: ["forecast"],
  leads: [
    "leads",
    "leads_by_source",
    "leads_by_owner",
    "response_time",
    "untouched_leads",
    "lead_conversion",
    "lead_conversion_by_source",
    "source_roi",
    "anomalies",
    "data_quality",
  ],
  pipeline: [
    "pipeline",
    "pipeline_by_stage",
    "pipeline_by_owner",
    "pipeline_by_source",
    "pipeline_change",
    "stage_conversion",
  ],
  deal_lists: ["top_deals", "closing_soon", "stale_deals", "slipped_deals", "new_deals"],
  deal: ["deal_status", "last_sync"],
  why: ["why_revenue", "why_leads", "why_pipeline", "compare"],
  briefing: ["next_actions", "red_flags"],
};

export const AS_OF = "2026-03-04";
const LEADS = 3000;
export const TARGETS: Record<string, number> = { "2026-01-01": 120000 };

/** Money as replies write it. */
export const m = (v: number | null) => formatMoney(v, "USD");

/** One question and what its reply must say. */
export interface Case {
  question: string;
  /** The period the question names (checked against the matched parameters). */
  period?: string;
  expect(text: string): void;
  /** Why this case is skipped: the truth and the reply disagree and the reply is wrong. */
  ignore?: string;
  /** Writes what the case needs before asking. */
  setup?: () => Promise<void>;
}

/** The reply's lines after the first, as a sorted list (order checked separately if at all). */
function body(text: string): string[] {
  return text.split("\n").slice(1).sort();
}

export function sameList(text: string, head: string, lines: string[]) {
  assert.equal(text.split("\n")[0], head, text);
  assert.deepEqual(body(text), [...lines].sort(), text);
}

/** The deal line of lists (top, closing, stale). */
export function dealLine(d: Deal): string {
  return `${d.name} — ${m(d.amount)}, ${d.stage}, ${d.owner ?? "no owner"}, closes ${
    formatDay(d.closing)
  }`;
}

/** The reply lists the `n` largest of `deals` (ties with the last in any order): `lines` are
 * `${prefix}${line(d)}` of distinct deals, their amounts the n largest amounts, largest first. */
export function largest(lines: string[], deals: Deal[], n: number, line: (d: Deal) => string) {
  const sorted = [...deals].sort((a, b) => (b.amount ?? 0) - (a.amount ?? 0));
  const cut = sorted[Math.min(n, sorted.length) - 1]?.amount ?? 0;
  const allowed = new Map<string, number>();
  for (const d of sorted.filter((d) => (d.amount ?? 0) >= cut)) {
    allowed.set(line(d), (allowed.get(line(d)) ?? 0) + 1);
  }
  assert.equal(lines.length, Math.min(n, sorted.length), lines.join("\n"));
  lines.forEach((l, i) => {
    const left = allowed.get(l) ?? 0;
    assert.ok(left > 0, `${l}: not among the ${n} largest (or listed twice)`);
    allowed.set(l, left - 1);
    assert.ok(l.includes(`— ${m(sorted[i]!.amount)},`), `position ${i + 1}: ${l}`);
  });
}

/** What a family's cases are built from: the truth, and the scratch database for setups. */
export interface CaseContext {
  truth: AskTruth;
  sql: ScratchDb["sql"];
}

/** Registers the test asking every case of `family`, its cases keyed by intent name. */
export function testAskTruthFamily(
  family: string,
  casesFor: (ctx: CaseContext) => Record<string, Case[]>,
) {
  Deno.test(
    `ask ${family} intents state the independent truth, this period and the previous`,
    async (t) => {
      const db = await createScratchDb(`ask_truth_${family}`);
      try {
        await loadDemoCompany(db.sql, { leads: LEADS });
        await db.sql`select analytics.refresh_facts()`;
        await db.sql`insert into analytics.revenue_targets (quarter_start, amount)
          values ('2026-01-01', ${TARGETS["2026-01-01"]!})`;
        const ctx = await loadAskContext(db.sql);
        const [tzRow] = await db.sql`select analytics.time_zone() as tz`;
        const truth = new AskTruth({ leads: LEADS, today: AS_OF, tz: String(tzRow!.tz) });
        const cases = casesFor({ truth, sql: db.sql });
        assert.deepEqual(
          Object.keys(cases).sort(),
          [...(FAMILIES[family] ?? [])].sort(),
          `the ${family} cases are for the intents FAMILIES gives the family`,
        );
        const names = new Set(INTENTS.map((i) => i.name));
        for (const name of Object.keys(cases)) assert.ok(names.has(name), `no intent ${name}`);

        for (const intent of INTENTS.filter((i) => i.name in cases)) {
          const list = cases[intent.name] ?? [];
          await t.step(`${intent.name} has truth cases`, () => {
            assert.ok(list.length > 0, `no truth case for intent ${intent.name}`);
            if (intent.accepts.includes("period")) {
              const periods = new Set(list.map((c) => c.period?.split("_")[0]));
              assert.ok(
                (periods.has("this") && periods.has("last")) ||
                  (periods.has("today") && periods.has("yesterday")),
                `${intent.name} takes a period: needs this and previous period cases`,
              );
            }
          });
          for (const c of list) {
            await t.step({
              name: `${intent.name}: "${c.question}"`,
              ignore: c.ignore !== undefined,
              fn: async () => {
                await c.setup?.();
                const match = matchMessage(c.question, ctx);
                assert.equal(match.kind === "intent" && match.intent, intent.name, c.question);
                if (match.kind !== "intent") return;
                if (c.period) assert.equal(match.params.period, c.period, c.question);
                const answer = await answerIntent(db.sql, intent, match.params, {
                  asOf: AS_OF,
                  currency: ctx.currency,
                });
                c.expect(answer.text);
              },
            });
          }
        }
      } finally {
        await db.drop();
      }
    },
  );
}
