/**
 * Every intent of the registry, asked as a WhatsApp question on the demo company (scratch
 * database, as of 2026-03-04): the reply TEXT states the figures an independent implementation
 * (_ask_truth.ts, TypeScript over the simulator's dataset, never the SQL) computes, for the
 * question's period and for the previous period when the intent takes one. An intent without a
 * truth case here fails, so a new intent needs one. The project's format.ts only writes the
 * expected numbers the way replies write them.
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { answerIntent, loadAskContext } from "../_shared/ask/answer.ts";
import {
  formatChange,
  formatDay,
  formatMoney,
  formatMonth,
  formatNumber,
  formatPct,
  plural,
} from "../_shared/ask/format.ts";
import { INTENTS } from "../_shared/ask/intents.ts";
import { matchMessage } from "../_shared/ask/matcher.ts";
import { AskTruth, type Deal } from "./_ask_truth.ts";
import { loadDemoCompany } from "./_demo_company.ts";

const AS_OF = "2026-03-04";
const LEADS = 3000;
const TARGETS: Record<string, number> = { "2026-01-01": 120000 };

const m = (v: number | null) => formatMoney(v, "USD");

/** One question and what its reply must say. */
interface Case {
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

function sameList(text: string, head: string, lines: string[]) {
  assert.equal(text.split("\n")[0], head, text);
  assert.deepEqual(body(text), [...lines].sort(), text);
}

/** The deal line of lists (top, closing, stale). */
function dealLine(d: Deal): string {
  return `${d.name} — ${m(d.amount)}, ${d.stage}, ${d.owner ?? "no owner"}, closes ${
    formatDay(d.closing)
  }`;
}

/** The reply lists the `n` largest of `deals` (ties with the last in any order): `lines` are
 * `${prefix}${line(d)}` of distinct deals, their amounts the n largest amounts, largest first. */
function largest(lines: string[], deals: Deal[], n: number, line: (d: Deal) => string) {
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

function casesFor(t: AskTruth): Record<string, Case[]> {
  const revenue = (period: string): Case => ({
    question: `revenue ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const r = t.revenue(period, TARGETS);
      const w = r.window;
      const lines = [
        `Revenue ${w.label} (${formatDay(w.start)}–${formatDay(w.end)}): ${m(r.revenue)} from ${
          plural(r.wonDeals, "won deal")
        }.`,
        `Same days of the previous period: ${m(r.prevRevenue)} (${formatChange(r.growthPct)}).`,
      ];
      if (r.target !== null) {
        lines.push(`Target ${m(r.target)}: ${formatPct(r.attainmentPct)} attained.`);
      }
      assert.equal(text, lines.join("\n"));
    },
  });
  const revenueBySource = (period: string): Case => ({
    question: `revenue by source ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const rows = t.revenueBySource(period);
      sameList(
        text,
        `Revenue by source ${t.window(period).label}:`,
        rows.map((r) =>
          `• ${r.source}: ${m(r.revenue)} (${formatPct(r.sharePct)}, ${plural(r.wonDeals, "deal")})`
        ),
      );
    },
  });
  const leaderboard = (period: string): Case => ({
    question: `leaderboard ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const rows = t.leaderboard(period).slice(0, 5);
      assert.equal(
        text,
        [`Leaderboard ${t.window(period).label} (won revenue):`].concat(
          rows.map((r, i) =>
            `${i + 1}. ${r.owner}: ${m(r.revenue)}, ${plural(r.won, "won deal")}, win rate ${
              formatPct(r.winRatePct)
            }`
          ),
        ).join("\n"),
      );
    },
  });
  const winRate = (period: string): Case => ({
    question: `win rate ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const r = t.winRate(period);
      assert.equal(
        text,
        `Win rate ${r.window.label}: ${formatPct(r.countPct)} — ${formatNumber(r.won)} won, ${
          formatNumber(r.lost)
        } lost. By value ${formatPct(r.valuePct)} (${m(r.wonAmount)} won, ${
          m(r.lostAmount)
        } lost).`,
      );
    },
  });
  const lost = (question: string, period: string): Case => ({
    question,
    period,
    expect(text) {
      const r = t.lostDeals(period);
      const head = `Lost ${r.window.label}: ${plural(r.lost, "deal")}, ${
        m(r.amount)
      }. Top reasons: `;
      assert.ok(text.startsWith(head), `${head} in ${text}`);
      // The three most frequent reasons (ties in any order), each with its count.
      const said = [...text.slice(head.length).matchAll(/([^,(]+) \((\d+)\)/g)].map((x) => ({
        reason: x[1]!.trim(),
        deals: Number(x[2]),
      }));
      assert.equal(said.length, Math.min(3, r.reasons.length), text);
      const counts = new Map(r.reasons.map((x) => [x.reason, x.deals]));
      for (const s of said) assert.equal(counts.get(s.reason), s.deals, `${s.reason} in ${text}`);
      assert.deepEqual(said.map((s) => s.deals), r.reasons.slice(0, 3).map((x) => x.deals), text);
    },
  });
  const dealSize = (period: string): Case => ({
    question: `average deal size ${period.replaceAll("_", " ")}`,
    period,
    expect(text) {
      const r = t.dealSize(period);
      assert.equal(
        text,
        `Won deals ${r.window.label}: ${formatNumber(r.wonDeals)}, average ${
          m(r.avgAmount)
        }, median ${m(r.medianAmount)}.`,
      );
    },
  });
  const salesCycle = (period: string): Case => ({
    question: `sales cycle ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const r = t.dealSize(period);
      assert.equal(
        text,
        `Sales cycle ${r.window.label} (${plural(r.wonDeals, "won deal")}): average ${
          formatNumber(r.avgCycleDays)
        } days, median ${formatNumber(r.medianCycleDays)} days from created to won.`,
      );
    },
  });
  const leads = (period: string, source?: string): Case => ({
    question: `leads ${period.replace("_", " ")}${source ? ` from ${source.toLowerCase()}` : ""}`,
    period,
    expect(text) {
      const r = t.leadCount(period, { source });
      assert.equal(
        text,
        `Leads ${r.window.label}${source ? ` from ${source}` : ""}: ${
          formatNumber(r.leads)
        } (${`previous period ${formatNumber(r.prev)}, ${formatChange(r.growthPct)}`}).`,
      );
    },
  });
  const leadsBy = (dimension: "source" | "owner", period: string): Case => ({
    question: `leads ${dimension === "source" ? "by source" : "per rep"} ${
      period.replace("_", " ")
    }`,
    period,
    expect(text) {
      const rows = t.leadsBy(period, dimension);
      sameList(
        text,
        `Leads ${t.window(period).label} by ${dimension === "source" ? "source" : "rep"}:`,
        rows.map((r) =>
          `• ${r.name}: ${formatNumber(r.leads)} (${formatPct(r.sharePct)}; before ${
            formatNumber(r.prev)
          })`
        ),
      );
    },
  });
  const responseTime = (period: string): Case => ({
    question: `response time ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const r = t.responseTime(period);
      assert.equal(
        text,
        `Speed to lead ${r.window.label}: median ${formatNumber(r.medianHours)} h, average ${
          formatNumber(r.avgHours)
        } h; ${formatPct(r.within1hPct)} of touched leads within 1 h. ${
          formatNumber(r.untouched)
        } of ${plural(r.leads, "lead")} not touched yet.`,
      );
    },
  });
  const sourceRoi = (period: string): Case => ({
    question: `roi by source ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const rows = t.sourceRoi(period);
      sameList(
        text,
        `Source ROI ${t.window(period).label}:`,
        rows.map((r) =>
          `• ${r.source}: cost ${m(r.cost)}, ${plural(r.leads, "lead")}, revenue ${
            m(r.revenue)
          }, ROI ${formatPct(r.roiPct)}`
        ),
      );
    },
  });
  const closing = (question: string, period: string, ignore?: string): Case => ({
    question,
    period,
    ignore,
    expect(text) {
      const r = t.closingIn(period);
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
      const r = t.newDeals(period);
      assert.equal(
        text,
        `New deals ${r.window.label}: ${formatNumber(r.deals)}, ${m(r.amount)} (previous period ${
          formatNumber(r.prevDeals)
        }, ${m(r.prevAmount)}).`,
      );
    },
  });
  const movement = (period: string): Case => ({
    question: `pipeline movement ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const r = t.pipelineMoves(period);
      const said = new Map(
        [...text.matchAll(/^• ([a-z ]+): (\S+) \((\S+) deals?\)$/gm)].map((x) => [x[1], x]),
      );
      assert.equal(text.split("\n")[0], `Pipeline closing ${r.window.label}:`);
      for (const step of ["start", "new", "won", "lost", "end"] as const) {
        const s = said.get(step);
        assert.ok(s, `${step} in ${text}`);
        assert.equal(s[2], m(r[step].amount), `${step} amount in ${text}`);
        assert.equal(s[3], formatNumber(r[step].deals), `${step} deals in ${text}`);
      }
    },
  });
  const stageConversion = (period: string): Case => ({
    question: `stage conversion ${period.replace("_", " ")}`,
    period,
    expect(text) {
      const rows = t.stageConversion(period);
      assert.equal(
        text,
        [`Stage conversion ${t.window(period).label}:`].concat(
          rows.map((r) =>
            `• ${r.stage}: ${formatPct(r.conversionPct)} advance (${formatNumber(r.advanced)} of ${
              formatNumber(r.entered)
            })`
          ),
        ).join("\n"),
      );
    },
  });

  const pipelineBy = (dimension: "stage" | "owner" | "source"): Case => ({
    question: `pipeline by ${dimension === "owner" ? "rep" : dimension}`,
    expect(text) {
      sameList(
        text,
        `Open pipeline by ${dimension === "owner" ? "rep" : dimension}:`,
        t.pipelineBy(dimension).map((r) =>
          `• ${r.name}: ${m(r.amount)} (${plural(r.openDeals, "deal")})`
        ),
      );
    },
  });

  const risk = (kind: "stale" | "slipped"): Case => ({
    question: kind === "stale" ? "stuck deals" : "overdue deals",
    expect(text) {
      const deals = kind === "stale" ? t.staleDeals() : t.slippedDeals();
      const open = t.openDeals(t.today).length;
      if (deals.length === 0) {
        assert.equal(text, `No ${kind} deals.`);
        return;
      }
      const what = kind === "stale" ? "stale (no change or activity)" : "past their closing date";
      const lines = text.split("\n");
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
    revenue: [
      revenue("this_month"),
      revenue("last_month"),
      revenue("this_quarter"),
      revenue("last_quarter"),
    ],
    revenue_by_source: [revenueBySource("this_month"), revenueBySource("last_month")],
    revenue_trend: [{
      question: "monthly revenue trend",
      expect(text) {
        assert.equal(
          text,
          ["Revenue by month:"].concat(
            t.revenueTrend(6).map((r) =>
              `• ${formatMonth(r.month)}: ${m(r.revenue)} (${plural(r.wonDeals, "deal")})`
            ),
          ).join("\n"),
        );
      },
    }],
    forecast: [{
      question: "are we on track this quarter",
      expect(text) {
        const f = t.forecast(TARGETS["2026-01-01"]!);
        // Both replies state the quarter, the won revenue so far and the target.
        assert.ok(
          text.startsWith(`Quarter to ${formatDay(f.quarterEnd)}: won ${m(f.won)}`),
          `quarter end ${f.quarterEnd}, won ${m(f.won)} in ${text}`,
        );
        assert.ok(text.includes(`Target ${m(f.target)}`), text);
        if (!text.includes("weighted pipeline")) {
          // A modelled forecast (likeliest finish and range): its model figures are not
          // recomputed here; the shortfall it states is the target minus the likeliest finish.
          const finish = /likeliest finish (\$[\d,.]+)/.exec(text)?.[1];
          const short = /(\$[\d,.]+) short/.exec(text)?.[1];
          if (finish && short) {
            const n = (x: string) => Number(x.replace(/[$,]/g, ""));
            assert.equal(m(f.target! - n(finish)), short, text);
          }
          return;
        }
        // Weighted forecast: won + probability-weighted open pipeline due this quarter.
        const gap = f.gap ?? 0;
        assert.equal(
          text,
          `Quarter to ${formatDay(f.quarterEnd)}: won ${m(f.won)} + weighted pipeline ${
            m(f.weighted)
          } = forecast ${m(f.forecast)}.\nTarget ${m(f.target)}: ${
            gap > 0 ? `gap ${m(gap)}` : `ahead by ${m(-gap)}`
          }. Open pipeline ${m(f.openPipeline)} covers the remaining ${m(f.remaining)} ${
            formatNumber(f.coverage)
          }×.`,
        );
      },
    }],
    owner_leaderboard: [leaderboard("this_quarter"), leaderboard("last_quarter")],
    win_rate: [winRate("this_quarter"), winRate("last_quarter")],
    lost_deals: [
      lost("why did we lose deals this quarter", "this_quarter"),
      lost("lost deals last quarter", "last_quarter"),
    ],
    deal_size: [dealSize("this_quarter"), dealSize("last_quarter"), dealSize("last_12_months")],
    sales_cycle: [salesCycle("this_year"), salesCycle("last_year")],
    sales_velocity: [{
      question: "sales velocity",
      expect(text) {
        const v = t.salesVelocity();
        assert.equal(
          text,
          `Sales velocity: ${m(v.velocityPerDay)} per day = ${
            formatNumber(v.openDeals)
          } open deals × ${formatPct(v.winRatePct)} win rate × ${m(v.avgDealSize)} ÷ ${
            formatNumber(v.avgCycleDays)
          } days over the trailing year.`,
        );
      },
    }],
    leads: [
      leads("today"),
      leads("yesterday"),
      leads("this_week"),
      leads("last_week"),
      leads("this_month", "Facebook"),
      leads("last_month", "Facebook"),
    ],
    leads_by_source: [leadsBy("source", "this_week"), leadsBy("source", "last_week")],
    leads_by_owner: [leadsBy("owner", "this_month"), leadsBy("owner", "last_month")],
    response_time: [responseTime("this_month"), responseTime("last_month")],
    untouched_leads: [{
      question: "untouched leads",
      expect(text) {
        const u = t.untouched(7);
        assert.equal(
          text,
          `Untouched open leads: ${formatNumber(u.neverTouched)} of ${formatNumber(u.openLeads)} (${
            formatPct(u.neverTouchedPct)
          }). Of the last 7 days' ${formatNumber(u.recentLeads)} leads, ${
            formatNumber(u.recentUntouched)
          } untouched.`,
        );
      },
    }],
    lead_conversion: [{
      question: "lead conversion rate",
      expect(text) {
        assert.equal(
          text,
          ["Lead conversion by month created:"].concat(
            t.leadConversion(3, 90).map((r) =>
              `• ${formatMonth(r.cohort_month)}: ${formatNumber(r.leads)} leads → ${
                formatPct(r.lead_to_deal_pct)
              } to deal, ${formatPct(r.lead_to_won_pct)} won${
                r.incomplete ? " (still maturing)" : ""
              }`
            ),
          ).join("\n"),
        );
      },
    }],
    source_roi: [sourceRoi("this_year"), sourceRoi("last_year")],
    anomalies: [{
      question: "anything unusual this week",
      expect(text) {
        // An unusual week needs volume: 10 leads or 3 won deals of the source in this rolling
        // week or the week before (settings' defaults). Without, nothing can be flagged.
        const v = t.weeklyVolume();
        const busy = [v.thisWeek, v.lastWeek].some((w) =>
          [...w.leads.values()].some((n) => n >= 10) || [...w.won.values()].some((n) => n >= 3)
        );
        if (busy) assert.match(text, /^(Unusual this week:|Nothing unusual this week)/);
        else {
          assert.equal(
            text,
            "Nothing unusual this week: every source moved within its normal range.",
          );
        }
      },
    }],
    data_quality: [{
      question: "data quality",
      expect(text) {
        const u = t.untouched(7);
        const rows: [string, { count: number; total: number; pct: number | null }][] = [
          ["open leads never touched", {
            count: u.neverTouched,
            total: u.openLeads,
            pct: u.neverTouchedPct,
          }],
          ["recent leads untouched", {
            count: u.recentUntouched,
            total: u.recentLeads,
            pct: u.recentPct,
          }],
          ...Object.entries(t.dealHygiene()),
        ];
        sameList(
          text,
          "Data quality:",
          rows.map(([label, r]) =>
            `• ${label}: ${formatNumber(r.count)} of ${formatNumber(r.total)} (${formatPct(r.pct)})`
          ),
        );
      },
    }],
    pipeline: [{
      question: "pipeline",
      expect(text) {
        const p = t.pipelineOf(t.openDeals(t.today));
        assert.equal(
          text,
          `Open pipeline: ${m(p.amount)} in ${
            plural(p.openDeals, "deal")
          }; weighted by probability ${m(p.weighted)}.`,
        );
      },
    }, {
      question: "pipeline for tom becker",
      expect(text) {
        const p = t.pipelineOf(t.openDeals(t.today).filter((d) => d.owner === "Tom Becker"));
        assert.equal(
          text,
          `Open pipeline (Tom Becker): ${m(p.amount)} in ${
            plural(p.openDeals, "deal")
          }; weighted by probability ${m(p.weighted)}.`,
        );
      },
    }],
    pipeline_by_stage: [pipelineBy("stage")],
    pipeline_by_owner: [pipelineBy("owner")],
    pipeline_by_source: [pipelineBy("source")],
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
    ],
    stale_deals: [risk("stale")],
    slipped_deals: [risk("slipped")],
    new_deals: [newDeals("this_week"), newDeals("last_week")],
    pipeline_change: [movement("this_quarter"), movement("last_quarter")],
    stage_conversion: [stageConversion("this_quarter"), stageConversion("last_quarter")],
    deal_status: dealStatusCases(t),
    last_sync: [], // filled in the test: it depends on the sync runs the test writes
  };
}

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

