/**
 * `deno task bench forecast`: the quarter forecast's backtest and its cost. As of the last day of
 * each week of each of the last 8 completed quarters, analytics.forecast_backtest forecasts the
 * quarter with only what was known that day (the stage entries up to then) and compares it with
 * what the quarter closed at; beside it, the classic weighted-pipeline forecast (won + Σ amount ×
 * Zoho's stage probability over open deals closing in the quarter) on the same days. Printed per
 * week of quarter: the share of quarters whose actual fell inside the 80% interval (P10-P90), and
 * the median absolute percentage error of the P50 and of the baseline, side by side.
 *
 * Runs on the demo company (3,000 leads) and at `--leads=N` (default 1,000,000; 0 skips it),
 * each in its own database (`bench_metrics_<leads>`, shared with `bench metrics`, kept between
 * runs), and times the live forecast (analytics.forecast as of `--as-of`, default 2026-03-04) in
 * Postgres. Flags: `--trials=N` (backtest simulations per forecast, default 500),
 * `--backtest-large` (also backtest the large company: 104 forecasts).
 */
import type postgres from "postgres";
import { benchDatabase } from "./metrics.ts";

function flag(args: string[], name: string, fallback: string): string {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

interface Point {
  week: number;
  p10: number;
  p50: number;
  p90: number;
  baseline: number;
  actual: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : (s[Math.floor((n - 1) / 2)]! + s[Math.ceil((n - 1) / 2)]!) / 2;
}

/** Backtest summary: per week, coverage of P10-P90 and the median APE of P50 and baseline. */
export function summarize(points: Point[]): {
  rows: { week: number; n: number; coverage: number; p50: number; baseline: number }[];
  all: { n: number; coverage: number; p50: number; baseline: number };
  mid: { p50: number; baseline: number };
} {
  const stat = (ps: Point[]) => {
    const ok = ps.filter((p) => p.actual > 0);
    return {
      n: ok.length,
      coverage: 100 * ok.filter((p) => p.actual >= p.p10 && p.actual <= p.p90).length /
        Math.max(ok.length, 1),
      p50: 100 * median(ok.map((p) => Math.abs(p.p50 - p.actual) / p.actual)),
      baseline: 100 * median(ok.map((p) => Math.abs(p.baseline - p.actual) / p.actual)),
    };
  };
  const weeks = [...new Set(points.map((p) => p.week))].sort((a, b) => a - b);
  // Mid-quarter: weeks 6 to 8 (days 36 to 56 of about 91).
  const mid = stat(points.filter((p) => p.week >= 6 && p.week <= 8));
  return {
    rows: weeks.map((w) => ({ week: w, ...stat(points.filter((p) => p.week === w)) })),
    all: stat(points),
    mid: { p50: mid.p50, baseline: mid.baseline },
  };
}

/** Backtests the forecast over 8 quarters as of `asOf` and prints its accuracy by week. */
async function backtest(
  sql: postgres.Sql,
  options: { asOf: string; trials: number; label: string },
) {
  const { asOf, trials, label } = options;
  const t0 = performance.now();
  const rows = await sql<Point[]>`
    select week, p10::float8 as p10, p50::float8 as p50, p90::float8 as p90,
      baseline::float8 as baseline, actual::float8 as actual
    from analytics.forecast_backtest(${asOf}::date, 8, ${trials})`;
  const secs = (performance.now() - t0) / 1000;
  const s = summarize(rows);
  console.log(
    `${label}: backtest of ${rows.length} forecasts (8 quarters × 13 weeks, ${trials} ` +
      `simulations each) in ${secs.toFixed(1)} s`,
  );
  console.log("  week  quarters  80% interval holds actual  P50 error  weighted-pipeline error");
  for (const r of s.rows) {
    console.log(
      `  ${String(r.week).padStart(4)}  ${String(r.n).padStart(8)}  ${
        r.coverage.toFixed(1).padStart(24)
      }%  ${r.p50.toFixed(1).padStart(8)}%  ${r.baseline.toFixed(1).padStart(22)}%`,
    );
  }
  console.log(
    `  all   ${String(s.all.n).padStart(8)}  ${s.all.coverage.toFixed(1).padStart(24)}%  ${
      s.all.p50.toFixed(1).padStart(8)
    }%  ${s.all.baseline.toFixed(1).padStart(22)}%`,
  );
  console.log(
    `  mid-quarter (weeks 6-8): P50 error ${s.mid.p50.toFixed(1)}% vs weighted pipeline ${
      s.mid.baseline.toFixed(1)
    }%: ratio ${(s.mid.p50 / s.mid.baseline).toFixed(2)} (target <= 0.50); 80% interval ` +
      `holds the actual in ${s.all.coverage.toFixed(1)}% of weeks (target 70-90%)`,
  );
}

/** Times the live forecast as of `asOf` (median of `runs`) and prints its figures. */
async function liveForecast(
  sql: postgres.Sql,
  options: { asOf: string; label: string; runs?: number },
) {
  const { asOf, label, runs = 3 } = options;
  const ms: number[] = [];
  let last: Record<string, unknown> = {};
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const [row] = await sql<{ f: Record<string, unknown> }[]>`
      select analytics.forecast(${asOf}::date) as f`;
    ms.push(performance.now() - t0);
    last = row!.f;
  }
  console.log(
    `${label}: live forecast as of ${asOf} in ${median(ms).toFixed(0)} ms (median of ${runs}; ` +
      `max ${Math.max(...ms).toFixed(0)} ms; target < 2,000 ms): ${last.open_deals} open deals, ` +
      `${last.history_observations} deal-weeks of history; P10 ${last.p10}, P50 ${last.p50}, ` +
      `P90 ${last.p90}, chance of target ${
        last.chance_of_target_pct === null ? "n/a (no target set)" : `${last.chance_of_target_pct}%`
      }`,
  );
}

/** Runs the benchmark. */
export async function run(args: string[]): Promise<void> {
  const asOf = flag(args, "as-of", "2026-03-04");
  const leads = Number(flag(args, "leads", "1000000"));
  const trials = Number(flag(args, "trials", "500"));
  const demo = await benchDatabase(3000, false);
  try {
    await demo`select analytics.catch_up_facts()`;
    await liveForecast(demo, { asOf, label: "demo company (3,000 leads)" });
    await backtest(demo, { asOf, trials, label: "demo company (3,000 leads)" });
  } finally {
    await demo.end();
  }
  if (leads > 0) {
    const big = await benchDatabase(leads, false);
    try {
      const t0 = performance.now();
      await big`select analytics.catch_up_facts()`;
      console.log(`facts caught up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      await liveForecast(big, { asOf, label: `${leads.toLocaleString("en-US")} leads` });
      if (args.includes("--backtest-large")) {
        await backtest(big, { asOf, trials, label: `${leads.toLocaleString("en-US")} leads` });
      }
    } finally {
      await big.end();
    }
  }
}
