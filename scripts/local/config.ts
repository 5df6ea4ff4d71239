/**
 * Settings of the Docker-free local Supabase stack: ports follow `supabase start`'s defaults,
 * paths sit in the git-ignored `.local/` folder, and the JWT secret is Supabase's documented
 * local default so keys look and behave like the CLI's.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Project root (the folder holding deno.json). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Where the local stack keeps its cluster, logs and state; git-ignored. */
export const STATE_DIR = join(ROOT, ".local");

/** Supabase's local default JWT secret (supabase/cli config template). */
const DEFAULT_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

/** Resolved settings for one local stack. */
export interface LocalConfig {
  dbPort: number;
  apiPort: number;
  zohoPort: number;
  twilioPort: number;
  jwtSecret: string;
  pgDataDir: string;
  pgRunDir: string;
  pgLogFile: string;
  pgBinDir: string;
  stateFile: string;
  pidFile: string;
  stackLogFile: string;
}

/**
 * Postgres runs as the `postgres` user when we are root, so its files must sit where that user
 * can reach: `.local/pg` when every folder above it is world-traversable (as /work/... is),
 * else a per-checkout folder under /var/tmp (e.g. a clone under /root, which is mode 700).
 */
function pgBaseDir(): string {
  const inTree = join(STATE_DIR, "pg");
  if (Deno.uid() !== 0) return inTree;
  let dir = ROOT;
  for (;;) {
    const mode = Deno.statSync(dir).mode ?? 0o755;
    if ((mode & 0o001) === 0) {
      let hash = 0;
      for (const ch of ROOT) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
      return join("/var/tmp", `crm-intel-pg-${hash.toString(16)}`);
    }
    const parent = join(dir, "..");
    if (parent === dir) return inTree;
    dir = parent;
  }
}

/** Reads the settings, with optional overrides from the environment (ports and JWT secret). */
export function loadLocalConfig(env: Record<string, string | undefined> = Deno.env.toObject()) {
  const port = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw new Error(`Cannot read ${name}: expected a port number between 1 and 65535`);
    }
    return n;
  };
  const pgBase = env.LOCAL_PG_DIR || pgBaseDir();
  const config: LocalConfig = {
    dbPort: port("LOCAL_DB_PORT", 54322),
    apiPort: port("LOCAL_API_PORT", 54321),
    zohoPort: port("LOCAL_ZOHO_PORT", 54330),
    twilioPort: port("LOCAL_TWILIO_PORT", 54331),
    jwtSecret: env.LOCAL_JWT_SECRET || DEFAULT_JWT_SECRET,
    pgDataDir: join(pgBase, "data"),
    pgRunDir: join(pgBase, "run"),
    pgLogFile: join(pgBase, "postgres.log"),
    pgBinDir: env.PG_BIN_DIR || "/usr/lib/postgresql/15/bin",
    stateFile: join(STATE_DIR, "stack.env"),
    pidFile: join(STATE_DIR, "stack.pid"),
    stackLogFile: join(STATE_DIR, "stack.log"),
  };
  if (config.jwtSecret.length < 32) {
    throw new Error("Cannot use LOCAL_JWT_SECRET: it must be at least 32 characters long");
  }
  return config;
}

/** The connection string of the local database, as `SUPABASE_DB_URL` gives it. */
export function dbUrl(config: LocalConfig, database = "postgres"): string {
  return `postgresql://postgres:postgres@127.0.0.1:${config.dbPort}/${database}`;
}

/** The API URL the functions gateway answers on, as `SUPABASE_URL` gives it. */
export function apiUrl(config: LocalConfig): string {
  return `http://127.0.0.1:${config.apiPort}`;
}

/** True when nothing listens on 127.0.0.1:`port`. */
export function isPortFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}
