/**
 * The dashboard in headless Chromium, served by the running local stack (gateway → dashboard
 * function → Postgres): a signed link opens a cookie session, every chart renders with data,
 * the filters change the data, Refresh runs the pipeline to the end while showing its stages and
 * then reloads, nothing is requested from another host, no console errors, and the page fits a
 * phone. Screenshots: .local/test-output/dashboard-*.png.
 */
import assert from "node:assert/strict";
import { STAGES } from "../_shared/pipeline/runs.ts";
import { join } from "node:path";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import type { Page, Response } from "playwright-core";
import { signDashboardLink } from "../_shared/dashboard/link.ts";
import { runStatus } from "../_shared/pipeline/runs.ts";
import { launchChromium, TEST_OUTPUT } from "./_browser.ts";
import { stackEnv, stackSql } from "./_stack.ts";

/**
 * Makes sure the stack's database has a built snapshot and a brief: sync the simulator, snapshot,
 * write the brief (no pulse sent), each through the gateway as the pipeline would.
 */
async function ensureSnapshot(env: Record<string, string>): Promise<void> {
  const sql = stackSql();
  let built: number, briefs: number;
  try {
    const [row] = await sql`select (select count(*)::int from dashboard.builds) as built,
      (select count(*)::int from brief.briefs) as briefs`;
    built = row!.built;
    briefs = row!.briefs;
  } finally {
    await sql.end();
  }
  const supabase = createClient(env.SUPABASE_URL!, env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { autoRefreshToken: false, persistSession: false, detectSessionInUrl: false },
  });
  if (built > 0) {
    if (briefs === 0) await writeBrief(supabase);
    return;
  }
  let runId: string | undefined;
  for (let slice = 0; slice < 50; slice++) {
    const { data, error } = await supabase.functions.invoke("zoho-sync", {
      body: runId ? { run_id: runId } : {},
    });
    if (error) throw new Error(`Cannot sync the simulator: ${error.message}`);
    runId = data.run_id;
    if (data.status === "done") break;
  }
  const clock = await (await fetch(`${env.ZOHO_SIM_URL}/__sim/clock`)).json() as { now: number };
  const asOf = new Date(clock.now * 1000).toISOString().slice(0, 10);
  const { error } = await supabase.functions.invoke("compute-metrics", { body: { as_of: asOf } });
  if (error) throw new Error(`Cannot compute the snapshot: ${error.message}`);
  await writeBrief(supabase);
}

async function writeBrief(supabase: SupabaseClient): Promise<void> {
  const { error } = await supabase.functions.invoke("generate-brief", { body: { send: false } });
  if (error) throw new Error(`Cannot write the brief: ${error.message}`);
}

/** Panel ids with their table rows and whether their chart drew marks. */
function panels(page: Page) {
  return page.$$eval("section.panel", (els) =>
    els.map((el) => {
      const svg = el.querySelector("figure.chart svg");
      return {
        id: el.id,
        title: el.querySelector("h2")?.textContent ?? "",
        rows: el.querySelectorAll("tbody tr").length,
        empty: el.querySelector("tbody td[colspan]") !== null,
        chart: svg !== null,
        // Marks drawn beyond the background rectangle: bars, lines, cells, axes.
        marks: svg ? svg.querySelectorAll("path, rect, polyline").length : 0,
        shown: svg ? svg.getBoundingClientRect().width > 0 : false,
      };
    }));
}

function tableOf(page: Page, id: string) {
  return page.$$eval(
    `#${id} tbody tr`,
    (rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent ?? "")),
  );
}

