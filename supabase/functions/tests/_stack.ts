/**
 * Settings of the running local stack, for integration tests: read from `.local/stack.env`,
 * which `deno task start` writes (the same lines `deno task status` prints).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The stack's KEY=value settings; throws with the command to run when it is not up. */
export function stackEnv(): Record<string, string> {
  let text: string;
  try {
    text = Deno.readTextFileSync(join(ROOT, ".local/stack.env"));
  } catch {
    throw new Error("Cannot read the local stack's settings: start it with deno task start");
  }
  return Object.fromEntries(
    text.split("\n").filter((l) => l.includes("=")).map((l) => {
      const i = l.indexOf("=");
      return [l.slice(0, i), l.slice(i + 1)];
    }),
  );
}

/** A small postgres.js pool on the stack's database; end it in the test. */
export function stackSql(max = 2) {
  return postgres(stackEnv().SUPABASE_DB_URL!, { max, onnotice: () => {} });
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
