/**
 * The deal-list intents (top, closing, stale and slipped (and pushed), new deals) state the
 * independent truth (_ask_truth_pipeline.ts); see _ask_truth_cases.ts.
 */
import assert from "node:assert/strict";
import { formatNumber, plural } from "../_shared/ask/format.ts";
import type { Deal } from "./_ask_truth.ts";
import { groupBy } from "./_ask_truth_calendar.ts";
import {
  AS_OF,
  type Case,
  type CaseContext,
  dealLine,
  largest,
  m,
  testAskTruthFamily,
} from "./_ask_truth_cases.ts";
import { PipelineTruth } from "./_ask_truth_pipeline.ts";

function casesFor({ truth: t, sql }: CaseContext): Record<string, Case[]> {
  const f = new PipelineTruth(t);
  const closing = (question: string, period: string, ignore?: string): Case => ({
    question,
    period,
    ignore,
    expect(text) {
      const r = f.closingIn(period);
      const label = r.window.label;
      if (r.openDeals === 0) {
        assert.equal(text, `No open deals due to close ${label}.`);
        return;
      }
      const lines = text.split("\n");
      assert.equal(
        lines[0],
        `Closing ${label}: ${plural(r.openDeals, "deal")}, ${m(r.amount)} (weighted ${
          m(r.weighted)
        }). Largest:`,
      );
      largest(lines.slice(1), r.deals, 3, (d) => `• ${dealLine(d)}`);
    },
  });
  const newDeals = (period: string): Case => ({
    question: `new deals ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const r = f.newDeals(period);
      assert.equal(
        text,
        `New deals ${r.window.label}: ${formatNumber(r.deals)}, ${m(r.amount)} (previous period ${
          formatNumber(r.prevDeals)
        }, ${m(r.prevAmount)}).`,
      );
    },
  });
  // The deals whose closing date was pushed later, as the dashboard's deal risks count them
  // (analytics.deal_risks' pushed; which deals from analytics.open_deal_health), their lines from
  // the truth: the slipped answer states them beside the deals past their closing date.
  let pushed: Deal[] = [];
  const readPushed = async () => {
    const [all] = await sql<{ pushed: number }[]>`
      select pushed::int from analytics.deal_risks(${AS_OF}) where stage is null`;
    const ids = (await sql<{ deal_id: string }[]>`
      select deal_id from analytics.open_deal_health(${AS_OF}) where close_date_pushes > 0`)
      .map((r) => r.deal_id);
    pushed = t.openDeals(t.today).filter((d) => ids.includes(d.id));
    assert.equal(pushed.length, all?.pushed ?? 0, "open_deal_health and deal_risks agree");
  };
  const risk = (kind: "stale" | "slipped", question?: string): Case => ({
    question: question ?? (kind === "stale" ? "stuck deals" : "overdue deals"),
    setup: kind === "slipped" ? readPushed : undefined,
    expect(text) {
      const deals = kind === "stale" ? f.staleDeals() : f.slippedDeals();
      const open = t.openDeals(t.today).length;
      const withPushed = kind === "slipped" && pushed.length > 0;
      if (deals.length === 0 && !withPushed) {
        assert.equal(text, `No ${kind} deals.`);
        return;
      }
      if (deals.length === 0) {
        const lines = text.split("\n");
        assert.equal(
          lines[0],
          `No open deal is past its closing date. ${plural(pushed.length, "open deal")} of ${
            formatNumber(open)
          } had it pushed later: ${m(t.pipelineOf(pushed).amount)}. Largest:`,
        );
        assert.equal(lines.length, 1 + Math.min(3, pushed.length), text);
        largest(
          lines.slice(1).map((l) => l.replace(/, pushed (once|\d+ times)$/, "")),
          pushed,
          3,
          (d) => `• ${dealLine(d)}`,
        );
        return;
      }
      const what = kind === "stale" ? "stale (no change or activity)" : "past their closing date";
      const lines = text.split("\n");
      if (withPushed) {
        assert.equal(
          lines.pop(),
          `Closing date pushed later: ${plural(pushed.length, "open deal")}, ${
            m(t.pipelineOf(pushed).amount)
          }.`,
        );
      }
      // The 3 reps with the most of them (then the largest amount), when more than one has any.
      const byOwner = groupBy(deals, (d) => d.owner ?? "no owner")
        .map(([owner, ds]) => ({ owner, deals: ds.length, amount: t.pipelineOf(ds).amount }))
        .sort((a, b) => b.deals - a.deals || b.amount - a.amount || (a.owner < b.owner ? -1 : 1))
        .slice(0, 3);
      if (byOwner.length > 1) {
        assert.equal(
          lines.pop(),
          `Most by rep: ${
            byOwner.map((o) => `${o.owner} ${formatNumber(o.deals)} (${m(o.amount)})`).join(", ")
          }.`,
        );
      }
      assert.equal(
        lines[0],
        `${plural(deals.length, "open deal")} of ${formatNumber(open)} ${what}: ${
          m(t.pipelineOf(deals).amount)
        }. Largest:`,
      );
      largest(
        lines.slice(1),
        deals,
        3,
        (d) =>
          `• ${dealLine(d)}${kind === "stale" ? `, idle ${formatNumber(t.idleDays(d))} days` : ""}`,
      );
    },
  });

  return {
    top_deals: [{
      question: "top 5 deals",
      expect(text) {
        const lines = text.split("\n");
        assert.equal(lines[0], "Top open deals:");
        // Ranked 1-5 by amount; deals tied with the fifth may be listed in any order.
        const ranked = lines.slice(1).map((l, i) => {
          assert.ok(l.startsWith(`${i + 1}. `), l);
          return `• ${l.slice(l.indexOf(". ") + 2)}`;
        });
        largest(ranked, t.openDeals(t.today), 5, (d) => `• ${dealLine(d)}`);
      },
    }],
    closing_soon: [
      closing("what's closing this week", "this_week"),
      closing("what was closing last week", "last_week"),
      closing("deals closing next month", "next_month"),
      closing("what's closing next quarter", "next_quarter"),
    ],
    stale_deals: [risk("stale")],
    slipped_deals: [risk("slipped"), risk("slipped", "which deals got pushed")],
    new_deals: [newDeals("this_week"), newDeals("last_week")],
  };
}

testAskTruthFamily("deal_lists", casesFor);
