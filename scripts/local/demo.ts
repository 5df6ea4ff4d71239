/**
 * `deno task demo`: the main job end to end on the built-in defaults, against the local stack
 * and its Zoho simulator (the demo company "AHA Smart Homes"): sync every module, snapshot
 * the KPIs, then write the brief and send its WhatsApp pulse to the Twilio sink. Each stage is called through the gateway with supabase-js, exactly as pg_cron or an
 * admin would; the stages are the PIPELINE table.
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { dashboardLink } from "./dashboard_link.ts";

type Env = Record<string, string>;

interface Stage {
  name: string;
  run(ctx: Context): Promise<string>;
}

interface Context {
  env: Env;
  supabase: SupabaseClient;
  asOf: string;
}

async function invoke(ctx: Context, fn: string, body: Record<string, unknown>) {
  const { data, error } = await ctx.supabase.functions.invoke(fn, { body });
  if (error) {
    const detail = error.context instanceof Response ? await error.context.text() : "";
    throw new Error(`Cannot run ${fn}: ${error.message} ${detail}`);
  }
  return data;
}

/** The daily pipeline, in order. */
const PIPELINE: Stage[] = [
  {
    name: "zoho-sync",
    async run(ctx) {
      // A sync works in budgeted slices: call again with the run id until it is done.
      let runId: string | undefined;
      let slices = 0;
      const totals = new Map<string, number>();
      for (;;) {
        const result = await invoke(ctx, "zoho-sync", runId ? { run_id: runId } : {});
        slices++;
        runId = result.run_id;
        for (const m of result.modules ?? []) {
          totals.set(m.module, (totals.get(m.module) ?? 0) + m.inserted + m.updated);
        }
        if (result.status === "done") break;
      }
      const changed = [...totals].filter(([, n]) => n > 0).map(([m, n]) => `${m} ${n}`);
      return `run ${runId} done in ${slices} slice(s); new or changed: ${
        changed.join(", ") || "none"
      }`;
    },
  },
  {
    name: "compute-metrics",
    async run(ctx) {
      const snap = await invoke(ctx, "compute-metrics", { as_of: ctx.asOf });
      const facts = new Map<string, unknown>(
        (snap.brief?.facts ?? []).map((f: { id: string; value: unknown }) => [f.id, f.value]),
      );
      const pick = ["revenue.qtd", "win_rate.count", "pipeline.open", "coverage.quarter"]
        .map((id) => `${id}=${facts.get(id) ?? "n/a"}`);
      return `snapshot ${snap.id} as of ${snap.as_of}: ${facts.size} brief facts; ${
        pick.join(", ")
      }`;
    },
  },
  {
    name: "generate-brief",
    async run(ctx) {
      // Without a reachable Ollama this is the rules brief (model "rules"), as documented.
      const brief = await invoke(ctx, "generate-brief", { send: true });
      const d = brief.delivery ?? {};
      const why = brief.fallback_reason ? `: ${brief.fallback_reason}` : "";
      return `brief ${brief.id} (model ${brief.model}${why}); ` +
        `pulse ${brief.pulse.length} chars sent to ${d.sent ?? 0} recipient(s), ` +
        `${d.skipped ?? 0} skipped, ${d.failed ?? 0} failed\n  "${brief.content.headline.text}"`;
    },
  },
];

/** The demo's WhatsApp recipients (fictional 555-01xx numbers); one has not opted in. */
const DEMO_RECIPIENTS = [
  { name: "Dana Whitfield", phone: "+15555550101", role: "CRO", opted_in: true },
  { name: "Marco Alvarez", phone: "+15555550102", role: "VP Sales", opted_in: true },
  { name: "Ines Duarte", phone: "+15555550103", role: "Finance", opted_in: false },
];

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

/** The demo's admin settings: a revenue target for the demo quarter, and WhatsApp recipients. */
async function seedDemoSettings(env: Env, asOf: string): Promise<void> {
  const sql = postgres(env.SUPABASE_DB_URL!, { max: 1, onnotice: () => {} });
  try {
    await sql`
      insert into analytics.revenue_targets (quarter_start, amount)
      select date_trunc('quarter', ${asOf}::date)::date, 120000
      on conflict do nothing`;
    await sql`
      insert into whatsapp.recipients ${sql(DEMO_RECIPIENTS, "name", "phone", "role", "opted_in")}
      on conflict (phone) do nothing`;
  } finally {
    await sql.end();
  }
}

/** Runs the pipeline and prints each stage's result; returns the exit code. */
export async function runDemo(envText: string): Promise<number> {
  const env = parseEnv(envText);
  if (!env.ZOHO_SIM_URL) {
    console.error("The demo needs the Zoho simulator, which this stack did not start");
    return 1;
  }
  const supabase = createClient(env.SUPABASE_URL!, env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { autoRefreshToken: false, persistSession: false, detectSessionInUrl: false },
  });
  const asOf = await simulatorDate(env);
  await seedDemoSettings(env, asOf);
  const ctx: Context = { env, supabase, asOf };
  for (const stage of PIPELINE) {
    const started = performance.now();
    try {
      const summary = await stage.run(ctx);
      console.log(`${stage.name} (${Math.round(performance.now() - started)} ms): ${summary}`);
    } catch (e) {
      console.error(`${stage.name}: ${e instanceof Error ? e.message : e}`);
      return 1;
    }
  }
  console.log(`\nDashboard (signed link, valid 24 h): ${await dashboardLink(env)}`);
  console.log(`\nThe stack keeps running: ${env.SUPABASE_URL} (deno task stop ends it).`);
  return 0;
}
