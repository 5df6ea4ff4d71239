/**
 * The sync side of `deno task bench sync`: runs a sync in a process of its own (so its time, CPU
 * and peak memory are the sync's alone) and reads the CPU time of the simulator and of the
 * Postgres backends serving it. This file is also that child process's entry point (--child).
 */
import { fileURLToPath } from "node:url";
import type postgres from "postgres";
import type { ZohoSim } from "../zoho-sim/server.ts";
import type { ScratchDb } from "../local/scratch_db.ts";
import { runSync } from "../../supabase/functions/_shared/sync/engine.ts";
import { loadZohoEnv } from "../../supabase/functions/_shared/zoho/config.ts";
import { closeAllSql, getSql } from "../../supabase/functions/_shared/db.ts";
import { processCpuMs } from "../../supabase/functions/_shared/sync/budget.ts";
import { STAGE_HISTORY_STEP } from "../../supabase/functions/_shared/sync/stage_history.ts";

export function simEnv(sim: ZohoSim, dbUrl: string, extra: Record<string, string> = {}) {
  return {
    SUPABASE_DB_URL: dbUrl,
    ZOHO_ACCOUNTS_URL: sim.credentials.accountsUrl,
    ZOHO_CLIENT_ID: sim.credentials.clientId,
    ZOHO_CLIENT_SECRET: sim.credentials.clientSecret,
    ZOHO_REFRESH_TOKEN: sim.credentials.refreshToken,
    ZOHO_FULL_REREAD_HOURS: "0",
    ZOHO_DAILY_CREDITS: "100000000",
    ...extra,
  };
}

/** CPU seconds of every backend connected to the sync's database now, by pid. */
async function backendCpu(sql: postgres.Sql): Promise<Record<number, number>> {
  const out: Record<number, number> = {};
  const rows = await sql<{ pid: number }[]>`select pid from pg_stat_activity
    where datname = current_database()`;
  for (const { pid } of rows) await cpuOf(pid).then((c) => (out[pid] = c), () => {});
  return out;
}

/**
 * Slices of one run until done. BENCH_MODULES (comma-separated, default Leads) and BENCH_MODE
 * (default full) choose what it reads; the Stage_History step's own figures are kept apart.
 */
async function syncUntilDone(env: Record<string, string>) {
  const parsed = loadZohoEnv(env);
  const sql = getSql(parsed.SUPABASE_DB_URL, { max: 8 });
  const modules = (env.BENCH_MODULES ?? "Leads").split(",");
  const mode = env.BENCH_MODE === "incremental" ? "incremental" : "full";
  let runId: string | undefined;
  let calls = 0;
  let fetched = 0;
  let stored = 0;
  const history = { calls: 0, rows: 0, deals: 0, queued: 0 };
  const sliceCpuMs: number[] = [];
  for (;;) {
    // Measured around the whole call, as an Edge request would be.
    const cpu0 = processCpuMs();
    const out = await runSync({ sql, env: parsed }, {
      modules,
      mode: runId ? undefined : mode,
      budgetMs: 400_000,
      runId,
    });
    sliceCpuMs.push(processCpuMs() - cpu0);
    runId = out.run_id;
    calls += out.modules.reduce((n, m) => n + m.api_calls, 0);
    fetched += out.modules.reduce((n, m) => n + m.fetched, 0);
    stored += out.modules.reduce((n, m) => n + m.inserted + m.updated + m.restored, 0);
    const h = out.modules.find((m) => m.module === STAGE_HISTORY_STEP);
    if (h) {
      history.calls += h.api_calls;
      history.rows += h.fetched;
      history.deals += h.deals ?? 0;
      history.queued = h.queued ?? 0;
    }
    const failed = out.modules.find((m) => m.status === "failed");
    if (failed) throw new Error(`Cannot finish the sync: ${failed.errors.at(-1)}`);
    // The backends' own counters, read before the pool closes (a closed backend's CPU is gone).
    if (out.status === "done") {
      return {
        calls,
        fetched,
        stored,
        history,
        modules: out.modules,
        backends: await backendCpu(sql),
        sliceCpuMs,
        budgetMs: parsed.ZOHO_CPU_BUDGET_MS,
      };
    }
  }
}

/** What the sync child reports: its own wall time, calls and peak RSS (VmHWM). */
export interface ChildReport {
  seconds: number;
  calls: number;
  /** Records fetched from Zoho, and records new or changed (inserted, updated, restored). */
  fetched: number;
  stored: number;
  hwmMb: number;
  cpuSeconds: number;
  /** CPU seconds of each backend of the database when the sync ended, read by the child. */
  backends: Record<number, number>;
  /** CPU ms of each slice (runSync call) and the configured budget. */
  sliceCpuMs: number[];
  budgetMs: number;
  /** The Stage_History step: calls, rows and deals read, deals left queued at the end. */
  history: { calls: number; rows: number; deals: number; queued: number };
}