Deno.test("dashboard in headless Chromium", async (t) => {
  const env = stackEnv();
  await ensureSnapshot(env);
  const origin = new URL(env.SUPABASE_URL!).origin;
  const link = env.FUNCTIONS_URL + await signDashboardLink(
    { recipient: "browser-test", ttlSeconds: 900 },
    env.SUPABASE_SERVICE_ROLE_KEY!,
  );
  await Deno.mkdir(TEST_OUTPUT, { recursive: true });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    const foreign: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    page.on("request", (r) => {
      const u = r.url();
      if (!u.startsWith(`${origin}/`) && !u.startsWith("data:")) foreign.push(u);
    });

    await t.step("the signed link opens a session and lands on the page", async () => {
      const res = await page.goto(link);
      assert.equal(res?.status(), 200);
      assert.equal(page.url(), `${env.FUNCTIONS_URL}/dashboard`);
      const [cookie] = await context.cookies();
      assert.equal(cookie?.name, "crm_dashboard");
      assert.equal(cookie?.httpOnly, true);
      assert.equal(cookie?.secure, true);
      assert.equal(cookie?.sameSite, "Lax");
    });

    await t.step("every chart renders with data, each with its table", async () => {
      const all = await panels(page);
      assert.ok(all.length >= 15, `${all.length} panels`);
      for (const p of all) {
        assert.ok(p.title.endsWith("?"), `${p.id}: titled with its question`);
        assert.ok(p.rows > 0 && !p.empty, `${p.id}: data table has rows`);
      }
      const charts = all.filter((p) => p.chart);
      assert.ok(charts.length >= 15, `${charts.length} charts`);
      for (const c of charts) {
        assert.ok(c.shown, `${c.id}: chart is displayed`);
        assert.ok(c.marks > 5, `${c.id}: chart drew marks (${c.marks})`);
      }
      await page.screenshot({ path: join(TEST_OUTPUT, "dashboard-desktop.png"), fullPage: true });
    });

    await t.step("the brief marks each checked number, linked to its fact and chart", async () => {
      const marks = await page.$$eval(
        "#brief mark.checked a",
        (as) => as.map((a) => a.getAttribute("href") ?? ""),
      );
      assert.ok(marks.length > 0, "checked numbers are marked");
      for (const href of new Set(marks)) {
        assert.equal(await page.locator(href.replace(/\./g, "\\.")).count(), 1, `${href} exists`);
      }
      const charts = await page.$$eval(
        "#brief tbody a",
        (as) => as.map((a) => a.getAttribute("href") ?? ""),
      );
      assert.ok(charts.length > 0);
      for (const href of new Set(charts)) {
        assert.equal(await page.locator(`section${href}`).count(), 1, `${href} is a panel`);
      }
    });

    await t.step("the period and source filters change the data", async () => {
      const before = await tableOf(page, "leads-by-source");
      await page.selectOption("select[name=period]", "t12m");
      await Promise.all([page.waitForURL(/period=t12m/), page.click(".filters button")]);
      const year = await tableOf(page, "leads-by-source");
      assert.notDeepEqual(year, before);
      const sources = await page.$$eval(
        "select[name=source] option",
        (os) => os.map((o) => o.getAttribute("value") ?? "").filter(Boolean),
      );
      assert.ok(sources.length > 1);
      await page.selectOption("select[name=source]", sources[0]!);
      await Promise.all([page.waitForURL(/source=/), page.click(".filters button")]);
      const one = await tableOf(page, "leads-by-source");
      assert.ok(one.length > 0 && one.every((r) => r[1] === sources[0]));
      assert.notDeepEqual(one, year);
    });

    await t.step(
      "Refresh runs the pipeline to the end, showing each stage, then reloads",
      async () => {
        // The run Refresh started (from its 202 answer).
        let runId: string | undefined;
        const onStart = async (r: Response) => {
          if (!/\/dashboard\/refresh$/.test(r.url()) || r.status() !== 202) return;
          const run = await r.json().catch(() => null) as { id?: string } | null;
          runId ??= run?.id;
        };
        page.on("response", onStart);
        // What the page showed while the run went on: every stage:status its list displayed,
        // kept in sessionStorage, which outlives the reload (no race with the page's timing).
        await page.evaluate(() => {
          const g = globalThis as unknown as {
            beforeRefresh?: boolean;
            document: {
              getElementById(id: string): unknown;
              querySelectorAll(s: string): { getAttribute(n: string): string | null }[];
            };
            sessionStorage: {
              getItem(k: string): string | null;
              setItem(k: string, v: string): void;
            };
            MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void };
          };
          g.beforeRefresh = true;
          g.sessionStorage.setItem("seen", "[]");
          new g.MutationObserver(() => {
            const seen = new Set<string>(JSON.parse(g.sessionStorage.getItem("seen") ?? "[]"));
            for (const li of g.document.querySelectorAll("#refresh-stages li[data-stage]")) {
              seen.add(`${li.getAttribute("data-stage")}:${li.getAttribute("data-status")}`);
            }
            g.sessionStorage.setItem("seen", JSON.stringify([...seen]));
          }).observe(g.document.getElementById("refresh-stages"), {
            childList: true,
            subtree: true,
            attributes: true,
          });
        });
        const before = await page.getAttribute("main", "data-snapshot");
        await page.click("#refresh");
        await page.waitForSelector("#refresh-stages li[data-stage]", { timeout: 30_000 });
        // The script reloads the page once the run has succeeded.
        await page.waitForFunction(
          () => (globalThis as unknown as { beforeRefresh?: boolean }).beforeRefresh !== true,
          undefined,
          {
            timeout: 240_000,
            polling: 500,
          },
        );
        await page.waitForSelector("section.panel");
        page.off("response", onStart);
        const shown = JSON.parse(
          await page.evaluate(() =>
            (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } })
              .sessionStorage.getItem("seen")
          ) ?? "[]",
        ) as string[];
        const seen = new Map<string, Set<string>>();
        for (const [stage, status] of shown.map((x) => x.split(":"))) {
          seen.set(stage!, (seen.get(stage!) ?? new Set()).add(status!));
        }
        assert.deepEqual([...seen.keys()], [...STAGES]);
        // Shown before it ran (from the 202 answer) and when it had succeeded (last poll).
        for (const [stage, statuses] of seen) {
          assert.ok(statuses.has("succeeded") && statuses.size > 1, `${stage}: ${[...statuses]}`);
        }
        // The reload came when the run had ended: every stage succeeded.
        const sql = stackSql();
        try {
          const run = await runStatus(sql, runId!);
          assert.equal(run?.trigger, "dashboard");
          assert.equal(run?.status, "succeeded");
          assert.deepEqual(run?.stages.map((s) => s.status), Array(4).fill("succeeded"));
        } finally {
          await sql.end();
        }
        const after = await page.getAttribute("main", "data-snapshot");
        assert.ok(after && after !== before, "the page shows the run's new snapshot");
      },
    );

    await t.step("it fits a phone screen", async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate<number>(
        "document.documentElement.scrollWidth - window.innerWidth",
      );
      assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
      await page.screenshot({ path: join(TEST_OUTPUT, "dashboard-phone.png"), fullPage: true });
    });

    await t.step("no console errors and no request left the host", () => {
      assert.deepEqual(errors, []);
      assert.deepEqual(foreign, []);
    });

    await t.step("without the link the page is a 401", async () => {
      const fresh = await browser.newContext();
      const p = await fresh.newPage();
      const res = await p.goto(`${env.FUNCTIONS_URL}/dashboard`);
      assert.equal(res?.status(), 401);
      assert.equal(await p.locator("section.panel").count(), 0);
      await fresh.close();
    });
    await context.close();
  } finally {
    await browser.close();
  }
});
