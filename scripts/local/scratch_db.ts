/**
 * Throw-away databases on the local cluster for tests that need a database of their own: each
 * gets the local stand-ins and every migration, exactly like the main `postgres` database, and
 * is dropped afterwards. (pg_cron exists only in `postgres`; tests of cron use that one.)
 */
import { join } from "node:path";
import postgres from "postgres";
import { ROOT } from "./config.ts";
import { applyMigrations, applyStandIns } from "./migrate.ts";

/**
 * The cluster scratch databases go on: SUPABASE_DB_URL, never a default port (a test file run by
 * hand would otherwise make its databases on whichever stack listens on 54322). `deno task test`
 * and `deno task bench` set it; by hand, export the stack's (see TESTING.md).
 */
export function adminUrl(what = "create a scratch database"): string {
  const url = Deno.env.get("SUPABASE_DB_URL");
  if (!url) {
    throw new Error(
      `Cannot ${what}: SUPABASE_DB_URL is not set; run it through ` +
        "`deno task test` or `deno task bench`, or export the stack's variables first: " +
        `eval "$(deno task status | sed 's/^/export /')"`,
    );
  }
  return url;
}

/** A scratch database: its URL, a pool on it, and `drop()` to remove it. */
export interface ScratchDb {
  name: string;
  url: string;
  sql: postgres.Sql;
  drop(): Promise<void>;
}

/** Creates a database named `<prefix>_<random>`; with `migrate` (default) applies everything. */
export async function createScratchDb(
  prefix = "scratch",
  options: { migrate?: boolean; max?: number } = {},
): Promise<ScratchDb> {
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  const name = `${prefix.replace(/[^a-z0-9_]/g, "_")}_${
    crypto.randomUUID().replaceAll("-", "").slice(0, 10)
  }`;
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const sql = postgres(url.href, { max: options.max ?? 4, onnotice: () => {} });
  if (options.migrate ?? true) {
    await applyStandIns(sql, join(ROOT, "scripts/local/sql"));
    await applyMigrations(sql, join(ROOT, "supabase/migrations"));
  }
  return {
    name,
    url: url.href,
    sql,
    async drop() {
      await sql.end({ timeout: 2 });
      const a = postgres(adminUrl(), { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
