/**
 * Independent truth (issue 21 item 4): the snapshot's KPIs on the demo company (3,000 leads, as of
 * 2026-03-04) against a second implementation over the simulator's dataset (_demo_truth.ts).
 * Money to the cent, counts exactly, percentages to their 2-decimal rounding.
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import { createApp } from "../compute-metrics/app.ts";
import { createApp as createDashboard } from "../dashboard/app.ts";
import { buildDashboardRollups } from "../_shared/dashboard/rollups.ts";
import { computeSnapshot } from "../_shared/metrics/snapshot.ts";
import { loadDemoCompany } from "./_demo_company.ts";
import { computeLeadResponseMtd, computeLeadTouches, computeTruth } from "./_demo_truth.ts";

const KEY = "test-service-key-for-demo-truth-0123456789";
const AS_OF = "2026-03-04";

Deno.test("demo company: snapshot KPIs match the independent truth", async (t) => {
  const db = await createScratchDb("demo_truth");
  try {
    await loadDemoCompany(db.sql, { leads: 3000 });
    const app = createApp({
      env: () => ({ SUPABASE_DB_URL: db.url, SUPABASE_SERVICE_ROLE_KEY: KEY }),
    });
    const res = await app.request("/compute-metrics", {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ as_of: AS_OF }),
    });
    assert.equal(res.status, 200);
    const snap = await res.json();
    const [row] = await db.sql`select kpis from analytics.snapshots where id = ${snap.id}`;
    // deno-lint-ignore no-explicit-any
    const kpis = row!.kpis as any;
    const [tzRow] = await db.sql`select analytics.time_zone() as tz`;
    const tz = tzRow!.tz;
    const truth = computeTruth({ leads: 3000, asOf: AS_OF, tz: String(tz) });

    await t.step("cohort conversion by lead-created month", () => {
      // deno-lint-ignore no-explicit-any
      const all = (kpis.cohort_conversion as any[]).filter((r) => r.dimension === "all")
        .map((r) => ({
          cohort_month: String(r.cohort_month).slice(0, 10),
          leads: Number(r.leads),
          converted: Number(r.converted),
          with_deal: Number(r.with_deal),
          won: Number(r.won),
          converted_pct: r.converted_pct == null ? null : Number(r.converted_pct),
          lead_to_deal_pct: r.lead_to_deal_pct == null ? null : Number(r.lead_to_deal_pct),
          lead_to_won_pct: r.lead_to_won_pct == null ? null : Number(r.lead_to_won_pct),
        }));
      assert.ok(truth.cohorts.some((c) => c.with_deal > 0), "the truth has converted cohorts");
      assert.deepEqual(all, truth.cohorts);
    });

    await t.step("revenue MTD/QTD and the previous equal period, to the cent", () => {
      // deno-lint-ignore no-explicit-any
      const by = (p: string) => (kpis.revenue as any[]).find((r) => r.period === p);
      const cents = (v: unknown) => Math.round(Number(v ?? 0) * 100);
      const mtd = by("mtd"), qtd = by("qtd");
      assert.deepEqual(
        {
          mtd: cents(mtd?.revenue),
          prev_mtd: cents(mtd?.prev_revenue),
          qtd: cents(qtd?.revenue),
          prev_qtd: cents(qtd?.prev_revenue),
        },
        {
          mtd: cents(truth.revenue.mtd),
          prev_mtd: cents(truth.revenue.prev_mtd),
          qtd: cents(truth.revenue.qtd),
          prev_qtd: cents(truth.revenue.prev_qtd),
        },
      );
    });

    const [settings] = await db.sql`select untouched_after_days as d from analytics.settings`;
    const touches = computeLeadTouches({
      leads: 3000,
      asOf: AS_OF,
      tz: String(tz),
      recentDays: Number(settings!.d),
    });
    // deno-lint-ignore no-explicit-any
    const dq = kpis.data_quality as any[];
    // deno-lint-ignore no-explicit-any
    const check = (id: string): any => dq.find((r) => r.check_id === id);

    await t.step("data quality: unconverted leads never touched (call/task/event)", () => {
      assert.ok(touches.never_touched > 0);
      assert.equal(Number(check("leads_never_touched")?.count), touches.never_touched);
    });

    // Of unconverted leads created in the last settings.untouched_after_days days (as_of
    // included, company time zone), those with no call, task or event by the end of as_of.
    await t.step("first contact of this month's leads: touched, median hours, within 1 h", () => {
      const truth = computeLeadResponseMtd({ leads: 3000, asOf: AS_OF, tz: String(tz) });
      // deno-lint-ignore no-explicit-any
      const all = (kpis.lead_response as any).mtd.find((r: any) => r.dimension === "all");
      assert.ok(truth.touched > 0);
      assert.deepEqual(
        {
          leads: Number(all.leads),
          touched: Number(all.touched),
          median_hours: all.median_hours === null ? null : Number(all.median_hours),
          within_1h_pct: all.within_1h_pct === null ? null : Number(all.within_1h_pct),
        },
        truth,
      );
    });

    await t.step("data quality: recent leads untouched", () => {
      const row = check("recent_leads_untouched");
      assert.ok(touches.recent > 0);
      assert.deepEqual(
        { total: Number(row?.total), count: Number(row?.count) },
        { total: touches.recent, count: touches.recent_untouched },
      );
    });
  } finally {
    await closeAllSql();
    await db.drop();
  }
});

/** Panels of the dashboard page: id, data-rows and inner HTML. */
function panels(html: string): { id: string; rows: number; html: string }[] {
  return [
    ...html.matchAll(/<section class="panel" id="([^"]+)" data-rows="(\d+)">(.*?)<\/section>/gs),
  ].map((m) => ({ id: m[1]!, rows: Number(m[2]), html: m[3]! }));
}

