/**
 * Each deal's Stage_History synced from the first sync: the backfill spread over slices (slice
 * budget) and runs (a small daily credit budget, keeping the reserve), long histories paged, a
 * kill -9 mid-backfill losing and repeating nothing, a deal moved twice between two syncs keeping
 * both moves, and the demo company's stage panel filled after its first sync, equal to the same
 * figures worked out from the simulator's rows apart from SQL.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runSync, type SyncResult } from "../_shared/sync/engine.ts";
import { STAGE_HISTORY_STEP } from "../_shared/sync/stage_history.ts";
import { loadZohoEnv } from "../_shared/zoho/config.ts";
import { type Harness, startHarness } from "./_zoho_sync.ts";
import {
  diffHistory,
  historyCalls,
  historyTruth,
  stageConversionFrom,
  type StageFigures,
} from "./_stage_history.ts";

const CHILD = fileURLToPath(new URL("./_zoho_sync_history_child.ts", import.meta.url));

/** Runs slices of one run until it is done; returns every slice's answer. */
async function runUntilDone(
  h: Harness,
  request: { mode: "full" | "incremental"; budgetMs?: number; modules?: string[] | "all" },
  options: { env?: Record<string, string>; historyPerPage?: number } = {},
): Promise<SyncResult[]> {
  const env = loadZohoEnv({ ...h.env, ...options.env });
  const out: SyncResult[] = [];
  let runId: string | undefined;
  for (let i = 0; i < 100; i++) {
    const r = await runSync({ sql: h.db.sql, env, historyPerPage: options.historyPerPage }, {
      modules: request.modules === "all" ? undefined : request.modules ?? ["Deals"],
      mode: request.mode,
      budgetMs: request.budgetMs,
      runId,
    });
    out.push(r);
    runId = r.run_id;
    const failed = r.modules.find((m) => m.status === "failed");
    assert.equal(failed, undefined, `no step failed: ${failed?.errors[0]}`);
    if (r.status === "done") return out;
  }
  throw new Error("Cannot finish the run: 100 slices");
}

function historyOf(r: SyncResult) {
  const m = r.modules.find((m) => m.module === STAGE_HISTORY_STEP);
  assert.ok(m, "the answer has the Stage_History row");
  return m;
}

async function assertEqualToSim(h: Harness, label: string) {
  const truth = await historyTruth(h.sim);
  const diff = await diffHistory(h.db.sql, truth);
  assert.deepEqual([diff.missing, diff.extra], [[], []], `${label}: stored history = simulator's`);
  return truth;
}

Deno.test("zoho-sync backfills Stage_History across slices and runs under a small daily credit budget", async () => {
  const h = await startHarness("zs_hist_budget", { size: { leads: 600 } }, {
    ZOHO_CONCURRENCY: "4",
  });
  try {
    // 25 ms per history call: a 400 ms slice reads a few dozen deals.
    h.sim.controls.faults.add({ kind: "slow", delayMs: 25, path: "/Stage_History" });
    const deals = h.sim.controls.records.count("Deals");
    // The first day's record reads of 120 deals cost about 125 credits (a list page and a
    // single read per deal for its subform); each day then brings 30 credits.
    const [FIRST, PER_DAY] = [150, 30];
    const days: { slices: number; deferred: boolean; queued: number; deals: number }[] = [];
    for (let day = 1; day <= 12; day++) {
      // The rolling 24 h window holds every earlier "day": an allowance grown by 30 a day
      // leaves 30 new credits, as a new day would.
      const daily = FIRST + day * PER_DAY;
      const run = await runUntilDone(h, {
        mode: day === 1 ? "full" : "incremental",
        budgetMs: 400,
      }, { env: { ZOHO_DAILY_CREDITS: String(daily) } });
      const last = historyOf(run.at(-1)!);
      days.push({
        slices: run.length,
        deferred: last.deferred === true,
        queued: last.queued!,
        deals: run.reduce((n, r) => n + historyOf(r).deals!, 0),
      });
      const [spent] = await h.db.sql<{ n: number }[]>`select sum(credits_used)::int as n
        from zoho.sync_logs`;
      if (last.deferred) {
        // The step stops exactly at the reserve it keeps for later record reads (10 %).
        assert.equal(spent!.n, daily - Math.floor(daily / 10), `day ${day}: the reserve is kept`);
      }
      if (last.queued === 0) break;
      if (day === 1) {
        // A queued deal deleted in Zoho: the next run stores the deletion and drops it unread.
        const [q] = await h.db.sql<{ id: string }[]>`select deal_id as id
          from zoho.stage_history_queue order by modified_time limit 1`;
        h.sim.controls.records.delete("Deals", q!.id);
        h.sim.controls.clock.advance(1200);
      }
    }
    console.log(`backfill of ${deals} deals: ${JSON.stringify(days)}`);
    assert.ok(days.length >= 3, `spread over runs (${days.length})`);
    assert.ok(days.some((d) => d.slices >= 2), "a run's backfill spanned slices");
    assert.ok(
      days.slice(0, -1).every((d) => d.deferred),
      "each run but the last deferred the rest",
    );
    assert.ok(days.every((d, i) => i === 0 || d.queued < days[i - 1]!.queued), "progress each day");
    assert.equal(days.at(-1)!.queued, 0);
    assert.equal(days.reduce((n, d) => n + d.deals, 0), deals - 1, "every live deal read once");
    const logged = await h.db.sql<{ queued: number | null }[]>`select queued from zoho.sync_logs
      where module = ${STAGE_HISTORY_STEP} order by id`;
    assert.ok(logged.every((r) => r.queued !== null), "sync_logs shows the queue each slice");
    assert.equal(logged.at(-1)!.queued, 0);
    assert.equal(historyCalls(h.sim), deals - 1, "one call per live deal, none repeated");
    await assertEqualToSim(h, "after the backfill");
  } finally {
    await h.close();
  }
});

