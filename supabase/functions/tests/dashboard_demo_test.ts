/**
 * The dashboard on the AHA Smart Homes demo company (scratch database): every panel renders a
 * chart and a data table with data, the rollups agree with the KPI functions they stand in for,
 * filters change the data, and figures are in the company's currency and time zone.
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import { buildDashboardRollups } from "../_shared/dashboard/rollups.ts";
import { computeSnapshot } from "../_shared/metrics/snapshot.ts";
import { createApp } from "../dashboard/app.ts";
import { loadDemoCompany } from "./_demo_company.ts";

const KEY = "service-role-key-for-tests-0123456789abcdef";
const AS_OF = "2026-03-04";

interface Section {
  id: string;
  rows: number;
  html: string;
}

function sections(html: string): Section[] {
  return [
    ...html.matchAll(/<section class="panel" id="([^"]+)" data-rows="(\d+)">(.*?)<\/section>/gs),
  ]
    .map((m) => ({ id: m[1]!, rows: Number(m[2]), html: m[3]! }));
}

function tableRows(s: Section): string[][] {
  const body = /<tbody>(.*?)<\/tbody>/s.exec(s.html)?.[1] ?? "";
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) =>
    [...r[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, ""))
  );
}

Deno.test("dashboard on the demo company", async (t) => {
  const db = await createScratchDb("dashboard_demo");
  try {
    await loadDemoCompany(db.sql, { leads: 3000 });
    await db.sql`update analytics.settings set currency = 'EUR', time_zone = 'Asia/Kolkata'`;
    await db.sql`insert into analytics.revenue_targets (quarter_start, amount)
      values ('2026-01-01', 120000)`;
    // The loader bypasses the sync: record one sync run as zoho-sync's audit would.
    const runId = crypto.randomUUID();
    await db.sql`insert into zoho.sync_runs (run_id, mode, status, slices, credits_used)
      values (${runId}, 'full', 'done', 2, 964)`;
    await db.sql`insert into zoho.sync_logs (run_id, module, slice, mode, status, started_at,
        pages, fetched, inserted, updated, api_calls, credits_used)
      values (${runId}, 'Leads', 1, 'full', 'done', now(), 15, 3000, 2990, 10, 15, 15),
        (${runId}, 'Deals', 2, 'full', 'done', now(), 3, 600, 600, 0, 3, 3)`;
    const { snapshot } = await computeSnapshot(db.sql, { asOf: AS_OF });
    assert.equal(await buildDashboardRollups(db.sql, snapshot.id), true);
    assert.equal(await buildDashboardRollups(db.sql, snapshot.id), false, "built once");
    const app = createApp({
      env: () => ({ SUPABASE_DB_URL: db.url, SUPABASE_SERVICE_ROLE_KEY: KEY }),
    });
    const page = async (query = "") => {
      const res = await app.request(`/dashboard${query}`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      assert.equal(res.status, 200);
      return await res.text();
    };

    await t.step("15+ panels, each titled with a question, with data and a chart", async () => {
      const html = await page();
      const all = sections(html);
      assert.ok(all.length >= 15, `${all.length} panels`);
      for (const s of all) {
        assert.match(s.html, /<h2 id="[^"]+">[^<]+\?<\/h2>/, `${s.id} has a question title`);
        assert.ok(s.rows > 0, `${s.id} has data rows`);
        assert.match(s.html, /<summary>Data table<\/summary>/, `${s.id} has a data table`);
      }
      const charts = all.filter((s) => s.html.includes("<svg"));
      assert.ok(charts.length >= 15, `${charts.length} charts`);
      for (const s of charts) assert.match(s.html, /<svg[^>]+viewBox=/, `${s.id} scales`);
    });

    await t.step("figures are in the company's currency and time zone", async () => {
      const html = await page();
      const [qtd] = await db.sql<{ revenue: string }[]>`
        select revenue from analytics.revenue(${AS_OF}) where period = 'qtd'`;
      const eur = new Intl.NumberFormat("en-US", {
        style: "currency",
        currency: "EUR",
        maximumFractionDigits: 0,
      }).format(Number(qtd!.revenue));
      assert.ok(eur.startsWith("€"));
      const tiles = sections(html).find((s) => s.id === "tiles")!;
      assert.deepEqual(tableRows(tiles).find((r) => r[0] === "QTD")?.[1], eur);
      assert.match(html, /EUR, Asia\/Kolkata/);
      // The MTD tile compares 4 days with 4 days on a tiny base: it states both amounts, not
      // +662%; the quarter's change, on a real base, is stated as a percentage.
      assert.match(tiles.html, /against €2,848 the period before/);
      assert.doesNotMatch(tiles.html, /662\.11% vs/);
      assert.match(tiles.html, /-60\.1% vs €108,714/);
    });

    await t.step("the rollups agree with the KPI functions they stand in for", async () => {
      const [r] = await db.sql`
        select
          (select sum(leads) from dashboard.daily where snapshot_id = ${snapshot.id}
            and day >= '2026-01-01')::int as leads_qtd,
          (select leads from analytics.leads_created(${AS_OF}, 'qtd')
            where dimension = 'all')::int as kpi_leads_qtd,
          (select sum(won_amount) from dashboard.daily where snapshot_id = ${snapshot.id}
            and day >= '2026-01-01')::numeric as won_qtd,
          (select revenue from analytics.revenue(${AS_OF}) where period = 'qtd') as kpi_won_qtd,
          (select sum(won)::int || '/' || sum(lost)::int from dashboard.daily
            where snapshot_id = ${snapshot.id}) as won_lost_t12m,
          (select won || '/' || lost from analytics.win_rate(${AS_OF}, 't12m')
            where dimension = 'all') as kpi_won_lost_t12m,
          (select sum(untouched)::int from dashboard.daily where snapshot_id = ${snapshot.id}
            and day >= '2026-03-01') as untouched_mtd,
          (select untouched::int from analytics.lead_response(${AS_OF}, 'mtd')
            where dimension = 'all') as kpi_untouched_mtd`;
      assert.ok(r!.leads_qtd > 0);
      assert.equal(r!.leads_qtd, r!.kpi_leads_qtd);
      assert.equal(Number(r!.won_qtd), Number(r!.kpi_won_qtd));
      assert.equal(r!.won_lost_t12m, r!.kpi_won_lost_t12m);
      assert.equal(r!.untouched_mtd, r!.kpi_untouched_mtd);
    });

    await t.step("the period filter changes the time series", async () => {
      const rowsOf = async (q: string, id: string) =>
        tableRows(sections(await page(q)).find((s) => s.id === id)!);
      const mtd = await rowsOf("?period=mtd", "leads-by-source");
      const t12m = await rowsOf("?period=t12m", "leads-by-source");
      assert.ok(mtd.every((r) => r[0]! >= "2026-03-01"), "mtd buckets are days of March");
      assert.ok(t12m.some((r) => r[0]! < "2025-06-01"), "t12m reaches back a year");
      assert.ok(t12m.length > mtd.length);
    });

    await t.step("the source filter narrows every source-aware panel", async () => {
      const html = await page("?period=t12m&source=Facebook");
      const by = (id: string) => tableRows(sections(html).find((s) => s.id === id)!);
      assert.ok(by("leads-by-source").length > 0);
      assert.ok(by("leads-by-source").every((r) => r[1] === "Facebook"));
      assert.deepEqual(by("funnel").map((r) => r[0]), ["Facebook"]);
      assert.ok(by("risky-deals").every((r) => r[3] === "Facebook"));
      assert.match(html, /not broken down by lead source|all sources/);
      const everyone = by("owners").map((r) => r[5]);
      const all = tableRows(sections(await page("?period=t12m")).find((s) => s.id === "owners")!)
        .map((r) => r[5]);
      assert.notDeepEqual(everyone, all);
    });

    await t.step("sync health sums the run's audit rows", async () => {
      const sync = sections(await page()).find((s) => s.id === "sync-health")!;
      // Started, Mode, Status, Slices, Fetched, Changed, API calls, Credits, Errors
      assert.deepEqual(tableRows(sync)[0]!.slice(1), [
        "full",
        "done",
        "2",
        "3,600",
        "3,600",
        "18",
        "964",
        "0",
      ]);
    });

    await t.step("at-risk deals link to their Zoho record", async () => {
      const html = await page();
      const risky = sections(html).find((s) => s.id === "risky-deals")!;
      assert.match(risky.html, /href="https:\/\/crm\.zoho\.com\/crm\/tab\/Potentials\/\d+"/);
    });
  } finally {
    await closeAllSql();
    await db.drop();
  }
});