/** Numeric cells (after the label column) of a panel's data table. */
function numericCells(html: string): number[] {
  const body = /<tbody>(.*?)<\/tbody>/s.exec(html)?.[1] ?? "";
  const out: number[] = [];
  for (const r of body.matchAll(/<tr>(.*?)<\/tr>/gs)) {
    const cells = [...r[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) =>
      c[1]!.replace(/<[^>]+>/g, "").trim()
    );
    for (const cell of cells.slice(1)) {
      const text = cell.replace(/[$€£,%\s]|&[a-z]+;/g, "").replace(/^[+−-]/, "");
      if (/^\d+(\.\d+)?[kKmM]?$/.test(text)) out.push(Number(text.replace(/[kKmM]$/, "")));
    }
  }
  return out;
}

Deno.test("demo company: every dashboard panel shows data", async (t) => {
  const db = await createScratchDb("demo_truth_panels");
  try {
    await loadDemoCompany(db.sql, { leads: 3000 });
    // The loader bypasses the sync: record one sync run as zoho-sync's audit would (the
    // sync-health panel shows the sync, not the dataset).
    const runId = crypto.randomUUID();
    await db.sql`insert into zoho.sync_runs (run_id, mode, status, slices, credits_used)
      values (${runId}, 'full', 'done', 1, 18)`;
    await db.sql`insert into zoho.sync_logs (run_id, module, slice, mode, status, started_at,
        pages, fetched, inserted, updated, api_calls, credits_used)
      values (${runId}, 'Leads', 1, 'full', 'done', now(), 15, 3000, 3000, 0, 15, 15),
        (${runId}, 'Deals', 1, 'full', 'done', now(), 3, 600, 600, 0, 3, 3)`;
    const { snapshot } = await computeSnapshot(db.sql, { asOf: AS_OF });
    await buildDashboardRollups(db.sql, snapshot.id);
    const app = createDashboard({
      env: () => ({ SUPABASE_DB_URL: db.url, SUPABASE_SERVICE_ROLE_KEY: KEY }),
    });
    const res = await app.request("/dashboard", { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(res.status, 200);
    const all = panels(await res.text());
    const truth = computeTruth({ leads: 3000, asOf: AS_OF, tz: "UTC" });
    // The dataset has leads, conversions, won revenue, deals and activities in the window, so
    // every panel the dashboard renders has data to show.
    assert.ok(truth.cohorts.length > 0 && truth.revenue.qtd > 0);

    await t.step("no panel is empty or all zero", () => {
      assert.ok(all.length >= 15, `${all.length} panels`);
      const bad = all.filter((p) => p.rows === 0 || !numericCells(p.html).some((v) => v !== 0))
        .map((p) => `${p.id} (${p.rows} rows, ${numericCells(p.html).length} numeric cells)`);
      assert.deepEqual(bad, [], `empty or all-zero panels: ${bad.join(", ")}`);
    });
  } finally {
    await closeAllSql();
    await db.drop();
  }
});
