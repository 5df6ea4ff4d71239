/**
 * `deno task bench dashboard`: server time of the dashboard page on the demo company (default
 * 1,000,000 leads, the database `deno task bench metrics` builds and keeps), next to the time of
 * the snapshot query alone, in the same run on the same database. Flags: `--leads=N`,
 * `--as-of=YYYY-MM-DD`, `--rounds=N` (default 3).
 *
 * What is timed, per filter the page offers (each period × all sources and each source): the handler end to end in
 * process (access check, `dashboard.page` SQL, HTML and SVG charts), uncached (first time this
 * data is rendered in the isolate) and cached (same data again: the rendered panels are reused);
 * the `dashboard.page` SQL alone; and the snapshot query alone (the latest snapshot's row). CPU
 * time of the render is printed beside its wall time, since the machine is shared. The rollups
 * the page reads are built once per snapshot by compute-metrics after the snapshot: their build
 * time is printed beside the snapshot's.
 */
import process from "node:process";
import { closeAllSql, getSql } from "../../supabase/functions/_shared/db.ts";
import { PERIODS } from "../../supabase/functions/_shared/dashboard/data.ts";
import { buildDashboardRollups } from "../../supabase/functions/_shared/dashboard/rollups.ts";
import { createApp } from "../../supabase/functions/dashboard/app.ts";
import { benchDatabase } from "./metrics.ts";
import { adminUrl } from "../local/scratch_db.ts";

const KEY = "bench-service-role-key-0123456789abcdef";

function flag(args: string[], name: string, fallback: string): string {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

const ms = (v: number) => `${v.toFixed(0)} ms`;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs the benchmark and prints its figures. */
export async function run(args: string[]): Promise<void> {
  const leads = Number(flag(args, "leads", "1000000"));
  const asOf = flag(args, "as-of", "2026-03-04");
  const rounds = Number(flag(args, "rounds", "3"));
  const setup = await benchDatabase(leads, args.includes("--fresh"));
  const url = new URL(
    adminUrl("run the benchmark"),
  );
  url.pathname = `/bench_metrics_${leads}`;
  try {
    const [ready] = await setup`select exists (select from analytics.facts_built) as ok`;
    if (!ready?.ok) await setup`select analytics.refresh_facts()`;
    const t0 = performance.now();
    const [snap] = await setup`select (analytics.compute_snapshot(${asOf}::date, null) ->> 'id')
      as id`;
    const snapMs = performance.now() - t0;
    const t1 = performance.now();
    await buildDashboardRollups(setup, snap!.id);
    const buildMs = performance.now() - t1;
    const [counts] = await setup`select
      (select count(*) from dashboard.daily where snapshot_id = ${snap!.id})::int as daily,
      (select count(*) from dashboard.risky_deals where snapshot_id = ${snap!.id})::int as risky,
      (select count(*) from analytics.f_leads)::int as leads`;
    console.log(
      `compute_snapshot ${ms(snapMs)}, then the dashboard rollups (compute-metrics builds them ` +
        `after the snapshot) ${ms(buildMs)}: ${counts!.daily} daily rows, ${
          counts!.risky
        } at-risk deals, ${counts!.leads} leads`,
    );

    const sql = getSql(url.href);
    const env = { SUPABASE_DB_URL: url.href, SUPABASE_SERVICE_ROLE_KEY: KEY };
    const app = createApp({ env: () => env });
    // Every filter the page offers: each period, for all sources and for each source it lists.
    const sources = await sql`select lead_source from dashboard.daily
      where snapshot_id = ${snap!.id} group by 1 order by sum(leads) desc`;
    const filters = PERIODS.flatMap((p) => [
      `period=${p}`,
      ...sources.map((s) => `period=${p}&source=${encodeURIComponent(s.lead_source)}`),
    ]);
    const request = async (q: string) => {
      const c0 = cpuMs();
      const t = performance.now();
      const res = await app.request(`/dashboard?${q}`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`dashboard answered ${res.status}: ${body}`);
      return { wall: performance.now() - t, cpu: cpuMs() - c0, bytes: body.length };
    };
    const boot = await request("period=qtd");
    console.log(`first request of the isolate (module init, JIT, pool): ${ms(boot.wall)}`);

    const snapshotQuery: number[] = [];
    const pageSql: number[] = [];
    const uncached: number[] = [];
    const uncachedCpu: number[] = [];
    const cached: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const q of filters) {
        let t = performance.now();
        await sql`select kpis, brief from analytics.snapshots order by created_at desc limit 1`;
        snapshotQuery.push(performance.now() - t);
        const p = new URLSearchParams(q);
        t = performance.now();
        await sql`select dashboard.page(${p.get("period")}, ${p.get("source")})::text`;
        pageSql.push(performance.now() - t);
        // Round 1: first time this filter is rendered here (panels it shares with filters seen
        // before, e.g. as-of figures, are reused); later rounds: the same data again.
        const m = await request(q);
        if (r === 0) {
          uncached.push(m.wall);
          uncachedCpu.push(m.cpu);
        } else cached.push(m.wall);
      }
    }
    const snapQ = median(snapshotQuery);
    console.log(`snapshot query alone (latest row, kpis + brief): median ${ms(snapQ)}`);
    console.log(`dashboard.page SQL alone: median ${ms(median(pageSql))}`);
    console.log(
      `page, first request of each of the ${filters.length} filters (${PERIODS.length} periods × ` +
        `all and ${sources.length} sources): median ${ms(median(uncached))} (max ${
          ms(Math.max(...uncached))
        }; CPU median ${ms(median(uncachedCpu))}), ${
          (median(uncached) / snapQ).toFixed(1)
        }× the snapshot query (target < 500 ms)`,
    );
    if (cached.length) {
      console.log(
        `page, same filter again (every panel reused): median ${ms(median(cached))}, ${
          (median(cached) / snapQ).toFixed(1)
        }× the snapshot query`,
      );
    }
  } finally {
    await closeAllSql();
    await setup.end();
  }
}
