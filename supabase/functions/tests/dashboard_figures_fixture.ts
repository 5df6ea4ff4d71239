/**
 * The demo company's dashboard as the figures tests read it (issue 22 item 5): the demo company
 * (3,000 leads, as of 2026-03-04) on a scratch database, rendered as the dashboard function serves
 * it, every panel's tiles, data-table rows, links and note parsed back from the HTML; and how a
 * figure reads (money in whole currency units, counts exactly, percentages / days / ratios to
 * their 2 decimals). The tests by subject: `dashboard_figures_<subject>_test.ts`.
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { closeAllSql } from "../_shared/db.ts";
import { createApp as createDashboard } from "../dashboard/app.ts";
import { buildDashboardRollups } from "../_shared/dashboard/rollups.ts";
import { computeSnapshot } from "../_shared/metrics/snapshot.ts";
import { loadDemoCompany } from "./_demo_company.ts";

const KEY = "test-service-key-for-dashboard-figures-0123456789";
/** The demo company's as-of day. */
export const AS_OF = "2026-03-04";
/** The demo company's lead count. */
export const LEADS = 3000;

/** Any JSON (the snapshot's kpis). */
// deno-lint-ignore no-explicit-any
export type Json = any;

/** A rendered panel: tiles and data-table rows as displayed text. */
export interface Shown {
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
export function fig(text: string): number | null {
  const t = text.trim();
  if (t === "–" || t === "") return null;
  const neg = /^[-−]/.test(t);
  const v = Number(t.replace(/^[-−+]/, "").replace(/[$,%×]|\sd$/g, ""));
  assert.ok(Number.isFinite(v), `not a figure: ${JSON.stringify(text)}`);
  return neg ? -v : v;
}

/** What the page should display for a money value: whole units, half away from zero. */
export function money(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const x = Number(v);
  const r = Math.round(Math.abs(x));
  return x < 0 ? -r : r;
}

/** A 2-decimal figure (pct, days, ratio, count) as the snapshot stores it. */
export function dec(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

export function rowsOf(kpiRows: Json[], dimension: string): Json[] {
  return kpiRows.filter((r) => r.dimension === dimension);
}

/** The first day of the period's first month (cohort months shown by the funnel). */
export function startMonth(start: string): string {
  return start.slice(0, 8) + "01";
}

/** The demo dashboard of one test file: the snapshot's KPIs, its settings and the panels shown. */
export interface FiguresPage {
  kpis: Json;
  settings: Json;
  /** The company time zone. */
  tz: string;
  /** A period's row of the snapshot's periods (start_day). */
  periodOf(period: string): Json;
  /** A panel as the qtd or mtd page shows it. */
  panel(period: "qtd" | "mtd", id: string): Shown;
}

/** Loads the demo company on a scratch database, renders its dashboard and runs `fn` on it. */
export async function withFiguresPage(
  name: string,
  fn: (page: FiguresPage) => Promise<void>,
): Promise<void> {
  const db = await createScratchDb(name);
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
    await fn({
      kpis,
      settings,
      tz,
      periodOf: (p) => (kpis.periods as Json[]).find((x) => x.period === p),
      panel: (period, id) => {
        const p = pages[period].get(id);
        assert.ok(p, `panel ${id} rendered (${period})`);
        return p;
      },
    });
  } finally {
    await closeAllSql();
    await db.drop();
  }
}
