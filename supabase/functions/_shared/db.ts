/**
 * The database handle: one postgres.js pool per connection string, shared by every request of
 * an isolate. `prepare: false` keeps it valid behind Supabase's transaction pooler (port 6543).
 *
 * `postgres` resolves to a vendored postgres.js 3.4.9 with the fix for porsager/postgres#1208
 * (see scripts/vendor/postgres.ts): a connection that drops with a write queued rejects its
 * queries with CONNECTION_CLOSED instead of killing the process; `db_errors.ts` tells such
 * failures apart so a request answers 503 naming the database and the next one reconnects.
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

/** Closes every pool (tests and shutdown). */
export async function closeAllSql(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((sql) => sql.end({ timeout: 5 })));
}
