/**
 * The services of the local stack that run as one Deno process: the functions gateway, the
 * pg_net worker and (when present) the Zoho CRM simulator. Postgres runs as its own server,
 * managed by postgres.ts. `startStack` returns the stack's settings as `supabase status -o env`
 * would print them, with the values its functions actually use (stack_env.ts).
 */
import { join } from "node:path";
import postgres from "postgres";
import { apiUrl, dbUrl, type LocalConfig, ROOT } from "./config.ts";
import { readFunctions } from "./functions_config.ts";
import { createGateway } from "./gateway.ts";
import { localKeys } from "./jwt.ts";
import { startPgNetWorker } from "./pg_net_worker.ts";
import { setUpPipeline } from "./pipeline_setup.ts";
import { startOptionalServices } from "./services.ts";
import { functionsEnv, statusEnv } from "./stack_env.ts";

/** A running stack. */
export interface Stack {
  env: Record<string, string>;
  close(): Promise<void>;
}

async function loadDotEnv(path: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
  }
  return out;
}

/**
 * The WhatsApp webhook's settings: the public URL Twilio posts to and signs (here the gateway's;
 * the auth token is the Twilio sink's), and with the Zoho simulator the day questions are
 * answered as of (the demo company's clock), not today.
 */
async function webhookSettings(
  config: LocalConfig,
  env: Record<string, string>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {
    WHATSAPP_WEBHOOK_URL: `${apiUrl(config)}/functions/v1/whatsapp-webhook`,
  };
  if (env.ZOHO_SIM_URL) {
    const res = await fetch(`${env.ZOHO_SIM_URL}/__sim/clock`);
    const { now } = await res.json() as { now: number };
    out.ASK_AS_OF = new Date(now * 1000).toISOString().slice(0, 10);
  }
  return out;
}

/** Starts gateway, pg_net worker and simulators; Postgres must already be up and migrated. */
export async function startStack(config: LocalConfig): Promise<Stack> {
  const keys = await localKeys(config.jwtSecret);
  const env: Record<string, string> = {
    SUPABASE_URL: apiUrl(config),
    SUPABASE_DB_URL: dbUrl(config),
    SUPABASE_ANON_KEY: keys.anon,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRole,
    JWT_SECRET: config.jwtSecret,
    FUNCTIONS_URL: `${apiUrl(config)}/functions/v1`,
  };
  let status = env;
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((e) => console.error(e));
  };
  try {
    const services = await startOptionalServices(config);
    closers.push(services.close);
    Object.assign(env, services.env);
    Object.assign(env, await webhookSettings(config, env));

    // Functions see what `supabase functions serve` injects, plus supabase/functions/.env, under
    // the shell's own settings; the status records what they actually use (stack_env.ts).
    const sources = {
      stack: env,
      dotEnv: await loadDotEnv(join(ROOT, "supabase/functions/.env")),
      shell: Deno.env.toObject(),
    };
    for (const [k, v] of Object.entries(functionsEnv(sources))) Deno.env.set(k, v);
    status = statusEnv(sources);

    const sql = postgres(env.SUPABASE_DB_URL!, { max: 4, onnotice: () => {} });
    closers.push(() => sql.end({ timeout: 2 }));
    await setUpPipeline(sql, { apiUrl: env.SUPABASE_URL!, serviceRoleKey: keys.serviceRole });
    const worker = await startPgNetWorker(sql);
    closers.push(() => worker.stop());

    const functions = await readFunctions(join(ROOT, "supabase/config.toml"));
    const handler = createGateway({
      functions,
      functionsDir: join(ROOT, "supabase/functions"),
      jwtSecret: config.jwtSecret,
    });
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: config.apiPort,
      onListen: () => {},
    }, handler);
    closers.push(() => server.shutdown());
  } catch (e) {
    await close();
    throw e;
  }
  return { env: status, close };
}
