/**
 * `deno task bench [name...]`: runs benchmarks that print ratios measured side by side in one
 * run. Each benchmark is a module `scripts/bench/<name>.ts` exporting `run(args)`; with no name,
 * every registered one runs.
 */
import { pathToFileURL } from "node:url";

/** Registered benchmarks: name → what it measures. */
const BENCHMARKS: Record<string, string> = {
  sync: "zoho-sync ingest vs COPY, latency-bound pages/s vs ceiling, peak memory on 1M leads",
  metrics: "full KPI snapshot on 1M leads vs one sequential scan of the raw records",
  dashboard: "dashboard page server time on 1M leads vs the snapshot query alone",
  brief: "the brief check's cost vs the whole generate-brief call; prompt tokens; real model",
};

async function main(args: string[]): Promise<number> {
  const names = args.filter((a) => !a.startsWith("-"));
  const selected = names.length ? names : Object.keys(BENCHMARKS);
  for (const name of selected) {
    if (!(name in BENCHMARKS)) {
      console.error(`Unknown benchmark ${name}: choose from ${Object.keys(BENCHMARKS).join(", ")}`);
      return 2;
    }
  }
  for (const name of selected) {
    console.log(`\n== bench ${name}: ${BENCHMARKS[name]}`);
    const mod = await import(pathToFileURL(new URL(`./${name}.ts`, import.meta.url).pathname).href);
    await mod.run(args.filter((a) => a.startsWith("-")));
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
