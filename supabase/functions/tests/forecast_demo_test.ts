/**
 * The quarter forecast on the demo company (3,000 leads, as of 2026-03-04, target $120,000): the
 * snapshot's forecast, the brief's facts, the dashboard panel and the WhatsApp answer state the
 * same numbers to the cent; it is the same on every run; its won to date is the independent
 * truth's revenue QTD; and the chances are learned from the company's history.
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import { answerIntent, loadAskContext } from "../_shared/ask/answer.ts";
import { formatMoney, formatPct } from "../_shared/ask/format.ts";
import { intentByName } from "../_shared/ask/intents.ts";
import { matchMessage } from "../_shared/ask/matcher.ts";
import { buildDashboardRollups } from "../_shared/dashboard/rollups.ts";
import { computeSnapshot } from "../_shared/metrics/snapshot.ts";
import { createApp as createDashboard } from "../dashboard/app.ts";
import { loadDemoCompany } from "./_demo_company.ts";
import { computeTruth } from "./_demo_truth.ts";

const KEY = "test-service-key-for-forecast-demo-0123456789";
const AS_OF = "2026-03-04";

interface Forecast {
  won_to_date: number;
  p10: number;
  p50: number;
  p90: number;
  target: number;
  gap_p50: number;
  chance_of_target_pct: number;
  method: string;
  history_deals: number;
  weighted_baseline: number;
  drivers: { deal_id: string; name: string; amount: number; chance_pct: number }[];
  path: { day: string; won: number | null; p50: number | null }[];
}

/** The cells of the panel's data table, row by row. */
function tableRows(html: string, panelId: string): string[][] {
  const panel = new RegExp(`<section class="panel" id="${panelId}"[^>]*>(.*?)</section>`, "s")
    .exec(html)?.[1] ?? "";
  const body = /<tbody>(.*?)<\/tbody>/s.exec(panel)?.[1] ?? "";
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) =>
    [...r[1]!.matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/gs)].map((c) =>
      c[1]!.replace(/<[^>]+>/g, "").replace(/&amp;/g, "&").replace(/&#39;/g, "'").trim()
    )
  );
}

