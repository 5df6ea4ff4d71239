/**
 * Independent truth (issue 21 item 4): the snapshot's KPIs on the demo company (3,000 leads, as of
 * 2026-03-04) against a second implementation over the simulator's dataset (_demo_truth.ts).
 * Money to the cent, counts exactly, percentages to their 2-decimal rounding.
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import { createApp } from "../compute-metrics/app.ts";
import { loadDemoCompany } from "./_demo_company.ts";
import { computeTruth } from "./_demo_truth.ts";

const KEY = "test-service-key";
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
  } finally {
    await closeAllSql();
    await db.drop();
  }
});
