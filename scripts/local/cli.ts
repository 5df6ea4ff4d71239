/**
 * `deno task start | stop | status | reset | test | demo`: the Docker-free counterpart of
 * `supabase start/stop/status/db reset`. See README.md for what each prints.
 */
import { join } from "node:path";
import postgres from "postgres";
import { dbUrl, isPortFree, loadLocalConfig, type LocalConfig, ROOT, STATE_DIR } from "./config.ts";
import { applyMigrations, applyStandIns } from "./migrate.ts";
import { destroyCluster, requirePackages, startPostgres, stopPostgres } from "./postgres.ts";
import { runStack } from "./stack_main.ts";
import { runTests } from "./test_runner.ts";

const log = (line: string) => console.error(line);

/** Starts Postgres if needed and applies stand-ins and pending migrations. */
export async function prepareDatabase(config: LocalConfig): Promise<{ startedPostgres: boolean }> {
  const { started } = await startPostgres(config);
  const sql = postgres(dbUrl(config), { max: 1, onnotice: () => {} });
  try {
    await applyStandIns(sql, join(ROOT, "scripts/local/sql"));
    const report = await applyMigrations(sql, join(ROOT, "supabase/migrations"));
    if (report.applied.length) log(`migrations applied: ${report.applied.join(", ")}`);
  } finally {
    await sql.end();
  }
  return { startedPostgres: started };
}

async function readPid(config: LocalConfig): Promise<number | undefined> {
  try {
    const pid = Number(await Deno.readTextFile(config.pidFile));
    Deno.kill(pid, "SIGCONT"); // throws when no such process
    return pid;
  } catch {
    return undefined;
  }
}

function checkPorts(config: LocalConfig) {
  for (const [name, port] of [["functions gateway", config.apiPort]] as const) {
    if (!isPortFree(port)) {
      throw new Error(
        `Cannot start the ${name}: port ${port} is in use by another program ` +
          "(deno task stop, or set LOCAL_API_PORT)",
      );
    }
  }
}

async function waitReady(
  config: LocalConfig,
  { child, timeoutMs = 30_000 }: { child: Deno.ChildProcess; timeoutMs?: number },
) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.status.then(() => exited = true);
  while (Date.now() < deadline) {
    if (exited) break;
    if (await readPid(config)) {
      const env = await Deno.readTextFile(config.stateFile).catch(() => "");
      if (env) return env;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = await Deno.readTextFile(config.stackLogFile).catch(() => "");
  const failed = tail.trimEnd().split("\n").at(-1)?.match(/^stack: failed: (.*)$/)?.[1];
  if (exited && failed) throw new Error(failed);
  throw new Error(
    `Cannot start the stack: it did not become ready (see ${config.stackLogFile})\n` +
      tail.slice(-2000),
  );
}

/** Starts the stack in the background (if not running) and returns its env text. */
export async function startDetached(
  config: LocalConfig,
): Promise<{ env: string; started: boolean }> {
  if (await readPid(config)) {
    return { env: await Deno.readTextFile(config.stateFile), started: false };
  }
  checkPorts(config);
  await Deno.remove(config.stateFile).catch(() => {});
  const child = new Deno.Command("setsid", {
    args: [
      "sh",
      "-c",
      'exec "$0" run -A "$1" >>"$2" 2>&1',
      Deno.execPath(),
      join(ROOT, "scripts/local/stack_main.ts"),
      config.stackLogFile,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  return { env: await waitReady(config, { child }), started: true };
}

function banner(env: Record<string, string> | string): string {
  const text = typeof env === "string"
    ? env
    : Object.entries(env).map(([k, v]) => `${k}=${v}`).join("\n");
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, "m").exec(text)?.[1] ?? "";
  return [
    "Local stack is running.",
    `         API URL: ${get("SUPABASE_URL")}`,
    `   Functions URL: ${get("FUNCTIONS_URL")}`,
    `          DB URL: ${get("SUPABASE_DB_URL")}`,
    `      JWT secret: ${get("JWT_SECRET")}`,
    `        anon key: ${get("SUPABASE_ANON_KEY")}`,
    `service_role key: ${get("SUPABASE_SERVICE_ROLE_KEY")}`,
    ...(get("ZOHO_ACCOUNTS_URL") ? [`   Zoho accounts: ${get("ZOHO_ACCOUNTS_URL")}`] : []),
    ...(get("ZOHO_SIM_URL") ? [`  Zoho simulator: ${get("ZOHO_SIM_URL")}`] : []),
    ...(get("TWILIO_API_URL") ? [`     Twilio sink: ${get("TWILIO_API_URL")}`] : []),
    "(deno task status prints these as KEY=value lines)",
  ].join("\n");
}

async function stop(config: LocalConfig, options = { postgres: true }): Promise<void> {
  const pid = await readPid(config);
  if (pid) {
    Deno.kill(pid, "SIGTERM");
    for (let i = 0; i < 100 && await readPid(config); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    log("stack stopped");
  }
  if (options.postgres && await stopPostgres(config)) log("database stopped");
}

async function main(args: string[]): Promise<number> {
  const config = loadLocalConfig();
  await Deno.mkdir(STATE_DIR, { recursive: true });
  const [command, ...rest] = args;
  switch (command) {
    case "start": {
      const { startedPostgres } = await prepareDatabase(config);
      if (rest.includes("--detach") || rest.includes("-d")) {
        const { env } = await startDetached(config);
        console.log(banner(env));
        return 0;
      }
      if (await readPid(config)) {
        console.log(banner(await Deno.readTextFile(config.stateFile)));
        return 0;
      }
      checkPorts(config);
      await runStack((env) => console.log(banner(env) + "\nPress Ctrl-C to stop."));
      if (startedPostgres) await stopPostgres(config);
      log("stopped");
      return 0;
    }
    case "stop":
      await stop(config);
      return 0;
    case "status": {
      if (!(await readPid(config))) {
        log("The local stack is not running: start it with deno task start");
        return 1;
      }
      console.log((await Deno.readTextFile(config.stateFile)).trimEnd());
      return 0;
    }
    case "reset": {
      const running = await readPid(config);
      if (running) await stop(config);
      await destroyCluster(config);
      await prepareDatabase(config);
      log("database recreated from scratch and migrations applied");
      if (running) console.log(banner((await startDetached(config)).env));
      return 0;
    }
    case "test": {
      requirePackages(config, { tests: true });
      const { startedPostgres } = await prepareDatabase(config);
      const { started } = await startDetached(config);
      try {
        return await runTests(config, rest);
      } finally {
        if (started) await stop(config, { postgres: false });
        if (startedPostgres) await stopPostgres(config);
      }
    }
    case "demo": {
      await prepareDatabase(config);
      const { env } = await startDetached(config);
      const { runDemo } = await import("./demo.ts");
      return await runDemo(env);
    }
    default:
      log("usage: deno task start [--detach] | stop | status | reset | test | demo");
      return 2;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
    Deno.exit(1);
  }
}
