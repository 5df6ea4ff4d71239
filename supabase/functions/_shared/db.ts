/**
 * The database handle: one postgres.js pool per connection string, shared by every request of
 * an isolate. `prepare: false` keeps it valid behind Supabase's transaction pooler (port 6543).
 */
import postgres from "postgres";

const pools = new Map<string, postgres.Sql>();

/** Returns the pool for `url`, creating it on first use. */
export function getSql(url: string, options: { max?: number } = {}): postgres.Sql {
  let sql = pools.get(url);
  if (!sql) {
    sql = postgres(url, {
      prepare: false,
      max: options.max ?? 5,
      idle_timeout: 20,
      connect_timeout: 10,
      onnotice: () => {},
    });
    pools.set(url, sql);
  }
  return sql;
}

/** postgres.js connection errors, and Postgres refusing connections while it shuts down. */
const LOST_SERVER = new Set([
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "ECONNREFUSED",
  "ECONNRESET",
  "57P01", // admin_shutdown: terminating connection due to administrator command
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: the database system is starting up / shutting down
]);

/** True when `error` says the pool lost its server (e.g. Postgres restarted). */
export function isLostServer(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && LOST_SERVER.has(code);
}

/**
 * Forgets every pool after `error` if it says the server was lost, so the next request connects
 * afresh: after a Postgres restart a postgres.js pool can keep connections that only time out.
 * The old pools are not ended (requests may still be using them); idle_timeout closes them.
 */
export function forgetPoolsAfter(error: unknown): boolean {
  if (!isLostServer(error)) return false;
  pools.clear();
  return true;
}

/** Closes every pool (tests and shutdown). */
export async function closeAllSql(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((sql) => sql.end({ timeout: 5 })));
}
