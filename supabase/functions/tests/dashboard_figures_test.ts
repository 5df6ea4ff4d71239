/**
 * Dashboard figures against the snapshot and the independent truth (issue 22 item 5): the demo
 * company (3,000 leads, as of 2026-03-04) rendered as the dashboard function serves it, every KPI
 * tile figure and the data-table figures of the panels parsed back from the HTML and compared
 * number by number with the snapshot's kpis JSON (analytics.snapshots.kpis) or the second
 * implementation over the simulator's dataset (_demo_truth.ts, _demo_truth_stages.ts). Money as
 * the page rounds it (whole currency units), counts exactly, percentages / days / ratios to their
 * 2 decimals.
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import { createApp as createDashboard } from "../dashboard/app.ts";
import { buildDashboardRollups } from "../_shared/dashboard/rollups.ts";
import { computeSnapshot } from "../_shared/metrics/snapshot.ts";
import { loadDemoCompany } from "./_demo_company.ts";
import { computeLeadTouches, computeTruth, pct } from "./_demo_truth.ts";
import { computeStageConversion, computeWaterfall } from "./_demo_truth_stages.ts";
import {
  computeAnomalies,
  computeOpenDeals,
  computeSourceCohorts,
  countLeadsCreated,
} from "./_demo_truth_sources.ts";

const KEY = "test-service-key-for-dashboard-figures-0123456789";
const AS_OF = "2026-03-04";
const LEADS = 3000;

// deno-lint-ignore no-explicit-any
type Json = any;

/** A rendered panel: tiles and data-table rows as displayed text. */
interface Shown {
  tiles: { label: string; value: string; detail: string }[];
  rows: string[][];
  /** The first link of each row (e.g. the Zoho record a row names). */
  links: (string | null)[];
  note: string;
}

function unescape(s: string): string {
  return s.replace(/<[^>]+>/g, "").replaceAll("&lt;", "<").replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&amp;", "&").trim();
}

/** The panels of a dashboard page by id. */
function parsePanels(html: string): Map<string, Shown> {
  const out = new Map<string, Shown>();
  const sections = html.matchAll(
    /<section class="panel" id="([^"]+)" data-rows="\d+">(.*?)<\/section>/gs,
  );
  for (const [, id, body] of sections) {
    const tiles = [
      ...body!.matchAll(
        /<div class="tile"><span>(.*?)<\/span><strong>(.*?)<\/strong><small>(.*?)<\/small><\/div>/gs,
      ),
    ].map((m) => ({ label: unescape(m[1]!), value: unescape(m[2]!), detail: unescape(m[3]!) }));
    const tbody = /<tbody>(.*?)<\/tbody>/s.exec(body!)?.[1] ?? "";
    const trs = [...tbody.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map((r) => r[1]!);
    const rows = trs.map((r) =>
      [...r.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => unescape(c[1]!))
    );
    const links = trs.map((r) => /<a href="([^"]+)"/.exec(r)?.[1] ?? null);
    const note = unescape(/<p class="note">(.*?)<\/p>/s.exec(body!)?.[1] ?? "");
    out.set(id!, { tiles, rows, links, note });
  }
  return out;
}

/** A displayed figure as a number: "$1,234", "-$5", "12.5%", "3.25 d", "1.2×", "1,024"; "–" = null. */
function fig(text: string): number | null {
  const t = text.trim();
  if (t === "–" || t === "") return null;
  const neg = /^[-−]/.test(t);
  const v = Number(t.replace(/^[-−+]/, "").replace(/[$,%×]|\sd$/g, ""));
  assert.ok(Number.isFinite(v), `not a figure: ${JSON.stringify(text)}`);
  return neg ? -v : v;
}

/** What the page should display for a money value: whole units, half away from zero. */
function money(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const x = Number(v);
  const r = Math.round(Math.abs(x));
  return x < 0 ? -r : r;
}

