/**
 * Lost or refused database connections, told apart from other errors: a request that meets one
 * answers 503 `database_unavailable` naming the database (never its credentials), and the next
 * request gets a fresh connection from the pool.
 */

/** `host:port/database` of a connection string: what a message may name (no credentials). */
export function databaseLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname || "/postgres"}`;
  } catch {
    return "the database";
  }
}

// Driver and socket codes of a connection that is gone or cannot be made.
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);
// SQLSTATEs of a server going away or not accepting connections: class 08 (connection
// exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now), 53300 (too
// many connections).
const SERVER_CODES = /^(08...|57P0[123]|53300)$/;
const DENO_ERRORS = new Set(["ConnectionRefused", "ConnectionReset", "ConnectionAborted"]);

/** Why `error` means the database cannot be reached right now, or undefined if it does not. */
export function databaseUnavailable(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as Error & { code?: unknown; address?: unknown; port?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  if (CONNECTION_CODES.has(code)) {
    const where = typeof e.address === "string"
      ? ` (${e.address}${e.port === undefined ? "" : `:${e.port}`})`
      : "";
    return `${code}${where}`;
  }
  if (e.name === "PostgresError" && SERVER_CODES.test(code)) return `${code} ${e.message}`;
  if (DENO_ERRORS.has(e.name)) return e.name;
  return undefined;
}

/** A request failed because the database dropped or refused its connection: a 503. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
  constructor(readonly database: string | null, reason: string, options?: { cause?: unknown }) {
    super(`Database unavailable: ${database ? `${database}: ` : ""}${reason}`, options);
  }
}

/**
 * `error` as a DatabaseUnavailableError (naming `url`'s database when given) when it is a lost or
 * refused connection; unchanged otherwise.
 */
export function asDatabaseError(error: unknown, url?: string): unknown {
  if (error instanceof DatabaseUnavailableError) return error;
  const reason = databaseUnavailable(error);
  if (!reason) return error;
  return new DatabaseUnavailableError(url ? databaseLabel(url) : null, reason, { cause: error });
}
