/**
 * A throw-away Postgres cluster of its own (under /var/tmp, on a free port), with the local
 * stand-ins and every migration in its `postgres` database: for tests that restart the server,
 * which they must not do to the shared local stack.
 */
import { join } from "node:path";
import postgres from "postgres";
import { dbUrl, loadLocalConfig, type LocalConfig, ROOT } from "../../../scripts/local/config.ts";
import { applyMigrations, applyStandIns } from "../../../scripts/local/migrate.ts";
import { destroyCluster, restartPostgres, startPostgres } from "../../../scripts/local/postgres.ts";

/** The cluster: its URL, an admin pool, `restart()` and `destroy()`. */
export interface PrivateCluster {
  config: LocalConfig;
  url: string;
  admin: postgres.Sql;
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Creates, starts and migrates a private cluster. */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const dir = `/var/tmp/crm-intel-test-${crypto.randomUUID().slice(0, 8)}`;
  const config = loadLocalConfig({ LOCAL_PG_DIR: dir, LOCAL_DB_PORT: String(freePort()) });
  await startPostgres(config);
  const url = dbUrl(config);
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await applyStandIns(admin, join(ROOT, "scripts/local/sql"));
  await applyMigrations(admin, join(ROOT, "supabase/migrations"));
  return {
    config,
    url,
    admin,
    restart: () => restartPostgres(config),
    async destroy() {
      await admin.end({ timeout: 1 }).catch(() => {});
      await destroyCluster(config);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
