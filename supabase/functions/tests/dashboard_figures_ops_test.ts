/**
 * Dashboard figures of the team and operations panels (lead response, owners, campaign ROI,
 * data quality, anomalies, sync health) against the snapshot and the independent truth
 * (_demo_truth.ts, _demo_truth_sources.ts); the page as `dashboard_figures_fixture.ts` reads it.
 */
import assert from "node:assert/strict";
import { computeLeadTouches, pct } from "./_demo_truth.ts";
import { computeAnomalies, countLeadsCreated } from "./_demo_truth_sources.ts";
import {
  AS_OF,
  dec,
  fig,
  type Json,
  LEADS,
  money,
  rowsOf,
  withFiguresPage,
} from "./dashboard_figures_fixture.ts";

Deno.test("demo company: team and operations figures equal the snapshot and the independent truth", async (t) => {
  await withFiguresPage(
    "dashboard_figures_ops",
    async ({ kpis, settings, tz, periodOf, panel }) => {
      for (const period of ["qtd", "mtd"] as const) {
        const start = periodOf(period).start_day as string;
        const leadsKpi = kpis.leads_created[period] as Json[];

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
      }

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
    },
  );
});
