/**
 * Runs the local stack's services in this process until SIGINT/SIGTERM, recording its settings
 * in `.local/stack.env` and its pid in `.local/stack.pid` so `status` and `stop` can find it.
 * Postgres must already be up and migrated (cli.ts does that first).
 */
import { loadLocalConfig } from "./config.ts";
import { startStack } from "./stack.ts";
import { formatEnv } from "./stack_env.ts";

/** Runs the stack until a signal arrives; returns when it has shut down. */
export async function runStack(onReady?: (env: Record<string, string>) => void): Promise<void> {
  const config = loadLocalConfig();
  const stack = await startStack(config);
  await Deno.writeTextFile(config.stateFile, formatEnv(stack.env));
  await Deno.writeTextFile(config.pidFile, String(Deno.pid));
  onReady?.(stack.env);
  globalThis.addEventListener("unhandledrejection", (e) => {
    // A function's stray promise must not take the whole gateway down.
    e.preventDefault();
    console.error("stack: unhandled rejection:", e.reason);
  });
  globalThis.addEventListener("error", (e) => {
    // Nor an exception thrown in a callback: postgres.js can throw from a socket event while
    // Postgres restarts ("Cannot read properties of null (reading 'write')"), which used to end
    // the gateway, the pg_net worker and the Twilio sink at once.
    e.preventDefault();
    console.error("stack: uncaught exception:", e.error);
  });
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    Deno.addSignalListener("SIGINT", done);
    Deno.addSignalListener("SIGTERM", done);
  });
  await stack.close();
  await Deno.remove(config.stateFile).catch(() => {});
  await Deno.remove(config.pidFile).catch(() => {});
}

if (import.meta.main) {
  try {
    await runStack(() => console.error("stack: ready"));
  } catch (e) {
    // One line (a port in use, a missing piece): `deno task start --detach` shows it as is.
    console.error(`stack: failed: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
  Deno.exit(0);
}
