/**
 * `deno task bench [name...]`: runs benchmarks that print ratios measured side by side in one
 * run. Each benchmark is a module `scripts/bench/<name>.ts` exporting `run(args)`; with no name,
 * every registered one runs.
 */
import { pathToFileURL } from "node:url";
import { prepareDatabase } from "../local/cli.ts";
import { dbUrl, loadLocalConfig } from "../local/config.ts";
import { stopPostgres } from "../local/postgres.ts";

/** Registered benchmarks: name → what it measures. */
const BENCHMARKS: Record<string, string> = {
  sync: "zoho-sync ingest vs COPY, latency-bound pages/s vs ceiling, peak memory on 1M leads",
  metrics: "full KPI snapshot on {leads} leads vs one sequential scan of the raw records",
  dashboard: "dashboard page server time on {leads} leads vs the snapshot query alone",
  brief: "the brief check's cost vs the whole generate-brief call; prompt tokens; real model",
  webhook: "WhatsApp replies through the gateway: 50 concurrent signed posts, p50/p99 vs the floor",
  forecast: "quarter forecast backtest (P50 and 80% interval vs weighted pipeline); its time at 1M",
};

/** The `--leads=N` a benchmark was given, as the header says it (1M when none). */
function leadsText(args: string[]): string {
  const n = Number(args.find((a) => a.startsWith("--leads="))?.slice("--leads=".length) ?? 1e6);
  return n >= 1e6 && n % 1e6 === 0
    ? `${n / 1e6}M`
    : n >= 1e3 && n % 1e3 === 0
    ? `${n / 1e3}k`
    : `${n}`;
}

async function main(args: string[]): Promise<number> {
  const names = args.filter((a) => !a.startsWith("-"));
  const selected = names.length ? names : Object.keys(BENCHMARKS);
  for (const name of selected) {
    if (!(name in BENCHMARKS)) {
      console.error(`Unknown benchmark ${name}: choose from ${Object.keys(BENCHMARKS).join(", ")}`);
      return 2;
    }
  }
  // The benchmarks need the local database only: start it (and migrate) as `deno task test` does,
  // and stop it afterwards if it was not running.
  const config = loadLocalConfig();
  const { startedPostgres } = await prepareDatabase(config);
  if (!Deno.env.get("SUPABASE_DB_URL")) Deno.env.set("SUPABASE_DB_URL", dbUrl(config));
  try {
    for (const name of selected) {
      console.log(`\n== bench ${name}: ${BENCHMARKS[name]!.replace("{leads}", leadsText(args))}`);
      const url = new URL(`./${name}.ts`, import.meta.url);
      const mod = await import(pathToFileURL(url.pathname).href);
      await mod.run(args.filter((a) => a.startsWith("-")));
    }
  } finally {
    if (startedPostgres) await stopPostgres(config);
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    // One line naming what failed (the cause's own message says what to run).
    console.error(`Cannot run the benchmark: ${(e instanceof Error ? e.message : String(e))}`);
    Deno.exit(1);
  }
}
