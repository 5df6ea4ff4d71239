/**
 * The "why" and comparison intents state the independent truth: revenue and leads of a period
 * against the same days before and the largest moves by source and rep (won deals and leads of
 * _ask_truth.ts), the pipeline's start, end and exits (_ask_truth_pipeline.ts), and a period's
 * key figures beside the previous one's; see _ask_truth_cases.ts.
 */
import assert from "node:assert/strict";
import { formatNumber, formatPct, plural } from "../_shared/ask/format.ts";
import type { AskTruth, Deal, Lead } from "./_ask_truth.ts";
import { sumCents } from "./_ask_truth_calendar.ts";
import { type Case, type CaseContext, m, testAskTruthFamily } from "./_ask_truth_cases.ts";
import { PipelineTruth } from "./_ask_truth_pipeline.ts";

const signed = (v: number, fmt: (x: number) => string) =>
  v > 0 ? `+${fmt(v)}` : v < 0 ? `-${fmt(-v)}` : "no change";

/** A period's items and the previous equal period's, and each named part's change. */
function moves<T>(cur: T[], prev: T[], part: (x: T) => string, size: (xs: T[]) => number) {
  const names = new Set([...cur, ...prev].map(part));
  return [...names].map((name) => {
    const c = size(cur.filter((x) => part(x) === name));
    const p = size(prev.filter((x) => part(x) === name));
    return { name, change: c - p };
  }).filter((x) => x.change !== 0);
}

/** The reply's first bullet under `title` names a part whose change is the largest in size. */
function largestFirst(
  text: string,
  title: string,
  parts: { name: string; change: number }[],
  fmt: (x: number) => string,
) {
  const lines = text.split("\n");
  const at = lines.indexOf(`${title}, largest moves first:`);
  if (!parts.length) return assert.equal(at, -1, text);
  const top = Math.max(...parts.map((p) => Math.abs(p.change)));
  const bullet = lines[at + 1] ?? "";
  const hit = parts.find((p) => Math.abs(p.change) === top && bullet.startsWith(`• ${p.name}: `));
  assert.ok(hit, `${title}: the first move is a largest one (${top}): ${text}`);
  assert.ok(bullet.startsWith(`• ${hit.name}: ${signed(hit.change, fmt)} (`), text);
}

function whyRevenue(t: AskTruth, question: string, period: string): Case {
  return {
    question,
    period,
    expect(text) {
      const w = t.window(period);
      const cur = t.closed("won", w.start, w.end, w.asOf);
      const prev = t.closed("won", w.prevStart, w.prevEnd, w.asOf);
      const [c, p] = [sumCents(cur) / 100, sumCents(prev) / 100];
      assert.equal(
        text.split("\n")[0],
        `Revenue ${w.label}: ${m(c)} vs ${m(p)} in the same days of the period before (${
          signed(Math.round((c - p) * 100) / 100, m)
        }).`,
      );
      const money = (ds: Deal[]) => sumCents(ds) / 100;
      largestFirst(text, "By source", moves(cur, prev, (d) => d.source ?? "(none)", money), m);
      largestFirst(text, "By rep", moves(cur, prev, (d) => d.owner ?? "(none)", money), m);
    },
  };
}

function whyLeads(t: AskTruth, question: string, period: string): Case {
  return {
    question,
    period,
    expect(text) {
      const w = t.window(period);
      const cur = t.leadsIn(w.start, w.end, w.asOf);
      const prev = t.leadsIn(w.prevStart, w.prevEnd, w.asOf);
      assert.equal(
        text.split("\n")[0],
        `New leads ${w.label}: ${formatNumber(cur.length)} vs ${
          formatNumber(prev.length)
        } in the same days of the period before (${
          signed(cur.length - prev.length, formatNumber)
        }).`,
      );
      const count = (ls: Lead[]) => ls.length;
      largestFirst(
        text,
        "By source",
        moves(cur, prev, (l) => l.source ?? "(none)", count),
        formatNumber,
      );
      largestFirst(
        text,
        "By rep",
        moves(cur, prev, (l) => l.owner ?? "(none)", count),
        formatNumber,
      );
    },
  };
}

