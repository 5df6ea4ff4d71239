/**
 * "What should I do" states today's brief (its critical gap, immediate action and first two
 * insights, read back through the brief store, not the intent's SQL), and "any red flags" the
 * slipped and stale open deals of the independent truth (_ask_truth_pipeline.ts); see
 * _ask_truth_cases.ts.
 */
import assert from "node:assert/strict";
import { formatDay, plural } from "../_shared/ask/format.ts";
import { factNames } from "../_shared/brief/facts.ts";
import { writeBrief } from "../_shared/brief/generate.ts";
import { composePulse } from "../_shared/brief/pulse.ts";
import * as store from "../_shared/brief/store.ts";
import { computeSnapshot } from "../_shared/metrics/snapshot.ts";
import type { Deal } from "./_ask_truth.ts";
import { sumCents } from "./_ask_truth_calendar.ts";
import { AS_OF, type Case, type CaseContext, m, testAskTruthFamily } from "./_ask_truth_cases.ts";
import { PipelineTruth } from "./_ask_truth_pipeline.ts";

/** The red-flag line of one risk list: its count, amount and three largest deals. */
function riskLine(text: string, kind: "Slipped" | "Stale", deals: Deal[], owner?: string) {
  if (!deals.length) {
    return assert.ok(text.includes(`• No ${kind.toLowerCase()} deals (`), text);
  }
  const line = text.split("\n").find((l) => l.startsWith(`• ${kind}: `)) ?? "";
  assert.ok(
    line.startsWith(`• ${kind}: ${plural(deals.length, "deal")} (${m(sumCents(deals) / 100)}) `),
    text,
  );
  const top = Math.max(...deals.map((d) => d.amount ?? 0));
  assert.ok(
    deals.some((d) => d.amount === top && line.includes(`; largest: ${d.name} (${m(top)}`)),
    `the largest ${kind.toLowerCase()} deal (${m(top)}) first: ${line}`,
  );
  // An owner's list does not repeat the owner after each deal.
  if (owner) assert.ok(!line.includes(`, ${owner})`), line);
}

function casesFor({ truth: t, sql }: CaseContext): Record<string, Case[]> {
  const p = new PipelineTruth(t);
  let brief: store.StoredBrief["content"] | null = null;
  const mine = (ds: Deal[], owner?: string) => ds.filter((d) => !owner || d.owner === owner);
  return {
    next_actions: [
      {
        question: "what should I do today",
        expect: (text) => assert.match(text, /^No brief yet: the daily run has not written one/),
      },
      {
        question: "what should i focus on",
        async setup() {
          brief = null;
          await computeSnapshot(sql, { asOf: AS_OF });
          const snapshotId = (await store.latestSnapshotId(sql))!;
          const payload = (await store.loadPayload(sql, snapshotId))!;
          const written = await writeBrief(payload, { model: "rules", maxAttempts: 1 });
          await store.insertBrief(sql, {
            snapshotId,
            written,
            pulse: composePulse(written.draft, payload.as_of, payload.facts.flatMap(factNames)),
          });
          brief = (await store.latestBriefOf(sql, {}))!.content;
        },
        expect(text) {
          assert.ok(brief, "the brief was written");
          assert.equal(
            text,
            [
              `From the brief of ${formatDay(AS_OF)}:`,
              `Critical gap: ${brief.critical_gap.text}`,
              `Do now: ${brief.immediate_action.text}`,
              "Then look at:",
              ...brief.insights.slice(0, 2).map((i) => `• ${i.text}`),
            ].join("\n"),
          );
        },
      },
    ],
    red_flags: [
      {
        question: "any red flags",
        expect(text) {
          assert.equal(text.split("\n")[0], "Red flags:");
          assert.match(text, /\n• (No unusual moves by source this week\.|Unusual: )/);
          riskLine(text, "Slipped", p.slippedDeals());
          riskLine(text, "Stale", p.staleDeals());
        },
      },
      {
        question: "red flags in priya's deals",
        expect(text) {
          assert.equal(text.split("\n")[0], "Red flags in Priya Nair's deals:");
          assert.doesNotMatch(text, /Unusual: /);
          riskLine(text, "Slipped", mine(p.slippedDeals(), "Priya Nair"), "Priya Nair");
          riskLine(text, "Stale", mine(p.staleDeals(), "Priya Nair"), "Priya Nair");
        },
      },
    ],
  };
}

testAskTruthFamily("briefing", casesFor);
