/**
 * `deno task demo`: the main job end to end on the built-in defaults, against the local stack
 * and its Zoho simulator (the demo company "AHA Smart Homes"). The run starts the way pg_cron
 * starts it, `select pipeline.start_run(...)`: Postgres queues the first stage through pg_net,
 * each function reports back and Postgres queues the next. This script only starts the run,
 * follows it stage by stage, and prints what it produced and where the data is.
 */
import postgres from "postgres";
import { dashboardLink } from "./dashboard_link.ts";
import {
  RunBusyError,
  type RunStatus,
  runStatus,
  startRun,
} from "../../supabase/functions/_shared/pipeline/runs.ts";
import { follow, formatCounts, seconds } from "../run/progress.ts";
import { printOutputs } from "./demo_outputs.ts";

type Env = Record<string, string>;

function parseEnv(text: string): Env {
  return Object.fromEntries(
    text.split("\n").filter((l) => l.includes("=")).map((l) => {
      const i = l.indexOf("=");
      return [l.slice(0, i), l.slice(i + 1)];
    }),
  );
}

/** The demo company's "today" is the simulator's clock (its data is anchored there). */
async function simulatorDate(env: Env): Promise<string> {
  const res = await fetch(`${env.ZOHO_SIM_URL}/__sim/clock`);
  const { now } = await res.json() as { now: number };
  return new Date(now * 1000).toISOString().slice(0, 10);
}

/** The demo's WhatsApp recipients (fictional 555-01xx numbers); one has not opted in. */
const DEMO_RECIPIENTS = [
  { name: "Dana Whitfield", phone: "+15555550101", role: "CRO", opted_in: true },
  { name: "Marco Alvarez", phone: "+15555550102", role: "VP Sales", opted_in: true },
  { name: "Ines Duarte", phone: "+15555550103", role: "Finance", opted_in: false },
];

/** The demo's admin settings: a revenue target for the demo quarter, and WhatsApp recipients. */
async function seedDemoSettings(sql: postgres.Sql, asOf: string): Promise<void> {
  await sql`
    insert into analytics.revenue_targets (quarter_start, amount)
    select date_trunc('quarter', ${asOf}::date)::date, 120000
    on conflict do nothing`;
  await sql`
    insert into whatsapp.recipients ${sql(DEMO_RECIPIENTS, "name", "phone", "role", "opted_in")}
    on conflict (phone) do nothing`;
}

/** Starts the run (or joins the one already running) as pg_cron would. */
async function start(sql: postgres.Sql, asOf: string): Promise<string> {
  console.log(
    `Starting a run the way pg_cron does: select pipeline.start_run('demo', ` +
      `'{"as_of": "${asOf}"}')\n(Postgres sends each stage to its function through pg_net; ` +
      "each function reports back and Postgres sends the next)\n",
  );
  try {
    return (await startRun(sql, "demo", { as_of: asOf })).id;
  } catch (e) {
    if (!(e instanceof RunBusyError)) throw e;
    console.log(`Run ${e.runningRunId} is already running: following it.\n`);
    return e.runningRunId;
  }
}

/** How much the sync had to read, against what is stored. */
async function syncSummary(sql: postgres.Sql, run: RunStatus): Promise<string> {
  const sync = run.stages.find((s) => s.stage === "sync");
  if (!sync || sync.status !== "succeeded") return "";
  const [prev] = await sql<{ n: number }[]>`
    select count(*)::int as n from zoho.sync_runs
    where run_id <> ${run.id} and started_at < ${run.started_at}`;
  const [stored] = await sql<{ n: number }[]>`select count(*)::int as n from zoho.records`;
  const fetched = Number(sync.counts.fetched ?? 0);
  const calls = Number(sync.counts.api_calls ?? 0);
  const nf = new Intl.NumberFormat("en-US");
  const changed = Number(sync.counts.inserted ?? 0) + Number(sync.counts.updated ?? 0);
  return prev!.n > 0
    ? `Incremental sync: read only ${nf.format(fetched)} records modified since the last cursor ` +
      `(${nf.format(changed)} new or changed) of ${nf.format(stored!.n)} stored, in ` +
      `${nf.format(calls)} API calls and ${sync.slices} slice(s).`
    : `First sync: read all ${nf.format(fetched)} records (${nf.format(stored!.n)} stored) in ` +
      `${nf.format(calls)} API calls and ${sync.slices} slice(s); the next run is incremental.`;
}

/** Runs the pipeline and prints each stage's result; returns the exit code. */
export async function runDemo(envText: string): Promise<number> {
  const env = parseEnv(envText);
  if (!env.ZOHO_SIM_URL) {
    console.error("The demo needs the Zoho simulator, which this stack did not start");
    return 1;
  }
  const sql = postgres(env.SUPABASE_DB_URL!, { max: 2, onnotice: () => {} });
  try {
    const asOf = await simulatorDate(env);
    await seedDemoSettings(sql, asOf);
    const id = await start(sql, asOf);
    const run = await follow(async () => (await runStatus(sql, id))!, { intervalMs: 200 });
    console.log("\nStages:");
    for (const s of run.stages) {
      console.log(
        `  ${s.stage.padEnd(8)} ${s.status.padEnd(9)} ${seconds(s.duration_ms).padStart(7)}  ` +
          `${formatCounts(s.counts)}${s.error ? `  (${s.error})` : ""}`,
      );
    }
    if (run.status !== "succeeded") {
      console.error(`\nThe run ${run.status}: ${run.error ?? "no reason recorded"}`);
      return 1;
    }
    const summary = await syncSummary(sql, run);
    if (summary) console.log(`\n${summary}`);
    await printOutputs(sql, { env, run });
    console.log(`\nDashboard (signed link, valid 24 h): ${await dashboardLink(env)}`);
    console.log(`
Where the data is (${env.SUPABASE_DB_URL}):
  select * from pipeline.run_overview order by started_at desc;  -- runs, each stage's timing
  select * from pipeline.stages where run_id = '${run.id}';
  select * from zoho.records limit 5;       -- every Zoho record, whole, as JSONB (every version:
                                            -- zoho.record_versions)
  select * from analytics.snapshots where run_id = '${run.id}';
  select * from brief.briefs where run_id = '${run.id}';
  select * from whatsapp.outbox order by created_at desc limit 5;
Admin API: curl -H "Authorization: Bearer $SUPABASE_SERVICE_ROLE_KEY" \\
  ${env.FUNCTIONS_URL}/pipeline/runs/${run.id}
The stack keeps running: ${env.SUPABASE_URL} (deno task stop ends it).`);
    return 0;
  } finally {
    await sql.end();
  }
}