function whyPipeline(p: PipelineTruth, question: string, period: string): Case {
  return {
    question,
    period,
    expect(text) {
      const mv = p.pipelineMoves(period);
      assert.equal(
        text.split("\n")[0],
        `Pipeline closing ${mv.window.label}: ${m(mv.start.amount)} at its start, ${
          m(mv.end.amount)
        } now (${signed(Math.round((mv.end.amount - mv.start.amount) * 100) / 100, m)}).`,
      );
      for (const [step, words] of [["won", "won (leaves the open pipeline)"], ["lost", "lost"]]) {
        const s = mv[step as "won" | "lost"];
        if (s.deals) {
          assert.ok(
            text.includes(`• ${words}: -${m(s.amount)} (${plural(s.deals, "deal")})`),
            text,
          );
        }
      }
      if (mv.new.deals) {
        assert.ok(
          text.includes(`• new deals: +${m(mv.new.amount)} (${plural(mv.new.deals, "deal")})`),
        );
      }
    },
  };
}

function compare(t: AskTruth, p: PipelineTruth, question: string, period: string): Case {
  return {
    question,
    period,
    expect(text) {
      const w = t.window(period);
      const won = (from: string, to: string) => t.closed("won", from, to, w.asOf);
      const leads = (from: string, to: string) => t.leadsIn(from, to, w.asOf).length;
      const rate = (from: string, to: string, asOf: string) => {
        const n = t.closed("won", from, to, asOf).length;
        const all = n + t.closed("lost", from, to, asOf).length;
        return all ? formatPct(Math.round((10000 * n) / all) / 100) : "n/a";
      };
      const deals = p.newDeals(period);
      const lines = text.split("\n");
      const [cur, prev] = [won(w.start, w.end), won(w.prevStart, w.prevEnd)];
      assert.ok(
        lines[1]!.startsWith(
          `• Revenue: ${m(sumCents(cur) / 100)} vs ${m(sumCents(prev) / 100)} (`,
        ),
      );
      assert.ok(lines[2]!.startsWith(`• Won deals: ${cur.length} vs ${prev.length} (`), text);
      assert.ok(
        lines[3]!.startsWith(
          `• New leads: ${leads(w.start, w.end)} vs ${leads(w.prevStart, w.prevEnd)} (`,
        ),
        text,
      );
      assert.ok(lines[4]!.startsWith(`• New deals: ${deals.deals} vs ${deals.prevDeals} (`));
      assert.ok(
        lines[5]!.startsWith(`• New deal amount: ${m(deals.amount)} vs ${m(deals.prevAmount)}`),
      );
      assert.ok(
        lines[6]!.startsWith(
          `• Win rate: ${rate(w.start, w.end, w.asOf)} vs ${
            rate(w.prevStart, w.prevEnd, w.prevEnd)
          } (`,
        ),
        text,
      );
    },
  };
}

function casesFor({ truth: t }: CaseContext): Record<string, Case[]> {
  const p = new PipelineTruth(t);
  return {
    why_revenue: [
      whyRevenue(t, "why is revenue down this quarter", "this_quarter"),
      whyRevenue(t, "why did bookings drop last month", "last_month"),
      whyRevenue(t, "what drove revenue last quarter", "last_quarter"),
    ],
    why_leads: [
      whyLeads(t, "why are leads down this month", "this_month"),
      whyLeads(t, "why did leads fall last week", "last_week"),
    ],
    why_pipeline: [
      whyPipeline(p, "why did the pipeline shrink this quarter", "this_quarter"),
      whyPipeline(p, "why did the pipe drop last quarter", "last_quarter"),
    ],
    compare: [
      compare(t, p, "this quarter vs last", "this_quarter"),
      compare(t, p, "how did last month compare to the month before", "last_month"),
    ],
  };
}

testAskTruthFamily("why", casesFor);