Deno.test("zoho-sync Stage_History backfill killed mid-way (kill -9) resumes, losing and repeating nothing", async () => {
  const h = await startHarness("zs_hist_kill", { size: { leads: 600 } }, {
    ZOHO_CONCURRENCY: "4",
  });
  try {
    h.sim.controls.faults.add({ kind: "slow", delayMs: 20, path: "/Stage_History" });
    const deals = h.sim.controls.records.count("Deals");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CHILD],
      env: { ...h.env },
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    let exited = false;
    child.status.then(() => (exited = true));
    let stored = 0;
    for (;;) {
      assert.ok(!exited, "the sync child was still running when killed");
      const [row] = await h.db.sql<{ n: number }[]>`select count(distinct deal_id)::int as n
        from zoho.stage_history`;
      stored = row!.n;
      if (stored >= deals / 3) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel();
    // Calls the killed process had in flight reach the simulator's log before it is read.
    await new Promise((r) => setTimeout(r, 200));
    const [q] = await h.db.sql<{ n: number }[]>`select count(*)::int as n
      from zoho.stage_history_queue`;
    assert.ok(q!.n > 0 && q!.n < deals, `killed mid-backfill (${q!.n} of ${deals} queued)`);
    const [committed] = await h.db.sql<{ n: number }[]>`select count(distinct deal_id)::int as n
      from zoho.stage_history`;
    // The queue and the stored rows agree at the kill: every deal is stored or queued.
    assert.equal(committed!.n + q!.n, deals, "stored and queued deals add up to every deal");
    const callsBefore = historyCalls(h.sim);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CHILD],
      env: { ...h.env },
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assert.ok(out.success, "the resumed sync finished");
    const slices = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) =>
      JSON.parse(l) as { status: string }
    );
    assert.equal(slices.at(-1)!.status, "done");
    // The resumed run read only the deals still queued: nothing stored was read again.
    assert.equal(historyCalls(h.sim) - callsBefore, q!.n, "the resume read only queued deals");
    const truth = await assertEqualToSim(h, "after kill -9 and resume");
    const [versions] = await h.db.sql<{ n: number }[]>`select count(*)::int as n
      from zoho.stage_history where version > 1`;
    assert.equal(versions!.n, 0, "no row stored twice");
    assert.equal(truth.size, deals);
  } finally {
    await h.close();
  }
});

