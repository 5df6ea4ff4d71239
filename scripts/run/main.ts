/**
 * `deno task run <command>`: the pipeline from a terminal, through the `pipeline` function.
 *   start [--as-of YYYY-MM-DD] [--mode incremental|full] [--budget-ms N] [--no-follow]
 *   status <run-id> | list [N] | follow <run-id> | retry <run-id> <stage> [--no-follow]
 * The project URL and service-role key come from SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY, or
 * from the running local stack (`deno task status`).
 */
import { PipelineApiError, pipelineClient, type StartOptions } from "./client.ts";
import { follow, runLine, stageLine } from "./progress.ts";

function localStackEnv(): Record<string, string> {
  try {
    const text = Deno.readTextFileSync(new URL("../../.local/stack.env", import.meta.url));
    return Object.fromEntries(
      text.split("\n").filter((l) => l.includes("=")).map((l) => {
        const i = l.indexOf("=");
        return [l.slice(0, i), l.slice(i + 1)];
      }),
    );
  } catch {
    return {};
  }
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const USAGE = "usage: deno task run start [--as-of YYYY-MM-DD] [--mode incremental|full] " +
  "[--budget-ms N] [--no-follow] | status <run-id> | list [N] | follow <run-id> | " +
  "retry <run-id> <stage> [--no-follow]";

async function main(args: string[]): Promise<number> {
  const local = localStackEnv();
  const url = Deno.env.get("SUPABASE_URL") ?? local.SUPABASE_URL;
  const key = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY") ?? local.SUPABASE_SERVICE_ROLE_KEY;
  if (!url || !key) {
    console.error("Set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY, or start the local stack");
    return 2;
  }
  const api = pipelineClient(url, key);
  const [command, ...rest] = args;
  const followRun = async (id: string) => {
    const run = await follow(() => api.status(id));
    return run.status === "succeeded" ? 0 : 1;
  };
  switch (command) {
    case "start": {
      const options: StartOptions = { trigger: "cli" };
      const asOf = option(rest, "--as-of");
      if (asOf) options.as_of = asOf;
      const mode = option(rest, "--mode");
      if (mode) options.mode = mode as StartOptions["mode"];
      const budget = option(rest, "--budget-ms");
      if (budget) options.budget_ms = Number(budget);
      const run = await api.start(options);
      console.log(`started run ${run.id}`);
      return rest.includes("--no-follow") ? 0 : await followRun(run.id);
    }
    case "status": {
      if (!rest[0]) break;
      const run = await api.status(rest[0]);
      console.log([runLine(run), ...run.stages.map((s) => "  " + stageLine(s))].join("\n"));
      return 0;
    }
    case "list": {
      for (const run of await api.list(Number(rest[0] ?? 10))) console.log(runLine(run));
      return 0;
    }
    case "follow":
      if (!rest[0]) break;
      return await followRun(rest[0]);
    case "retry": {
      if (!rest[0] || !rest[1]) break;
      const run = await api.retry(rest[0], rest[1]);
      console.log(`re-running ${rest[1]} of run ${run.id}`);
      return rest.includes("--no-follow") ? 0 : await followRun(run.id);
    }
  }
  console.error(USAGE);
  return 2;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    if (e instanceof PipelineApiError) console.error(`${e.code} (${e.status}): ${e.message}`);
    else console.error(e instanceof Error ? e.message : String(e));
    Deno.exit(1);
  }
}
