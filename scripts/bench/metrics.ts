/**
 * `deno task bench metrics`: the full KPI snapshot (analytics.compute_snapshot) on the demo
 * company, against one sequential scan of zoho.records that reads every record's JSON, measured
 * in the same run on the same database. The company is loaded once into a database of its own
 * (`bench_metrics_<leads>`, kept between runs; `--fresh` reloads it). Flags: `--leads=N`
 * (default 1,000,000), `--as-of=YYYY-MM-DD` (default 2026-03-04, the dataset's "now"), `--runs=N`,
 * `--delta=N` (leads per daily delta, default 1% of the leads: the daily change issue 25 sizes),
 * `--ingest=N` (leads for the trigger-overhead figure, default 100,000; 0 skips it). Each run
 * prints the full snapshot (no change since the last) and the daily one (after the delta) in
 * sequential scans, beside issue 25's targets (at most 1.5 and 0.3 scans). Both sides are timed
 * warm: the scan after a scan, the snapshots after a first (printed) snapshot. The scan is timed
 * before the full snapshot and again right after the daily one: the daily snapshot is printed
 * against both.
 *
 * Honesty: the fact tables (analytics.f_*) are kept by triggers on zoho.records and
 * zoho.record_versions as the sync writes. Each run therefore first writes a daily sync delta
 * through the real writer (new and changed leads, deals changing stage, calls), ending as a sync
 * slice ends (analytics.settle_facts: the deferred fact work, timed and printed on its own), then times
 * analytics.compute_snapshot exactly as compute-metrics calls it (catch-up of deferred facts,
 * every KPI, the stored row), in one transaction that is rolled back so the database stays as
 * loaded; the dead rows that leaves are vacuumed (and the tables analyzed) before each run's
 * scan, so they neither slow the scan (the ratio's denominator) nor the snapshot, nor leave its
 * plan to a wrong row count. The one-off full fact build (a new
 * database, a crash, a settings change) is timed and printed separately.
 */
import { join } from "node:path";
import postgres from "postgres";
import { ROOT } from "../local/config.ts";
import { applyMigrations, applyStandIns } from "../local/migrate.ts";
import {
  alignDemoVersions,
  loadDemoCompany,
} from "../../supabase/functions/tests/_demo_company.ts";
import { dailyDelta, ingestLeads } from "./metrics_delta.ts";
import { computeSnapshot } from "../../supabase/functions/_shared/metrics/snapshot.ts";
import { processCpuMs } from "../../supabase/functions/_shared/sync/budget.ts";
import { adminUrl } from "../local/scratch_db.ts";

const ADMIN_URL = () => adminUrl("run the benchmark");

