/**
 * The local stack's settings, said once: what its functions run with, and what `deno task status`
 * prints (the state file `.local/stack.env`). The stack provides its own settings (URLs, keys, the
 * simulators' credentials); supabase/functions/.env fills in the rest; the shell the stack starts
 * from overrides both, except the SUPABASE_* settings, which are always the stack's. Started with
 * `ZOHO_ACCOUNTS_URL` pointing at another Zoho, the functions use that Zoho and the status says
 * so, so a script that loads the status and restarts the stack starts the same stack again.
 */

/** Setting prefixes of the product: a shell value under one of them is printed in the status. */
const PRODUCT_PREFIXES = ["ZOHO_", "TWILIO_", "WHATSAPP_", "ASK_"];

/** Settings only the gateway needs: never handed to the functions. */
const GATEWAY_ONLY = new Set(["JWT_SECRET"]);

/** Where a stack's settings come from. */
export interface EnvSources {
  /** What the stack itself provides (its URLs and keys, the simulators' credentials). */
  stack: Record<string, string>;
  /** supabase/functions/.env, as read. */
  dotEnv: Record<string, string>;
  /** The environment the stack was started from. */
  shell: Record<string, string | undefined>;
}

/** The environment the functions run with (the stack's process environment). */
export function functionsEnv({ stack, dotEnv, shell }: EnvSources): Record<string, string> {
  const out: Record<string, string> = { ...dotEnv, ...stack };
  for (const key of GATEWAY_ONLY) delete out[key];
  for (const [key, own] of Object.entries(shell)) {
    if (own !== undefined && !(key.startsWith("SUPABASE_") && key in out)) out[key] = own;
  }
  return out;
}

/**
 * The settings the status prints: each of the stack's settings with the value the functions
 * actually use, plus the product settings (ZOHO_*, TWILIO_*, ...) the shell gave.
 */
export function statusEnv(sources: EnvSources): Record<string, string> {
  const used = functionsEnv(sources);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(sources.stack)) out[key] = used[key] ?? value;
  for (const [key, value] of Object.entries(sources.shell)) {
    if (value === undefined || key in out) continue;
    if (PRODUCT_PREFIXES.some((p) => key.startsWith(p))) out[key] = value;
  }
  return out;
}

/** The state file's text: one `KEY=value` line per setting. */
export function formatEnv(env: Record<string, string>): string {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
}
