/**
 * The deal intents (how is the <name> deal, when was data last synced) state the independent
 * truth (_ask_truth.ts, and the sync runs this test writes); see _ask_truth_cases.ts.
 */
import assert from "node:assert/strict";
import { formatDay, formatNumber, formatPct } from "../_shared/ask/format.ts";
import type { AskTruth, Deal } from "./_ask_truth.ts";
import { type Case, type CaseContext, m, testAskTruthFamily } from "./_ask_truth_cases.ts";

/** An open and a won deal whose surname no other existing deal of the same rep shares: "how is
 * the <surname> deal for <rep>". */
function dealStatusCases(t: AskTruth): Case[] {
  const alive = t.dealsAt(t.today);
  const key = (d: Deal) => `${d.name.split(" - ")[0]}|${d.owner}`;
  const count = new Map<string, number>();
  for (const d of alive) count.set(key(d), (count.get(key(d)) ?? 0) + 1);
  const byAmount = alive.filter((d) => count.get(key(d)) === 1 && d.owner !== null)
    .sort((a, b) => (b.amount ?? 0) - (a.amount ?? 0) || a.id.localeCompare(b.id));
  const open = byAmount.find((d) => d.stage?.startsWith("Closed") === false);
  const won = byAmount.find((d) => d.stage === "Closed Won");
  assert.ok(open && won, "an open and a won deal with a unique name for their rep");
  return [open, won].map((d): Case => ({
    question: `how is the ${d.name.split(" - ")[0]} deal for ${d.owner}`,
    expect(text) {
      const lines = text.split("\n");
      assert.equal(lines[0], `${d.name}: ${d.stage}, ${m(d.amount)}, owner ${d.owner}.`, text);
      if (d.stage?.startsWith("Closed") === false) {
        assert.equal(
          lines[1],
          `Closes ${formatDay(d.closing, true)} (probability ${formatPct(t.probability(d))}).`,
          text,
        );
      }
      // Days (1 decimal) from the last change or activity to the end of today.
      const days = Math.round(t.idleDays(d) * 10) / 10;
      assert.ok(
        lines.at(-1)!.startsWith(`Last change or activity ${formatNumber(days)} days ago`),
        text,
      );
    },
  }));
}

function casesFor({ truth, sql }: CaseContext): Record<string, Case[]> {
  return {
    deal_status: dealStatusCases(truth),
    // last_sync: none yet, then the run this test records.
    last_sync: [
      {
        question: "when was data last synced",
        expect: (text) => assert.equal(text, "The CRM has not been synced yet."),
      },
      {
        question: "when was data last synced",
        async setup() {
          await sql`insert into zoho.sync_runs (run_id, mode, status, started_at, updated_at)
        values (gen_random_uuid(), 'incremental', 'done', '2026-03-04T06:00:00Z',
          '2026-03-04T06:07:30Z')`;
        },
        expect: (text) =>
          assert.equal(text, "Last sync: incremental, done, last progress 2026-03-04 06:07 UTC."),
      },
    ],
  };
}

testAskTruthFamily("deal", casesFor);
