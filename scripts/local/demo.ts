/**
 * `deno task demo`: the main job end to end on the built-in defaults, against the local stack.
 * Each step of the daily pipeline is one entry in PIPELINE; steps call the functions through
 * the gateway with supabase-js, exactly as pg_cron or an admin would.
 */
import { createClient } from "@supabase/supabase-js";

interface Step {
  name: string;
  fn: string;
  path: string;
  body?: Record<string, unknown>;
}

/** The daily pipeline, in order. Grows as the stages land. */
const PIPELINE: Step[] = [
  { name: "readiness", fn: "zoho-sync", path: "health" },
  { name: "readiness", fn: "compute-metrics", path: "health" },
  { name: "readiness", fn: "generate-brief", path: "health" },
  { name: "readiness", fn: "whatsapp-webhook", path: "health" },
  { name: "readiness", fn: "dashboard", path: "health" },
];

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split("\n").filter((l) => l.includes("=")).map((l) => {
      const i = l.indexOf("=");
      return [l.slice(0, i), l.slice(i + 1)];
    }),
  );
}

/** Runs the pipeline and prints each step's result; returns the exit code. */
export async function runDemo(envText: string): Promise<number> {
  const env = parseEnv(envText);
  const supabase = createClient(env.SUPABASE_URL!, env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { autoRefreshToken: false, persistSession: false, detectSessionInUrl: false },
  });
  for (const step of PIPELINE) {
    const started = performance.now();
    const { data, error } = await supabase.functions.invoke(`${step.fn}/${step.path}`, {
      method: step.body ? "POST" : "GET",
      body: step.body,
    });
    const ms = Math.round(performance.now() - started);
    if (error) {
      console.error(`${step.name} ${step.fn}: failed after ${ms} ms: ${error.message}`);
      return 1;
    }
    console.log(`${step.name} ${step.fn} (${ms} ms): ${JSON.stringify(data)}`);
  }
  console.log(`\nThe stack keeps running for you: ${env.SUPABASE_URL} (deno task stop ends it).`);
  return 0;
}
