/**
 * Independent truth for the remaining panels (issue 21 item 4): the snapshot's stage conversion
 * and days per stage, pipeline waterfall, source anomalies and per-source cohort conversion on
 * the demo company (3,000 leads, as of 2026-03-04) against a second implementation over the
 * simulator's dataset and each deal's Stage_History (_demo_truth_stages.ts). Money to the cent,
 * counts exactly, percentages and days to their 2-decimal rounding.
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import { computeSnapshot } from "../_shared/metrics/snapshot.ts";
import { loadDemoCompany } from "./_demo_company.ts";
import {
  computeStageConversion,
  computeWaterfall,
  type StageSetting,
} from "./_demo_truth_stages.ts";
import { computeAnomalies, computeSourceCohorts } from "./_demo_truth_sources.ts";

const AS_OF = "2026-03-04";
const LEADS = 3000;

/** A numeric JSON field as a number (null stays null). */
function n(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

Deno.test("demo company: stage, waterfall, anomaly and source-cohort KPIs match the independent truth", async (t) => {
  const db = await createScratchDb("demo_truth_stages");
  try {
    await loadDemoCompany(db.sql, { leads: LEADS });
    const { snapshot } = await computeSnapshot(db.sql, { asOf: AS_OF });
    const [row] = await db.sql`select kpis from analytics.snapshots where id = ${snapshot.id}`;
    // deno-lint-ignore no-explicit-any
    const kpis = row!.kpis as any;
    const [tzRow] = await db.sql`select analytics.time_zone() as tz`;
    const tz = String(tzRow!.tz);
    const stages = (await db.sql`select stage, position, is_open from analytics.stage_settings
      order by position`).map((r) => ({
      stage: String(r.stage),
      position: Number(r.position),
      is_open: Boolean(r.is_open),
    })) as StageSetting[];

    await t.step("stage conversion and days per stage (last 12 months)", () => {
      const truth = computeStageConversion({ leads: LEADS, asOf: AS_OF, tz, stages });
      assert.ok(truth.some((s) => s.entered > 0 && s.completed_stays > 0), "the truth has stays");
      // deno-lint-ignore no-explicit-any
      const got = (kpis.stage_conversion as any[]).map((r) => ({
        stage: String(r.stage),
        entered: Number(r.entered),
        advanced: Number(r.advanced),
        conversion_pct: n(r.conversion_pct),
        completed_stays: Number(r.completed_stays),
        avg_days_in_stage: n(r.avg_days_in_stage),
        median_days_in_stage: n(r.median_days_in_stage),
      }));
      assert.deepEqual(got, truth);
    });

    for (const period of ["mtd", "qtd"] as const) {
      await t.step(`pipeline waterfall (${period}): start, new, won, lost, moved, end`, () => {
        const truth = computeWaterfall({ leads: LEADS, asOf: AS_OF, tz, period });
        assert.ok(truth.start.deals > 0 && truth.end.deals > 0, "the truth has a pipeline");
        const cents = (v: number) => Math.round(v * 100);
        // The composition identity of the definition holds in the truth itself.
        assert.equal(
          cents(truth.end.amount),
          cents(truth.start.amount) + cents(truth.new.amount) + cents(truth.moved_in.amount) +
            cents(truth.changed.amount) - cents(truth.won.amount) - cents(truth.lost.amount) -
            cents(truth.moved_out.amount) - cents(truth.removed.amount),
        );
        const got: Record<string, { deals: number; amount: number }> = {};
        // deno-lint-ignore no-explicit-any
        for (const r of kpis.pipeline_waterfall[period] as any[]) {
          got[String(r.step)] = { deals: Number(r.deals), amount: cents(Number(r.amount)) };
        }
        const want = Object.fromEntries(
          Object.entries(truth).map(([k, v]) => [k, { deals: v.deals, amount: cents(v.amount) }]),
        );
        assert.deepEqual(got, want);
      });
    }

    await t.step("source anomalies this week: flags, robust z (capped), volumes", async () => {
      const [s] = await db.sql`select anomaly_weeks, anomaly_threshold, anomaly_min_count,
        anomaly_min_deals from analytics.settings`;
      const truth = computeAnomalies({
        leads: LEADS,
        asOf: AS_OF,
        tz,
        weeks: Number(s!.anomaly_weeks),
        threshold: Number(s!.anomaly_threshold),
        minCount: Number(s!.anomaly_min_count),
        minDeals: Number(s!.anomaly_min_deals),
      });
      assert.ok(truth.length > 0);
      // The demo week exercises both rules: a z past the cap, shown as 10, and a change beyond
      // the threshold left unflagged for want of volume (fewer won deals than the minimum).
      assert.ok(truth.some((r) => Math.abs(r.robust_z) === 10), "a capped z");
      assert.ok(
        truth.some((r) => Math.abs(r.robust_z) > Number(s!.anomaly_threshold) && !r.is_anomaly),
        "a large z without the minimum base",
      );
      // deno-lint-ignore no-explicit-any
      const got = (kpis.anomalies as any[]).map((r) => ({
        metric: String(r.metric),
        lead_source: String(r.lead_source),
        value: Number(r.value),
        prev_value: Number(r.prev_value),
        records: Number(r.records),
        prev_records: Number(r.prev_records),
        scale: Number(r.scale),
        robust_z: Number(r.robust_z),
        is_anomaly: Boolean(r.is_anomaly),
      }));
      const flagged = (rows: { metric: string; lead_source: string; is_anomaly: boolean }[]) =>
        rows.filter((r) => r.is_anomaly).map((r) => `${r.lead_source} · ${r.metric}`).sort();
      assert.deepEqual(flagged(got), flagged(truth), "flagged source × metric");
      assert.deepEqual(got, truth);
    });

    await t.step("cohort conversion by lead-created month and source", () => {
      const truth = computeSourceCohorts({ leads: LEADS, asOf: AS_OF, tz });
      assert.ok(truth.some((c) => c.won > 0), "the truth has won cohorts");
      // deno-lint-ignore no-explicit-any
      const got = (kpis.cohort_conversion as any[]).filter((r) => r.dimension === "source")
        .map((r) => ({
          cohort_month: String(r.cohort_month).slice(0, 10),
          key: String(r.key),
          leads: Number(r.leads),
          converted: Number(r.converted),
          with_deal: Number(r.with_deal),
          won: Number(r.won),
          converted_pct: n(r.converted_pct),
          lead_to_deal_pct: n(r.lead_to_deal_pct),
          lead_to_won_pct: n(r.lead_to_won_pct),
        }))
        .sort((a, b) => a.cohort_month.localeCompare(b.cohort_month) || a.key.localeCompare(b.key));
      assert.deepEqual(got, truth);
    });
  } finally {
    await closeAllSql();
    await db.drop();
  }
});
