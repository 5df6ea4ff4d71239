// The local stack's settings (stack_env.ts): what the functions use and what the status prints
// agree, so loading the status and restarting the stack starts the same stack (no restart here:
// the sources are given as data).
import assert from "node:assert/strict";
import { type EnvSources, formatEnv, functionsEnv, statusEnv } from "./stack_env.ts";

const SIM = {
  ZOHO_ACCOUNTS_URL: "http://127.0.0.1:54330",
  ZOHO_CLIENT_ID: "sim-client",
  ZOHO_CLIENT_SECRET: "sim-secret",
  ZOHO_REFRESH_TOKEN: "sim-refresh",
  ZOHO_SIM_URL: "http://127.0.0.1:54330",
};
const STACK = {
  SUPABASE_URL: "http://127.0.0.1:54321",
  SUPABASE_DB_URL: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
  JWT_SECRET: "super-secret-jwt-token-with-at-least-32-characters-long",
  ...SIM,
};
const OTHER_ZOHO = {
  ZOHO_ACCOUNTS_URL: "https://accounts.zoho.eu",
  ZOHO_CLIENT_ID: "real-client",
  ZOHO_CLIENT_SECRET: "real-secret",
  ZOHO_REFRESH_TOKEN: "real-refresh",
  ZOHO_API_DOMAIN: "https://www.zohoapis.eu",
};

/** What a restart from the status sees: the status exported into a shell. */
function restartFrom(status: Record<string, string>, sources: EnvSources): EnvSources {
  return { ...sources, shell: { PATH: "/usr/bin", ...status } };
}

Deno.test("started against another Zoho, the functions use it and the status says so", () => {
  const sources = { stack: STACK, dotEnv: {}, shell: { PATH: "/usr/bin", ...OTHER_ZOHO } };
  const used = functionsEnv(sources);
  const status = statusEnv(sources);
  for (const [key, value] of Object.entries(OTHER_ZOHO)) {
    assert.equal(used[key], value, `functions use the shell's ${key}`);
    assert.equal(status[key], value, `status prints the ${key} the functions use`);
  }
  assert.equal(status.ZOHO_SIM_URL, SIM.ZOHO_SIM_URL, "the simulator still runs and is listed");
  assert.equal(status.PATH, undefined, "the shell's other settings are not the stack's");
  assert.match(formatEnv(status), /^ZOHO_ACCOUNTS_URL=https:\/\/accounts\.zoho\.eu$/m);
});

Deno.test("loading the status and restarting keeps the functions on the same Zoho", () => {
  for (const shell of [{ PATH: "/usr/bin" }, { PATH: "/usr/bin", ...OTHER_ZOHO }]) {
    const first: EnvSources = { stack: STACK, dotEnv: { OLLAMA_URL: "http://ollama" }, shell };
    const status = statusEnv(first);
    const again = restartFrom(status, first);
    const after = functionsEnv(again);
    for (const [key, value] of Object.entries(functionsEnv(first))) {
      assert.equal(after[key], value, `the functions' ${key}`);
    }
    assert.deepEqual(statusEnv(again), status, "the status");
  }
});

Deno.test("the stack's SUPABASE_* settings win over the shell's; .env fills the gaps", () => {
  const sources = {
    stack: STACK,
    dotEnv: { OLLAMA_URL: "http://ollama", ZOHO_CLIENT_ID: "from-dotenv" },
    shell: { SUPABASE_DB_URL: "postgresql://elsewhere/db", TWILIO_AUTH_TOKEN: "shell-token" },
  };
  const used = functionsEnv(sources);
  assert.equal(used.SUPABASE_DB_URL, STACK.SUPABASE_DB_URL);
  assert.equal(used.OLLAMA_URL, "http://ollama");
  assert.equal(used.ZOHO_CLIENT_ID, SIM.ZOHO_CLIENT_ID, "the stack's simulator over .env");
  assert.equal(used.JWT_SECRET, undefined, "the JWT secret stays with the gateway");
  assert.equal(used.TWILIO_AUTH_TOKEN, "shell-token");
  const status = statusEnv(sources);
  assert.equal(status.SUPABASE_DB_URL, STACK.SUPABASE_DB_URL);
  assert.equal(status.JWT_SECRET, STACK.JWT_SECRET, "status still prints the gateway's secret");
  assert.equal(status.TWILIO_AUTH_TOKEN, "shell-token", "a product setting from the shell");
  assert.equal(status.OLLAMA_URL, undefined, ".env is read again at every start");
});
