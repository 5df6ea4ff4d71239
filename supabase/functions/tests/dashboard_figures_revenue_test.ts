/**
 * Dashboard figures of the revenue and lead-flow panels (tiles, revenue by month, leads by
 * source, funnel, win rate, cohorts, velocity) against the snapshot and the independent truth
 * (_demo_truth.ts, _demo_truth_sources.ts); the page as `dashboard_figures_fixture.ts` reads it.
 */
import assert from "node:assert/strict";
import { computeTruth, pct } from "./_demo_truth.ts";
import { computeSourceCohorts, countLeadsCreated } from "./_demo_truth_sources.ts";
import {
  AS_OF,
  dec,
  fig,
  type Json,
  LEADS,
  money,
  rowsOf,
  startMonth,
  withFiguresPage,
} from "./dashboard_figures_fixture.ts";

Deno.test("demo company: revenue and lead-flow figures equal the snapshot and the independent truth", async (t) => {
  await withFiguresPage("dashboard_figures_revenue", async ({ kpis, tz, periodOf, panel }) => {
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
  });
});