Deno.test("ask intents state the independent truth, this period and the previous", async (t) => {
  const db = await createScratchDb("ask_truth");
  try {
    await loadDemoCompany(db.sql, { leads: LEADS });
    await db.sql`select analytics.refresh_facts()`;
    await db.sql`insert into analytics.revenue_targets (quarter_start, amount)
      values ('2026-01-01', ${TARGETS["2026-01-01"]!})`;
    const ctx = await loadAskContext(db.sql);
    const [tzRow] = await db.sql`select analytics.time_zone() as tz`;
    const truth = new AskTruth({ leads: LEADS, today: AS_OF, tz: String(tzRow!.tz) });
    const cases = casesFor(truth);

    // last_sync: none yet, then the run this test records.
    cases.last_sync = [
      {
        question: "when was data last synced",
        expect: (text) => assert.equal(text, "The CRM has not been synced yet."),
      },
      {
        question: "when was data last synced",
        async setup() {
          await db.sql`insert into zoho.sync_runs (run_id, mode, status, started_at, updated_at)
          values (gen_random_uuid(), 'incremental', 'done', '2026-03-04T06:00:00Z',
            '2026-03-04T06:07:30Z')`;
        },
        expect: (text) =>
          assert.equal(text, "Last sync: incremental, done, last progress 2026-03-04 06:07 UTC."),
      },
    ];

    for (const intent of INTENTS) {
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
});