/** A 2-decimal figure (pct, days, ratio, count) as the snapshot stores it. */
function dec(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function rowsOf(kpiRows: Json[], dimension: string): Json[] {
  return kpiRows.filter((r) => r.dimension === dimension);
}

/** The first day of the period's first month (cohort months shown by the funnel). */
function startMonth(start: string): string {
  return start.slice(0, 8) + "01";
}

Deno.test("demo company: dashboard figures equal the snapshot and the independent truth", async (t) => {
  const db = await createScratchDb("dashboard_figures");
  try {
    await loadDemoCompany(db.sql, { leads: LEADS });
    // The loader bypasses the sync: one sync run as zoho-sync's audit records it.
    const runId = crypto.randomUUID();
    await db.sql`insert into zoho.sync_runs (run_id, mode, status, slices, credits_used)
      values (${runId}, 'full', 'done', 1, 18)`;
    await db.sql`insert into zoho.sync_logs (run_id, module, slice, mode, status, started_at,
        pages, fetched, inserted, updated, api_calls, credits_used)
      values (${runId}, 'Leads', 1, 'full', 'done', now(), 15, 3000, 3000, 0, 15, 15),
        (${runId}, 'Deals', 1, 'full', 'done', now(), 3, 600, 600, 0, 3, 3)`;
    const { snapshot } = await computeSnapshot(db.sql, { asOf: AS_OF });
    await buildDashboardRollups(db.sql, snapshot.id);
    const [row] = await db.sql`select kpis from analytics.snapshots where id = ${snapshot.id}`;
    const kpis = row!.kpis as Json;
    const [settings] = await db.sql`select time_zone, untouched_after_days, anomaly_weeks,
      anomaly_threshold, anomaly_min_count, anomaly_min_deals from analytics.settings`;
    const tz = String(settings!.time_zone ?? "UTC");
    const app = createDashboard({
      env: () => ({ SUPABASE_DB_URL: db.url, SUPABASE_SERVICE_ROLE_KEY: KEY }),
    });
    const page = async (period: string) => {
      const res = await app.request(`/dashboard?period=${period}`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      assert.equal(res.status, 200);
      return parsePanels(await res.text());
    };
    const pages = { qtd: await page("qtd"), mtd: await page("mtd") };
    const panel = (period: "qtd" | "mtd", id: string): Shown => {
      const p = pages[period].get(id);
      assert.ok(p, `panel ${id} rendered (${period})`);
      return p;
    };
    const periodOf = (p: string) => (kpis.periods as Json[]).find((x) => x.period === p);
    const truth = computeTruth({ leads: LEADS, asOf: AS_OF, tz });
    const sourceCohorts = computeSourceCohorts({ leads: LEADS, asOf: AS_OF, tz });

    await t.step("tiles: revenue MTD/QTD/YTD, previous and change", () => {
      const tiles = panel("qtd", "tiles").tiles;
      assert.deepEqual(tiles.map((x) => x.label), ["Revenue MTD", "Revenue QTD", "Revenue YTD"]);
      for (const tile of tiles) {
        const per = tile.label.slice(-3).toLowerCase();
        const r = (kpis.revenue as Json[]).find((x) => x.period === per);
        assert.equal(fig(tile.value), money(r.revenue), `${tile.label} value`);
        const amounts = [...tile.detail.matchAll(/-?\$[\d,]+/g)].map((m) => fig(m[0]));
        assert.deepEqual(amounts, [money(r.prev_revenue)], `${tile.label}: the previous amount`);
        const growth = [...tile.detail.matchAll(/[-+]?[\d,.]+%/g)].map((m) => fig(m[0]));
        // a tiny previous base states both amounts and no change; else the change in %
        if (growth.length) assert.deepEqual(growth, [dec(r.growth_pct)], `${tile.label} change`);
      }
      // the truth's revenue (to the cent) is what the snapshot holds, so what the tiles show
      assert.equal(fig(tiles[0]!.value), money(truth.revenue.mtd));
      assert.equal(fig(tiles[1]!.value), money(truth.revenue.qtd));
    });

    await t.step("tiles table: revenue, target, attainment, leads, previous leads, change", () => {
      const shown = panel("qtd", "tiles").rows;
      const want = ["mtd", "qtd", "ytd"].map((per) => {
        const r = (kpis.revenue as Json[]).find((x) => x.period === per);
        const l = rowsOf(kpis.leads_created[per], "all")[0];
        return [
          per.toUpperCase(),
          money(r.revenue),
          money(r.prev_revenue),
          dec(r.growth_pct),
          money(r.target),
          dec(r.attainment_pct),
          Number(l.leads),
          Number(l.prev_leads),
          dec(l.growth_pct),
        ];
      });
      assert.deepEqual(shown.map(([p, ...v]) => [p, ...v.map(fig)]), want);
      // leads of this period (not the previous one), counted from the dataset
      for (const [i, per] of (["mtd", "qtd", "ytd"] as const).entries()) {
        const from = periodOf(per).start_day;
        assert.equal(
          fig(shown[i]![6]!),
          countLeadsCreated({ leads: LEADS, from, asOf: AS_OF, tz }),
          `${per} leads`,
        );
      }
    });

    await t.step("revenue by month: revenue, won deals, target", () => {
      const start = startMonth(periodOf("qtd").start_day);
      const want = rowsOf(kpis.revenue_by_month, "all")
        .filter((r) => String(r.month).slice(0, 10) >= start)
        .sort((a, b) => String(a.month).localeCompare(String(b.month)))
        .map((r) => [money(r.revenue), Number(r.won_deals)]);
      assert.ok(want.length > 0);
      assert.deepEqual(
        panel("qtd", "revenue-by-month").rows.map((r) => [fig(r[1]!), fig(r[2]!)]),
        want,
      );
    });

    for (const period of ["qtd", "mtd"] as const) {
      const start = periodOf(period).start_day as string;
      const leadsKpi = kpis.leads_created[period] as Json[];

      await t.step(`leads by source (${period}): per source and in total`, () => {
        const shown = panel(period, "leads-by-source").rows;
        assert.ok(shown.length > 0);
        const bySource = new Map<string, number>();
        for (const [, src, leads] of shown) {
          bySource.set(src!, (bySource.get(src!) ?? 0) + fig(leads!)!);
        }
        const want = new Map(
          rowsOf(leadsKpi, "source").filter((r) => Number(r.leads) > 0)
            .map((r) => [String(r.key), Number(r.leads)]),
        );
        assert.deepEqual(
          [...bySource].sort(([a], [b]) => a.localeCompare(b)),
          [...want].sort(([a], [b]) => a.localeCompare(b)),
        );
        assert.equal(
          [...bySource.values()].reduce((a, b) => a + b, 0),
          countLeadsCreated({ leads: LEADS, from: start, asOf: AS_OF, tz }),
        );
      });

      await t.step(`funnel (${period}): leads, with a deal, won, lead → deal, lead → won`, () => {
        const month = startMonth(start);
        const agg = new Map<string, { leads: number; with_deal: number; won: number }>();
        for (const r of sourceCohorts.filter((c) => c.cohort_month >= month)) {
          const a = agg.get(r.key) ?? { leads: 0, with_deal: 0, won: 0 };
          agg.set(r.key, a);
          a.leads += r.leads;
          a.with_deal += r.with_deal;
          a.won += r.won;
        }
        const want = [...agg].map(([src, a]) => [
          src,
          a.leads,
          a.with_deal,
          a.won,
          pct(a.with_deal, a.leads),
          pct(a.won, a.leads),
        ]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
        assert.ok(want.length > 0 && want.some((r) => Number(r[2]) > 0), "cohorts with deals");
        const shown = panel(period, "funnel").rows.map(([src, ...v]) => [src, ...v.map(fig)])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
        assert.deepEqual(shown, want);
      });

      await t.step(`win rate (${period}): won, lost, amounts and rates`, () => {
        const shown = panel(period, "win-rate").rows.map(([, ...v]) => v.map(fig) as number[]);
        const w = rowsOf(kpis.win_rate[period], "all")[0];
        const sum = (i: number) => shown.reduce((s, r) => s + r[i]!, 0);
        assert.ok(sum(0) > 0 && sum(1) > 0, "won and lost deals in the period");
        assert.deepEqual(
          [sum(0), sum(1), sum(2), sum(3)],
          [Number(w.won), Number(w.lost), money(w.won_amount), money(w.lost_amount)],
        );
        for (const r of shown) assert.equal(r[4], pct(r[0]!, r[0]! + r[1]!), "bucket win rate");
        const note = panel(period, "win-rate").note;
        const rates = [...note.matchAll(/([\d.]+)%/g)].map((m) => Number(m[1]));
        assert.deepEqual(rates, [dec(w.win_rate_count_pct), dec(w.win_rate_value_pct)]);
      });

      await t.step(`lead response (${period}): buckets add up to this period's leads`, () => {
        const shown = panel(period, "lead-response").rows;
        const all = fig(shown.at(-1)![1]!)!;
        const buckets = shown.slice(0, -1).reduce((s, r) => s + fig(r[1]!)!, 0);
        const leads = countLeadsCreated({ leads: LEADS, from: start, asOf: AS_OF, tz });
        assert.deepEqual([all, buckets], [leads, leads]);
        assert.equal(all, Number(rowsOf(leadsKpi, "all")[0].leads));
      });

      await t.step(`owners (${period}): won, lost, amounts, leads, open pipeline`, () => {
        const shown = panel(period, "owners").rows.map(([name, ...v]) => [name, ...v.map(fig)]);
        const w = rowsOf(kpis.win_rate[period], "all")[0];
        const sum = (i: number) => shown.reduce((s, r) => s + Number(r[i]), 0);
        assert.ok(shown.length > 0);
        assert.deepEqual(
          [sum(1), sum(2), sum(3), sum(5)],
          [
            money(w.won_amount),
            Number(w.won),
            Number(w.lost),
            Number(rowsOf(leadsKpi, "all")[0].leads),
          ],
        );
        const pipeline = new Map(
          rowsOf(kpis.pipeline, "owner").map((r) => [String(r.label), money(r.amount)]),
        );
        for (const r of shown) {
          assert.equal(r[4], pct(Number(r[2]), Number(r[2]) + Number(r[3])), `${r[0]} win rate`);
          assert.equal(r[6], pipeline.get(String(r[0])) ?? 0, `${r[0]} open pipeline`);
        }
      });

      await t.step(`waterfall (${period}): every step against the truth`, () => {
        const w = computeWaterfall({ leads: LEADS, asOf: AS_OF, tz, period });
        const labels: Record<string, keyof typeof w> = {
          Start: "start",
          New: "new",
          "Moved in": "moved_in",
          "Amount changes": "changed",
          Won: "won",
          Lost: "lost",
          "Moved out": "moved_out",
          Deleted: "removed",
          End: "end",
        };
        const shown = panel(period, "waterfall").rows;
        assert.equal(shown.length, 9);
        for (const [label, deals, amount] of shown) {
          const step = w[labels[label!]!];
          assert.deepEqual([fig(deals!), fig(amount!)], [step.deals, money(step.amount)], label);
        }
      });
    }

    await t.step("cohorts: every monthly cohort against the truth", () => {
      const shown = panel("qtd", "cohorts").rows.map(([m, ...v]) => [m, ...v.slice(0, 6).map(fig)]);
      assert.ok(truth.cohorts.length >= 12 && truth.cohorts.some((c) => c.won > 0));
      const want = truth.cohorts.map((c) => [
        c.cohort_month.slice(0, 7),
        c.leads,
        c.with_deal,
        c.converted,
        c.won,
        c.lead_to_deal_pct,
        c.lead_to_won_pct,
      ]);
      assert.deepEqual(shown, want);
    });

    await t.step("velocity: open deals, win rate, deal size, cycle, per day", () => {
      const shown = panel("qtd", "velocity").rows.map(([k, ...v]) => [k, ...v.map(fig)]);
      assert.ok(shown.length > 1);
      const want = (kpis.sales_velocity as Json[]).map((r) => [
        r.dimension === "all" ? "All sources" : String(r.key),
        Number(r.open_deals),
        dec(r.win_rate_pct),
        money(r.avg_deal_size),
        dec(r.avg_cycle_days),
        money(r.velocity_per_day),
      ]);
      const key = (r: unknown[]) => String(r[0]);
      assert.deepEqual(
        shown.sort((a, b) => key(a).localeCompare(key(b))),
        want.sort((a, b) => key(a).localeCompare(key(b))),
      );
    });

    await t.step("pipeline by stage and by closing month", () => {
      for (
        const [id, dim] of [["pipeline-by-stage", "stage"], ["pipeline-by-month", "closing_month"]]
      ) {
        const shown = panel("qtd", id!).rows.map(([k, ...v]) => [k, ...v.map(fig)]);
        const want = rowsOf(kpis.pipeline, dim!).map((r) => [
          String(r.key),
          Number(r.open_deals),
          money(r.amount),
          money(r.weighted_amount),
        ]);
        const key = (r: unknown[]) => String(r[0]);
        assert.ok(want.length > 0, id);
        assert.deepEqual(
          shown.sort((a, b) => key(a).localeCompare(key(b))),
          want.sort((a, b) => key(a).localeCompare(key(b))),
          id,
        );
      }
    });

    await t.step("coverage: target, won, remaining, pipeline, forecast, ratios", () => {
      const c = kpis.pipeline_coverage;
      const shown = panel("qtd", "coverage").rows;
      assert.deepEqual(shown.slice(0, 9).map((r) => fig(r[1]!)), [
        money(c.target),
        money(c.won_qtd),
        money(c.remaining_target),
        money(c.open_pipeline),
        money(c.weighted_pipeline),
        money(c.forecast),
        money(c.forecast_gap),
        dec(c.coverage),
        dec(c.required_coverage),
      ]);
      assert.equal(fig(shown[1]![1]!), money(truth.revenue.qtd), "won so far = revenue QTD");
    });

    await t.step("stage conversion: entered, advanced, conversion, median and average days", () => {
      const want = computeStageConversion({ leads: LEADS, asOf: AS_OF, tz }).map((s) => [
        s.stage,
        s.entered,
        s.advanced,
        s.conversion_pct,
        s.median_days_in_stage,
        s.avg_days_in_stage,
      ]);
      const shown = panel("qtd", "stage-conversion").rows.map(([k, ...v]) => [k, ...v.map(fig)]);
      assert.ok(want.length === 7 && want.every((r) => Number(r[1]) > 0));
      assert.deepEqual(shown, want);
    });

    await t.step("risky deals: stage, amount, closing, days in stage, why (largest first)", () => {
      const shown = panel("qtd", "risky-deals");
      assert.ok(shown.rows.length > 0 && shown.rows.length <= 25);
      const amounts = shown.rows.map((r) => fig(r[5]!) ?? -Infinity);
      assert.deepEqual(amounts, [...amounts].sort((a, b) => b - a), "largest first");
      const open = computeOpenDeals({ leads: LEADS, asOf: AS_OF, tz });
      const medians = new Map(
        computeStageConversion({ leads: LEADS, asOf: AS_OF, tz })
          .map((s) => [s.stage, s.median_days_in_stage]),
      );
      shown.rows.forEach((r, i) => {
        const id = /\/tab\/Potentials\/(\d+)$/.exec(shown.links[i] ?? "")?.[1];
        const deal = open.get(id ?? "");
        assert.ok(deal, `row ${i} links an open deal (${shown.links[i]})`);
        const why = r[9]!.split(", ").filter(Boolean);
        const median = medians.get(deal.stage) ?? null;
        assert.deepEqual(
          [
            r[4],
            fig(r[5]!),
            r[6],
            fig(r[7]!),
            why.includes("slipped"),
            why.includes("past median"),
          ],
          [
            deal.stage,
            money(deal.amount),
            deal.closing_date ?? "",
            deal.days_in_stage,
            deal.slipped,
            median !== null && deal.days_in_stage > median,
          ],
          `deal ${id}`,
        );
        assert.ok(why.length > 0, `deal ${id} has a reason to be listed`);
      });
      // The list is the 25 largest at-risk deals: no unlisted open deal that is slipped or past
      // its stage median is larger than the smallest listed one (stale needs activities: not
      // recomputed here).
      const listed = new Set(shown.links.map((l) => /(\d+)$/.exec(l ?? "")?.[1]));
      const smallest = Math.min(...amounts);
      const missed = [...open].filter(([id, d]) => {
        const median = medians.get(d.stage) ?? null;
        const risky = d.slipped || (median !== null && d.days_in_stage > median);
        return risky && !listed.has(id) && (money(d.amount) ?? -Infinity) > smallest;
      });
      assert.deepEqual(missed.map(([id]) => id), [], "larger at-risk deals missing");
    });

    await t.step("campaign ROI: cost, leads, won, revenue, cost per lead / win, ROI", () => {
      const shown = panel("qtd", "campaign-roi").rows.map(([k, ...v]) => [k, ...v.map(fig)]);
      const want = (kpis.source_roi as Json[]).map((r) => [
        String(r.lead_source),
        money(r.cost),
        Number(r.leads),
        Number(r.won_deals),
        money(r.revenue),
        money(r.cost_per_lead),
        money(r.cost_per_won_deal),
        dec(r.roi_pct),
      ]);
      assert.ok(want.length > 0);
      assert.deepEqual(shown, want);
    });

    await t.step("data quality: affected, of, share; lead checks against the truth", () => {
      const shown = panel("qtd", "data-quality").rows.map(([k, ...v]) => [k, ...v.map(fig)]);
      assert.ok(shown.length >= 7);
      const dq = kpis.data_quality as Json[];
      assert.deepEqual(
        shown.map((r) => r.slice(1)),
        dq.map((r) => [Number(r.count), Number(r.total), dec(r.pct)]),
      );
      const touches = computeLeadTouches({
        leads: LEADS,
        asOf: AS_OF,
        tz,
        recentDays: Number(settings!.untouched_after_days),
      });
      const byName = new Map(shown.map((r) => [String(r[0]), r]));
      assert.equal(byName.get("Leads never touched")?.[1], touches.never_touched);
      assert.deepEqual(byName.get("Recent leads untouched")?.slice(1, 3), [
        touches.recent_untouched,
        touches.recent,
      ]);
    });

    await t.step("anomalies: this week, last week, robust z and flag against the truth", () => {
      const want = computeAnomalies({
        leads: LEADS,
        asOf: AS_OF,
        tz,
        weeks: Number(settings!.anomaly_weeks),
        threshold: Number(settings!.anomaly_threshold),
        minCount: Number(settings!.anomaly_min_count),
        minDeals: Number(settings!.anomaly_min_deals),
      }).map((a) => [
        `${a.lead_source} · ${a.metric === "leads" ? "leads created" : "won revenue"}`,
        a.metric === "leads" ? a.value : money(a.value),
        a.metric === "leads" ? a.prev_value : money(a.prev_value),
        a.robust_z,
        a.is_anomaly ? "yes" : "no",
      ]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      assert.ok(want.length > 0);
      const shown = panel("qtd", "anomalies").rows.map((r) => [
        r[0],
        fig(r[2]!),
        fig(r[4]!),
        fig(r[5]!),
        r[6],
      ]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      assert.deepEqual(shown, want);
    });

    await t.step("sync health: slices, fetched, changed, API calls, credits, errors", () => {
      const shown = panel("qtd", "sync-health").rows.map((r) => r.slice(3).map(fig));
      assert.deepEqual(shown, [[1, 3600, 3600, 18, 18, 0]]);
    });
  } finally {
    await closeAllSql();
    await db.drop();
  }
});
