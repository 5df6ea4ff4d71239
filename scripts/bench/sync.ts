/**
 * `deno task bench sync`: three figures measured in one run.
 * 1. ingest: records/s of a full Leads sync from a zero-latency simulator into Postgres ÷
 *    records/s of a plain COPY of the same JSON rows into a same-shaped table (target ≥ 0.5);
 * 2. latency-bound: pages/s with 250 ms per page and concurrency 10 ÷ the ceiling 10 / 0.25 s
 *    (target ≥ 0.8);
 * 3. peak memory (VmHWM) of a sync process reading 1,000,000 leads (target ≤ 150 MB).
 * Flags: --ingest-leads=N --latency-leads=N --memory-leads=N (0 skips a part).
 */
import { fileURLToPath } from "node:url";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { startZohoSim, type ZohoSim } from "../zoho-sim/server.ts";
import { createSyncDb } from "../../supabase/functions/_shared/sync/test_db.ts";
import { runSync } from "../../supabase/functions/_shared/sync/engine.ts";
import { loadZohoEnv } from "../../supabase/functions/_shared/zoho/config.ts";
import { closeAllSql, getSql } from "../../supabase/functions/_shared/db.ts";

function flag(args: string[], name: string, fallback: number): number {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split("=")[1]) : fallback;
}

function simEnv(sim: ZohoSim, dbUrl: string, extra: Record<string, string> = {}) {
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

async function syncUntilDone(env: Record<string, string>) {
  const parsed = loadZohoEnv(env);
  const sql = getSql(parsed.SUPABASE_DB_URL, { max: 8 });
  let runId: string | undefined;
  let calls = 0;
  for (;;) {
    const out = await runSync({ sql, env: parsed }, {
      modules: ["Leads"],
      mode: runId ? undefined : "full",
      budgetMs: 400_000,
      runId,
    });
    runId = out.run_id;
    calls += out.modules.reduce((n, m) => n + m.api_calls, 0);
    if (out.status === "done") return { calls, modules: out.modules };
  }
}

async function ingest(leads: number) {
  const db = await createSyncDb("bench_ingest");
  const sim = await startZohoSim({ port: 0, size: { leads }, limits: { credits: 100_000_000 } });
  try {
    const t0 = performance.now();
    await syncUntilDone(simEnv(sim, db.url, { ZOHO_CONCURRENCY: "10", ZOHO_SEGMENTS: "8" }));
    const syncSeconds = (performance.now() - t0) / 1000;
    const n = ((await db.sql`select count(*)::int as n from zoho.records`)[0]?.n ?? 0) as number;
    await db.sql`create table bench_copy (module text, id text, data jsonb,
      modified_time timestamptz, content_hash text)`;
    const rows = await db.sql`select module, id, data::text as data, modified_time::text as mt,
      content_hash from zoho.records` as {
      module: string;
      id: string;
      data: string;
      mt: string;
      content_hash: string;
    }[];
    const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n");
    const t1 = performance.now();
    const stream = await db.sql`copy bench_copy from stdin`.writable();
    await pipeline(
      Readable.from(
        rows.map((r) => `${r.module}\t${r.id}\t${esc(r.data)}\t${r.mt}\t${r.content_hash}\n`),
      ),
      stream,
    );
    const copySeconds = (performance.now() - t1) / 1000;
    const syncRate = n / syncSeconds;
    const copyRate = n / copySeconds;
    console.log(
      `ingest: ${n} records; sync ${syncRate.toFixed(0)} rec/s, COPY ${
        copyRate.toFixed(0)
      } rec/s, ratio ${(syncRate / copyRate).toFixed(2)} (target >= 0.5)`,
    );
  } finally {
    await closeAllSql();
    await sim.close();
    await db.drop();
  }
}

async function latency(leads: number) {
  const db = await createSyncDb("bench_latency");
  const sim = await startZohoSim({ port: 0, size: { leads }, limits: { credits: 100_000_000 } });
  try {
    sim.controls.faults.add({ kind: "slow", delayMs: 250, path: "/crm/v7/Leads" });
    const t0 = performance.now();
    const { calls } = await syncUntilDone(
      simEnv(sim, db.url, { ZOHO_CONCURRENCY: "10", ZOHO_SEGMENTS: "10" }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const pages = sim.controls.log.entries().filter((e) => e.path.includes("/crm/v7/Leads")).length;
    const rate = pages / seconds;
    console.log(
      `latency: ${pages} delayed calls (${calls} total) in ${seconds.toFixed(1)} s = ${
        rate.toFixed(1)
      } pages/s; ceiling 40; ratio ${(rate / 40).toFixed(2)} (target >= 0.8)`,
    );
  } finally {
    await closeAllSql();
    await sim.close();
    await db.drop();
  }
}

async function memory(leads: number) {
  const db = await createSyncDb("bench_memory");
  const sim = await startZohoSim({ port: 0, size: { leads }, limits: { credits: 100_000_000 } });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", fileURLToPath(import.meta.url), "--child"],
      env: simEnv(sim, db.url, { ZOHO_CONCURRENCY: "10", ZOHO_SEGMENTS: "8" }),
      stdout: "piped",
    }).spawn();
    const t0 = performance.now();
    const out = new TextDecoder().decode((await child.output()).stdout).trim();
    const seconds = (performance.now() - t0) / 1000;
    const n = ((await db.sql`select count(*)::int as n from zoho.records`)[0]?.n ?? 0) as number;
    console.log(`memory: ${n} leads synced in ${seconds.toFixed(0)} s; ${out} (target <= 150 MB)`);
  } finally {
    await sim.close();
    await db.drop();
  }
}

/** Runs the benchmark. */
export async function run(args: string[]): Promise<void> {
  const ingestLeads = flag(args, "ingest-leads", 50_000);
  const latencyLeads = flag(args, "latency-leads", 20_000);
  const memoryLeads = flag(args, "memory-leads", 1_000_000);
  if (ingestLeads > 0) await ingest(ingestLeads);
  if (latencyLeads > 0) await latency(latencyLeads);
  if (memoryLeads > 0) await memory(memoryLeads);
}

if (import.meta.main && Deno.args.includes("--child")) {
  await syncUntilDone(Deno.env.toObject() as Record<string, string>);
  const status = await Deno.readTextFile("/proc/self/status");
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  console.log(`peak RSS of the sync process ${hwm.toFixed(0)} MB`);
  await closeAllSql();
  Deno.exit(0);
}