function flag(args: string[], name: string, fallback: string): string {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

/** Opens (creating and loading when needed) the benchmark database for `leads` leads. */
export async function benchDatabase(leads: number, fresh: boolean): Promise<postgres.Sql> {
  const name = `bench_metrics_${leads}`;
  const admin = postgres(ADMIN_URL(), { max: 1, onnotice: () => {} });
  let exists: boolean;
  try {
    if (fresh) await admin.unsafe(`drop database if exists ${name} with (force)`);
    exists = (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
    if (!exists) await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL());
  url.pathname = `/${name}`;
  const sql = postgres(url.href, { max: 1, onnotice: () => {} });
  if (!exists) await applyStandIns(sql, join(ROOT, "scripts/local/sql"));
  try {
    await applyMigrations(sql, join(ROOT, "supabase/migrations"));
  } catch (e) {
    await sql.end();
    const detail = e instanceof Error ? e.message.replace(/: recreate .*$/, "") : String(e);
    throw new Error(`${detail} in ${name}: reload it with --fresh`);
  }
  const [{ n }] = await sql`select count(*)::int as n from zoho.records` as unknown as [
    { n: number },
  ];
  if (n === 0) {
    const t0 = performance.now();
    console.log(`loading the demo company (${leads} leads) into ${name} ...`);
    const loaded = await loadDemoCompany(sql, { leads });
    await sql`vacuum analyze zoho.records`;
    await sql`vacuum analyze zoho.record_versions`;
    console.log(
      `loaded ${loaded.records} records, ${loaded.versions} deal versions in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s`,
    );
  }
  const aligned = await alignDemoVersions(sql);
  if (aligned > 0) console.log(`aligned zoho.records.version of ${aligned} demo deals`);
  return sql;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Fact tables the write triggers and snapshots touch (vacuumed between runs). */
const FACT_TABLES = [
  "f_leads",
  "f_deals",
  "f_activities",
  "f_touches",
  "f_touches_dirty",
  "f_deal_versions",
  "f_stage_entries",
  "f_deal_pushes",
  "f_first_wins",
  "f_forecast_obs",
  "f_open_deal_signals",
  "f_stage_rate_deals",
].map((t) => `analytics.${t}`).join(", ");

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** One sequential scan that reads every record's JSON (detoasting it), as a KPI must. */
const scan = (sql: postgres.Sql) =>
  sql`select count(*) from zoho.records where data ->> 'id' is not null`;

/** The better of two scans, as the cache leaves them. */
async function scanMs(sql: postgres.Sql): Promise<number> {
  return Math.min(await timed(() => scan(sql)), await timed(() => scan(sql)));
}

/** Marks the end of a measurement transaction: everything it wrote is rolled back. */
class Rollback extends Error {}

async function rolledBack(sql: postgres.Sql, fn: (tx: postgres.TransactionSql) => Promise<void>) {
  try {
    await sql.begin(async (tx) => {
      await fn(tx);
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
}

/** Milliseconds of one snapshot as compute-metrics asks for it, rolled back (nothing stored). */
async function snapshotMs(sql: postgres.Sql, asOf: string): Promise<number> {
  let ms = 0;
  await rolledBack(sql, async (tx) => {
    ms = await timed(() => tx`select analytics.compute_snapshot(${asOf}::date, null)`);
  });
  return ms;
}

/** Builds the fact tables when they are not ready (once per database), timed. */
async function ensureFacts(sql: postgres.Sql): Promise<void> {
  const [ready] = await sql`select exists (select from analytics.facts_built) as ok`;
  if (ready?.ok) return;
  const ms = await timed(() => sql`select analytics.refresh_facts()`);
  console.log(`full fact build (once per database; after a crash or settings change): ${sec(ms)}`);
}

/** Time to write `n` new leads through the sync writer with and without the fact triggers. */
async function ingestOverhead(sql: postgres.Sql, n: number): Promise<void> {
  let off = { ms: 0, disabled: [] as string[] };
  let on = { ms: 0, disabled: [] as string[] };
  await rolledBack(sql, async (tx) => void (off = await ingestLeads(tx, { n, triggers: false })));
  await rolledBack(sql, async (tx) => void (on = await ingestLeads(tx, { n, triggers: true })));
  console.log(
    `ingest of ${n} new leads via the sync writer: ${sec(on.ms)} with fact triggers, ${
      sec(off.ms)
    } with every fact trigger off (${off.disabled.join(", ")}) (+${
      ((on.ms / off.ms - 1) * 100).toFixed(1)
    } %)`,
  );
}

/** Runs the benchmark and prints its figures. */
export async function run(args: string[]): Promise<void> {
  const leads = Number(flag(args, "leads", "1000000"));
  const asOf = flag(args, "as-of", "2026-03-04");
  const runs = Number(flag(args, "runs", "1"));
  const delta = Number(flag(args, "delta", String(Math.max(1, Math.round(leads / 100)))));
  const ingest = Number(flag(args, "ingest", "100000"));
  const sql = await benchDatabase(leads, args.includes("--fresh"));
  try {
    const [size] = await sql`select count(*)::bigint as records,
      pg_size_pretty(pg_total_relation_size('zoho.records')) as size from zoho.records`;
    console.log(`zoho.records: ${size?.records} rows, ${size?.size}`);
    await ensureFacts(sql);
    // Warm the cache once so both measurements read hot pages: the scan reads every record's
    // JSON (the TOAST table too, which a bare count(*) leaves cold; a cold scan took 4.95 s
    // against 2.55 s hot on the 1M-lead demo, and the snapshot reads hot fact tables).
    await scan(sql);
    // And the snapshot's side: one snapshot (rolled back) reads the facts and rollups into the
    // cache, as the scan above reads the records. Its time is printed, not compared: the first
    // snapshot after other work on the machine took 5.24 s against 3.40-3.44 s warm at 1M.
    const coldMs = await snapshotMs(sql, asOf);
    console.log(
      `first snapshot of this run (warms the facts' pages; not a target): ${sec(coldMs)}`,
    );
    for (let i = 0; i < runs; i++) {
      // Every run rolls back a delta: its dead rows would slow the scan (the ratio's denominator)
      // and the fact tables. Vacuum and analyze as autovacuum would, outside the timings. A
      // vacuum alone re-estimates a table's rows from the pages it visits, and those are the
      // pages the rolled-back delta emptied: after many runs zoho.records was estimated at 672k
      // rows of 3.06M, the scan planned without parallel workers took 6.6-8.4 s against 3.3-4.8,
      // and the ratio looked twice as good as it was.
      await sql`vacuum analyze zoho.records, zoho.record_versions`;
      await sql.unsafe(`vacuum analyze ${FACT_TABLES}`);
      // And write out what the vacuum dirtied, as the checkpointer does long before the next
      // day's sync: left in shared buffers, the daily snapshot (which needs buffers after the
      // delta) wrote those pages itself (run 1 of one run: 2.09 s, runs 2-3 1.36 s).
      await sql`checkpoint`;
      const [dead] = await sql`select n_dead_tup::bigint as n from pg_stat_user_tables
        where relid = 'zoho.records'::regclass`;
      const scanBeforeMs = await scanMs(sql);
      // The full snapshot: every KPI over every fact, nothing changed since the facts were built.
      const fullMs = await snapshotMs(sql, asOf);
      let deltaMs = 0;
      let written = 0;
      let settleMs = 0;
      let snapMs = 0;
      let hash = "";
      let fnCpuMs = 0;
      let fnCpuMax = 0;
      let fnWallMs = 0;
      await rolledBack(sql, async (tx) => {
        deltaMs = await timed(async () => {
          ({ written, settleMs } = await dailyDelta(tx, delta));
        });
        // The snapshot as compute-metrics runs it after that sync: catch up, every KPI, store.
        snapMs = await timed(async () => {
          const [row] = await tx`select analytics.compute_snapshot(${asOf}::date, null) as s`;
          hash = (row?.s as { content_hash: string }).content_hash;
        });
        // The function's own share, as its request spends it (the call compute-metrics makes:
        // query, JSON text, parse and zod check), on CPU of this process; the rest is Postgres.
        // Process CPU also counts background threads (GC of the delta above): median of three.
        const calls: number[] = [];
        for (let k = 0; k < 3; k++) {
          const cpu0 = processCpuMs();
          fnWallMs = await timed(() => computeSnapshot(tx as unknown as postgres.Sql, { asOf }));
          calls.push(processCpuMs() - cpu0);
        }
        calls.sort((a, b) => a - b);
        fnCpuMs = calls[1]!;
        fnCpuMax = calls[2]!;
      });
      // The scan again, right after the daily snapshot's transaction: this machine's speed moved
      // by up to a third within a minute (the same CPU-only query 641 → 879 ms, nothing else
      // running), and the delta takes 9-12 s, so the daily snapshot is also set against the scan
      // timed next to it. Both ratios are printed.
      const scanAfterMs = await scanMs(sql);
      console.log(
        `run ${i + 1}: sync delta of ${written} records through the writer ${sec(deltaMs)} ` +
          `(of it the slice-end settle ${sec(settleMs)}); ` +
          `snapshot ${sec(snapMs)} (content_hash ${hash.slice(0, 12)}…), seq scan ${
            sec(scanBeforeMs)
          } (${dead?.n} dead rows), ratio ${
            (snapMs / scanBeforeMs).toFixed(2)
          } scans (target <= 3, and < 10 s)`,
      );
      const [records] = await sql`select count(*)::bigint as n from zoho.records`;
      console.log(
        `run ${i + 1}: full snapshot ${sec(fullMs)} = ${
          (fullMs / scanBeforeMs).toFixed(2)
        } scans ` +
          `(issue 25 target <= 1.5); daily snapshot after a ${
            (100 * written / Number(records!.n)).toFixed(2)
          }% change (${written} of ${records!.n} records) ${sec(snapMs)} = ${
            (snapMs / scanBeforeMs).toFixed(2)
          } scans of the scan before the delta, ${
            (snapMs / scanAfterMs).toFixed(2)
          } of the scan right after it (${sec(scanAfterMs)}) (issue 25 target <= 0.3)`,
      );
      console.log(
        `run ${i + 1}: compute-metrics' own CPU per request ${fnCpuMs.toFixed(0)} ms median of 3 ` +
          `(max ${fnCpuMax.toFixed(0)} ms) ` +
          `(request ${sec(fnWallMs)} wall, the rest in Postgres; hosted limit ~2,000 ms CPU)`,
      );
    }
    if (ingest > 0) await ingestOverhead(sql, ingest);
  } finally {
    await sql.end();
  }
}