Deno.test("zoho-sync pages long histories and keeps both moves of a deal moved twice between two syncs", async () => {
  const h = await startHarness("zs_hist_twice", { size: { leads: 600 } });
  try {
    // Two rows a page: a history of n rows takes ceil(n / 2) calls (page=2, 3, ...).
    await runUntilDone(h, { mode: "full" }, { historyPerPage: 2 });
    const calls = historyCalls(h.sim);
    const before = await assertEqualToSim(h, "after the first sync");
    const pages = [...before.values()].reduce((n, rows) => n + Math.ceil(rows.length / 2), 0);
    assert.ok([...before.values()].some((rows) => rows.length > 4), "some histories take 3 pages");
    assert.equal(calls, pages, "every page read once");
    await h.db.sql`select analytics.refresh_facts()`;
    const deal = [...h.sim.controls.records.iterate("Deals")].find((d) =>
      !String(d.Stage).startsWith("Closed")
    )!;
    const [id, stage] = [String(deal.id), String(deal.Stage)];
    const other = stage === "Value Proposition" ? "Needs Analysis" : "Value Proposition";
    h.sim.controls.clock.advance(3600);
    h.sim.controls.records.update("Deals", id, { Stage: other });
    const t1 = h.sim.controls.clock.now();
    h.sim.controls.clock.advance(3600);
    h.sim.controls.records.update("Deals", id, { Stage: stage });
    const t2 = h.sim.controls.clock.now();
    h.sim.controls.clock.advance(120);
    h.sim.controls.log.clear();
    const run = await runUntilDone(h, { mode: "incremental" }, { historyPerPage: 2 });
    assert.equal(historyOf(run.at(-1)!).deals, 1, "only the changed deal's history was read");
    const rows = (before.get(id)?.length ?? 0) + 2;
    assert.equal(historyCalls(h.sim), Math.ceil(rows / 2), "its pages, once");
    const versions = await h.db.sql<{ stage: string }[]>`select data ->> 'Stage' as stage
      from zoho.record_versions where module = 'Deals' and id = ${id} order by version`;
    assert.deepEqual(versions.map((v) => v.stage), [stage, stage], "versions saw no stage change");
    await assertEqualToSim(h, "after the two moves");
    // The facts, kept by the triggers during the incremental sync, hold both moves.
    const entries = await h.db.sql<{ stage: string; entered_at: Date }[]>`
      select stage, entered_at from analytics.f_stage_entries where deal_id = ${id}
      order by seq desc limit 3`;
    assert.deepEqual(entries.map((e) => [e.stage, e.entered_at.getTime() / 1000]).reverse(), [
      [stage, Date.parse(String(deal.Modified_Time)) / 1000],
      [other, t1],
      [stage, t2],
    ]);
    const kept = await h.db.sql`select * from analytics.f_stage_entries order by deal_id, seq`;
    await h.db.sql`select analytics.refresh_facts()`;
    const rebuilt = await h.db.sql`select * from analytics.f_stage_entries order by deal_id, seq`;
    assert.deepEqual([...kept], [...rebuilt], "trigger-kept entries = a full rebuild");
  } finally {
    await h.close();
  }
});

Deno.test("zoho-sync first sync of the demo company fills the stage panel for every open stage", async () => {
  // startZohoSim's default size: the 20,000-lead demo company.
  const h = await startHarness("zs_hist_demo", { size: undefined }, { ZOHO_SEGMENTS: "4" });
  try {
    const t0 = performance.now();
    const run = await runUntilDone(h, { mode: "full", modules: "all" });
    const history = run.map(historyOf);
    console.log(
      `demo first sync: ${run.length} slices in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s; ` +
        `Stage_History ${history.reduce((n, m) => n + m.api_calls, 0)} calls, ` +
        `${history.reduce((n, m) => n + m.fetched, 0)} rows`,
    );
    await h.db.sql`select analytics.refresh_facts()`;
    // Decimals in hundredths, as StageFigures has them.
    const rows = await h.db.sql<StageFigures[]>`select stage, entered::int, advanced::int,
        (conversion_pct * 100)::int as "conversionPct", completed_stays::int as completed,
        (avg_days_in_stage * 100)::int as "avgDays",
        (median_days_in_stage * 100)::int as "medianDays"
      from analytics.stage_conversion('2026-03-04', 't12m') order by stage_position`;
    assert.equal(rows.length, 7, "every open stage has a row");
    for (const r of rows) {
      assert.ok(r.entered > 0 && r.conversionPct !== null && r.medianDays !== null, `${r.stage}`);
    }
    // The same figures from the simulator's rows, computed apart from SQL.
    const truth = await assertEqualToSim(h, "demo");
    const ranks = new Map(
      (await h.db.sql<{ stage: string; position: number; progress: number | null }[]>`
        select stage, position, case when is_open or stage = 'Closed Won' then position end
          as progress from analytics.stage_settings`).map((s) => [s.stage, s]),
    );
    const [w] = await h.db.sql<{ t0: Date; t1: Date }[]>`select
      (select start_day from analytics.periods('2026-03-04') where period = 't12m')::timestamp
        at time zone analytics.time_zone() as t0, analytics.day_end('2026-03-04') as t1`;
    const expected: StageFigures[] = stageConversionFrom(truth, {
      t0: w!.t0.getTime(),
      t1: w!.t1.getTime(),
      ranks,
    });
    assert.deepEqual([...rows], expected, "the stage panel = the simulator's paths");
    // The dashboard's panel reads the snapshot's stage_conversion.
    const [snap] = await h.db.sql<{ stages: { stage: string; median_days_in_stage: number }[] }[]>`
      select analytics.compute_snapshot('2026-03-04') -> 'kpis' -> 'stage_conversion' as stages`;
    assert.equal(snap!.stages.filter((s) => s.median_days_in_stage !== null).length, 7);
  } finally {
    await h.close();
  }
});