/** "CPU per slice: …" with median and max against the budget. */
export function sliceCpuText(
  r: { sliceCpuMs: number[]; budgetMs: number; fetched: number; stored: number },
): string {
  const sorted = [...r.sliceCpuMs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const max = sorted.at(-1) ?? 0;
  const over = sorted.filter((x) => x > r.budgetMs).length;
  return `${sorted.length} slices; fetched ${r.fetched} / new or changed ${r.stored} = ${
    (r.fetched / Math.max(1, r.stored)).toFixed(3)
  }; CPU per slice: median ${median.toFixed(0)} ms, max ${
    max.toFixed(0)
  } ms (budget ${r.budgetMs} ms, ZOHO_CPU_BUDGET_MS; ${
    over === 0 ? "all under it" : `${over} over it`
  })`;
}

/** CPU seconds (user + system) of a process, from /proc. */
async function cpuOf(pid: number | "self"): Promise<number> {
  const fields = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** What the two cores did during a sync: CPU seconds of each party. */
export interface CpuSplit {
  sim: number;
  sync: number;
  postgres: number;
}

/**
 * Runs the sync in its own process (the simulator stays in this one), so its time and its peak
 * memory are the sync's alone. Postgres CPU is the backends' own /proc counters: read by the
 * child when the sync ends (before its pool closes), or at the last 200 ms poll for a backend
 * that closed earlier, minus what each backend had used before the sync started (the scratch
 * pool's backends applied the migrations).
 */
export async function syncInChild(
  db: ScratchDb,
  env: Record<string, string>,
): Promise<ChildReport & { cpu: CpuSplit }> {
  const sim0 = await cpuOf("self");
  const before = await backendPids(db);
  const baseline = new Map<number, number>();
  for (const pid of before) await cpuOf(pid).then((c) => baseline.set(pid, c), () => {});
  const backends = new Map<number, number>();
  const poll = setInterval(async () => {
    for (const pid of await backendPids(db)) {
      await cpuOf(pid).then((c) => backends.set(pid, c), () => {});
    }
  }, 200);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--v8-flags=${V8_FLAGS.join(",")}`,
      fileURLToPath(import.meta.url),
      "--child",
    ],
    // glibc gives each of the runtime's threads its own malloc arena; fetch and socket buffers
    // freed in one thread's arena are not reused by another, so the resident set grew ~10 MB
    // beyond what is live (1M leads: 130 MB with per-thread arenas, 123 MB with two, same run).
    env: { MALLOC_ARENA_MAX: "2", ...env },
    stdout: "piped",
  }).spawn();
  const out = await child.output();
  clearInterval(poll);
  const sim = (await cpuOf("self")) - sim0;
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) throw new Error(`Cannot run the sync child: exit code ${out.code}`);
  const report = JSON.parse(text.split("\n").at(-1)!) as ChildReport;
  for (const [pid, c] of Object.entries(report.backends)) {
    backends.set(Number(pid), Math.max(c, backends.get(Number(pid)) ?? 0));
  }
  let postgres = 0;
  for (const [pid, c] of backends) postgres += c - (baseline.get(pid) ?? 0);
  return { ...report, cpu: { sim, sync: report.cpuSeconds, postgres } };
}

async function backendPids(db: ScratchDb): Promise<number[]> {
  const rows = await db.sql<{ pid: number }[]>`select pid from pg_stat_activity
    where datname = current_database()`;
  return rows.map((r) => r.pid);
}

/**
 * V8 limits of the sync process, as an Edge isolate has them (last resort, printed with the
 * figures): without them V8 grows the young generation to 2 x 16 MB semi-spaces and lets old
 * space reach ~4x a ~25 MB live set, so the 1M-lead sync peaked at 291 MB while its live data
 * (pages in flight plus two batches) stays bounded. Fewer pages in flight or a leaner parse did
 * not move the peak (222-233 MB at 20k leads); these flags give 114 MB at the same speed.
 */
export const V8_FLAGS = ["--max-semi-space-size=2", "--max-old-space-size=96"];

export function cpuText(c: CpuSplit): string {
  return `CPU s: simulator ${c.sim.toFixed(1)}, sync ${c.sync.toFixed(1)}, ` +
    `Postgres backends ${c.postgres.toFixed(1)} (their /proc counters at the sync's end)`;
}

export async function countRecords(db: ScratchDb): Promise<number> {
  return ((await db.sql`select count(*)::int as n from zoho.records`)[0]?.n ?? 0) as number;
}

if (import.meta.main && Deno.args.includes("--child")) {
  const t0 = performance.now();
  const { calls, fetched, stored, history, backends, sliceCpuMs, budgetMs } = await syncUntilDone(
    Deno.env.toObject() as Record<string, string>,
  );
  const seconds = (performance.now() - t0) / 1000;
  const status = await Deno.readTextFile("/proc/self/status");
  const hwmMb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  await closeAllSql();
  const cpuSeconds = await cpuOf("self");
  console.log(
    JSON.stringify(
      {
        seconds,
        calls,
        fetched,
        stored,
        hwmMb,
        cpuSeconds,
        backends,
        sliceCpuMs,
        budgetMs,
        history,
      } satisfies ChildReport,
    ),
  );
  Deno.exit(0);
}
