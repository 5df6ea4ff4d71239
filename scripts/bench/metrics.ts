/**
 * `deno task bench metrics`: the full KPI snapshot (analytics.compute_snapshot) on the demo
 * company, against one sequential scan of zoho.records that reads every record's JSON, measured
 * in the same run on the same database. The company is loaded once into a database of its own
 * (`bench_metrics_<leads>`, kept between runs; `--fresh` reloads it). Flags: `--leads=N`
 * (default 1,000,000), `--as-of=YYYY-MM-DD` (default 2026-03-04, the dataset's "now"), `--runs=N`.
 */
import { join } from "node:path";
import postgres from "postgres";
import { ROOT } from "../local/config.ts";
import { applyMigrations, applyStandIns } from "../local/migrate.ts";
import { loadDemoCompany } from "../../supabase/functions/tests/_demo_company.ts";

const ADMIN_URL = () =>
  Deno.env.get("SUPABASE_DB_URL") ?? "postgresql://postgres:postgres@127.0.0.1:54322/postgres";

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
  await applyMigrations(sql, join(ROOT, "supabase/migrations"));
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
  return sql;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Runs the benchmark and prints its figures. */
export async function run(args: string[]): Promise<void> {
  const leads = Number(flag(args, "leads", "1000000"));
  const asOf = flag(args, "as-of", "2026-03-04");
  const runs = Number(flag(args, "runs", "1"));
  const sql = await benchDatabase(leads, args.includes("--fresh"));
  try {
    const [size] = await sql`select count(*)::bigint as records,
      pg_size_pretty(pg_total_relation_size('zoho.records')) as size from zoho.records`;
    console.log(`zoho.records: ${size?.records} rows, ${size?.size}`);
    // Warm the cache once so both measurements read the same (hot) pages.
    await sql`select count(*) from zoho.records`;
    for (let i = 0; i < runs; i++) {
      // One sequential scan that reads every record's JSON (detoasting it), as a KPI must.
      const scanMs = await timed(() =>
        sql`select count(*) from zoho.records where data ->> 'id' is not null`
      );
      // The snapshot as compute-metrics runs it: refresh facts, every KPI, store the row.
      const snapMs = await timed(() =>
        sql`select analytics.compute_snapshot(${asOf}::date, null)::text as s`
      );
      console.log(
        `run ${i + 1}: snapshot ${(snapMs / 1000).toFixed(2)} s, seq scan ${
          (scanMs / 1000).toFixed(2)
        } s, ratio ${(snapMs / scanMs).toFixed(2)} scans (target <= 3, and < 10 s)`,
      );
    }
  } finally {
    await sql.end();
  }
}