Deno.test("the quarter forecast on the demo company", async (t) => {
  const db = await createScratchDb("forecast_demo");
  try {
    await loadDemoCompany(db.sql, { leads: 3000 });
    await db.sql`insert into analytics.revenue_targets (quarter_start, amount)
      values ('2026-01-01', 120000)`;
    const { snapshot } = await computeSnapshot(db.sql, { asOf: AS_OF });
    await buildDashboardRollups(db.sql, snapshot.id);
    const [row] = await db.sql<{ f: Forecast }[]>`
      select kpis -> 'forecast' as f from analytics.snapshots where id = ${snapshot.id}`;
    const fc = row!.f;
    const n = (v: unknown) => Number(v);

    await t.step("learned from history, ordered, with the tile's won to date", () => {
      assert.equal(fc.method, "history");
      assert.ok(n(fc.history_deals) >= 30, `${fc.history_deals} deals`);
      assert.ok(n(fc.p10) <= n(fc.p50) && n(fc.p50) <= n(fc.p90), JSON.stringify(fc));
      assert.ok(n(fc.p10) >= n(fc.won_to_date));
      // Won to date = revenue QTD of the independent implementation over the dataset.
      const truth = computeTruth({ leads: 3000, asOf: AS_OF, tz: "UTC" });
      assert.equal(Math.round(n(fc.won_to_date) * 100), Math.round(truth.revenue.qtd * 100));
      assert.equal(n(fc.target), 120000);
      assert.equal(Math.round(n(fc.gap_p50) * 100), Math.round((120000 - n(fc.p50)) * 100));
      const today = fc.path.find((p) => p.day === AS_OF);
      assert.deepEqual([n(today?.won), n(today?.p50)], [n(fc.won_to_date), n(fc.won_to_date)]);
    });

    await t.step("the same answer on every run", async () => {
      const [a] = await db.sql`select analytics.forecast(${AS_OF}::date) as f`;
      const [b] = await db.sql`select analytics.forecast(${AS_OF}::date) as f`;
      assert.deepEqual(a!.f, b!.f);
      assert.deepEqual(a!.f, fc);
    });

    await t.step("the brief's facts are the forecast's numbers", async () => {
      const [p] = await db.sql<{ p: { facts: Record<string, unknown>[] } }[]>`
        select brief.payload(${snapshot.id}) as p`;
      const fact = (id: string) => p!.p.facts.find((f) => f.id === id);
      assert.deepEqual(
        [fact("forecast.p50")?.value, fact("forecast.p50")?.low, fact("forecast.p50")?.high],
        [fc.p50, fc.p10, fc.p90].map(n),
      );
      assert.equal(fact("forecast.chance")?.value, n(fc.chance_of_target_pct));
      assert.equal(fact("forecast.gap")?.value, n(fc.gap_p50));
      const top = fc.drivers[0]!;
      assert.deepEqual(
        [
          fact("forecast.deal")?.label,
          fact("forecast.deal")?.value,
          fact("forecast.deal")?.chance_pct,
        ],
        [top.name, n(top.amount), n(top.chance_pct)],
      );
    });

    await t.step("the dashboard panel states them", async () => {
      const app = createDashboard({
        env: () => ({ SUPABASE_DB_URL: db.url, SUPABASE_SERVICE_ROLE_KEY: KEY }),
      });
      const res = await app.request("/dashboard", { headers: { authorization: `Bearer ${KEY}` } });
      assert.equal(res.status, 200);
      const rows = new Map(
        tableRows(await res.text(), "forecast").map(([k, v]) => [k!, v!] as const),
      );
      const dollars = (label: string) => {
        const v = [...rows].find(([k]) => k.startsWith(label))?.[1] ?? "";
        return Number(v.replace(/[$,]/g, ""));
      };
      assert.equal(dollars("Won to date"), Math.round(n(fc.won_to_date)));
      assert.equal(dollars("Forecast P50"), Math.round(n(fc.p50)));
      assert.equal(dollars("P10"), Math.round(n(fc.p10)));
      assert.equal(dollars("P90"), Math.round(n(fc.p90)));
      assert.equal(dollars("Gap to target at P50"), Math.round(n(fc.gap_p50)));
      assert.equal(
        rows.get("Chance of reaching the target"),
        // the dashboard's percentages: at most 2 decimals, no trailing zeros (0.9%, 12.35%)
        `${Number(n(fc.chance_of_target_pct).toFixed(2))}%`,
      );
      assert.ok(
        [...rows.keys()].some((k) => k.includes(fc.drivers[0]!.name)),
        "the top driver is listed",
      );
    });

    await t.step('WhatsApp answers "will we make the quarter?" with them', async () => {
      const ctx = await loadAskContext(db.sql);
      for (const q of ["will we make the quarter?", "forecast", "are we going to hit the number"]) {
        const m = matchMessage(q, ctx);
        assert.ok(m.kind === "intent" && m.intent === "forecast", `${q}: ${JSON.stringify(m)}`);
      }
      const m = matchMessage("will we make the quarter?", ctx);
      if (m.kind !== "intent") return;
      const answer = await answerIntent(db.sql, intentByName(m.intent)!, m.params, {
        asOf: AS_OF,
        currency: ctx.currency,
      });
      const money = (v: number) => formatMoney(v, "USD");
      assert.match(answer.text, new RegExp(`won ${money(n(fc.won_to_date)).replace("$", "\\$")}`));
      for (const [label, v] of [["finish", fc.p50], ["low case", fc.p10], ["high case", fc.p90]]) {
        assert.ok(
          answer.text.includes(`${label} ${money(n(v))}`),
          `${label} ${money(n(v))} in ${answer.text}`,
        );
      }
      assert.ok(answer.text.includes(`${formatPct(n(fc.chance_of_target_pct))} chance`));
      assert.ok(answer.text.includes(`${money(n(fc.gap_p50))} short`), answer.text);
    });
  } finally {
    await closeAllSql();
    await db.drop();
  }
});
