/**
 * The project's own PostgreSQL 15 cluster on 127.0.0.1:54322, kept in `.local/pg`. Postgres
 * refuses to run as root, so when we are root every server command runs as the `postgres` user.
 */
import { join } from "node:path";
import { isPortFree, type LocalConfig } from "./config.ts";

/** A failed step of the local database, with a message naming what to do. */
export class LocalDbError extends Error {
  override name = "LocalDbError";
}

function isRoot(): boolean {
  return Deno.uid() === 0;
}

async function run(cmd: string, args: string[], opts: { asPostgres?: boolean } = {}) {
  const [bin, argv] = opts.asPostgres && isRoot()
    ? ["runuser", ["-u", "postgres", "--", cmd, ...args]]
    : [cmd, args];
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(bin, { args: argv, stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new LocalDbError(`Cannot run ${cmd}: not installed (run ./crm start to install it)`);
    }
    throw e;
  }
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function onPath(cmd: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(join(dir, cmd)).isFile) return true;
    } catch { /* not there */ }
  }
  return false;
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * The Debian packages the local stack needs that are not installed (pgTAP's only with `tests`):
 * PostgreSQL 15 server, pg_cron, and for tests pgTAP and pg_prove.
 */
export function missingPackages(config: LocalConfig, options = { tests: false }): string[] {
  const version = /postgresql\/(\d+)\//.exec(config.pgBinDir)?.[1] ?? "15";
  const ext = `/usr/share/postgresql/${version}/extension`;
  const missing: string[] = [];
  if (!fileExists(join(config.pgBinDir, "initdb"))) missing.push(`postgresql-${version}`);
  if (!fileExists(join(ext, "pg_cron.control"))) missing.push(`postgresql-${version}-cron`);
  if (options.tests) {
    if (!fileExists(join(ext, "pgtap.control"))) missing.push(`postgresql-${version}-pgtap`);
    if (!onPath("pg_prove")) missing.push("libtap-parser-sourcehandler-pgtap-perl");
  }
  return missing;
}

/** Throws one line naming the missing Debian packages and the command that installs them. */
export function requirePackages(config: LocalConfig, options = { tests: false }): void {
  const missing = missingPackages(config, options);
  if (missing.length) {
    throw new LocalDbError(
      `Cannot start the local database: missing Debian packages ${missing.join(", ")} ` +
        `(run ./crm start, or as root: apt-get install ${missing.join(" ")})`,
    );
  }
}

/** True when our cluster's server answers on its port. */
export async function isPostgresReady(config: LocalConfig): Promise<boolean> {
  const { code } = await run(join(config.pgBinDir, "pg_isready"), [
    "-h",
    "127.0.0.1",
    "-p",
    String(config.dbPort),
    "-q",
  ]);
  return code === 0;
}

/** Creates the cluster when it does not exist yet (initdb plus our settings). */
export async function ensureCluster(config: LocalConfig): Promise<boolean> {
  if (await exists(join(config.pgDataDir, "PG_VERSION"))) return false;
  if (!(await exists(join(config.pgBinDir, "initdb")))) {
    throw new LocalDbError(
      `Cannot create the local database: PostgreSQL 15 is not installed in ${config.pgBinDir} ` +
        "(run ./crm start, which installs postgresql-15, postgresql-15-cron and postgresql-15-pgtap)",
    );
  }
  await Deno.mkdir(config.pgDataDir, { recursive: true });
  await Deno.mkdir(config.pgRunDir, { recursive: true });
  if (isRoot()) {
    await run("chown", ["-R", "postgres:postgres", join(config.pgDataDir, ".."), config.pgRunDir]);
  }
  const init = await run(join(config.pgBinDir, "initdb"), [
    "-D",
    config.pgDataDir,
    "-U",
    "postgres",
    "--auth=trust",
    "--encoding=UTF8",
    "--no-locale",
  ], { asPostgres: true });
  if (init.code !== 0) throw new LocalDbError(`Cannot create the local database: ${init.text}`);
  const settings = [
    "",
    "# crm-intel local stack",
    `port = ${config.dbPort}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${config.pgRunDir}'`,
    "shared_preload_libraries = 'pg_cron'",
    "cron.database_name = 'postgres'",
    // Background workers spare pg_cron a libpq login over localhost.
    "cron.use_background_workers = on",
    "max_worker_processes = 32",
    "timezone = 'UTC'",
    "log_timezone = 'UTC'",
    // A disposable development cluster: durability traded for speed, never used for real data.
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    "max_connections = 200",
    "shared_buffers = 512MB",
    "work_mem = 32MB",
    "maintenance_work_mem = 256MB",
    "",
  ].join("\n");
  const conf = join(config.pgDataDir, "postgresql.conf");
  const current = await Deno.readTextFile(conf);
  await Deno.writeTextFile(conf, current + settings);
  return true;
}

/** Starts the cluster (creating it first if needed); a no-op when it already runs. */
export async function startPostgres(config: LocalConfig): Promise<{ started: boolean }> {
  requirePackages(config);
  const pidFile = join(config.pgDataDir, "postmaster.pid");
  if (await exists(pidFile) && await isPostgresReady(config)) return { started: false };
  if (!isPortFree(config.dbPort)) {
    throw new LocalDbError(
      `Cannot start the local database: port ${config.dbPort} is in use by another program ` +
        "(stop it, or set LOCAL_DB_PORT)",
    );
  }
  await ensureCluster(config);
  await Deno.mkdir(config.pgRunDir, { recursive: true });
  if (isRoot()) await run("chown", ["postgres:postgres", config.pgRunDir]);
  const res = await run(join(config.pgBinDir, "pg_ctl"), [
    "-D",
    config.pgDataDir,
    "-l",
    config.pgLogFile,
    // The configured port wins over the one written into postgresql.conf at initdb: a cluster
    // made on one LOCAL_DB_PORT starts on another.
    "-o",
    `-p ${config.dbPort}`,
    "-w",
    "-t",
    "60",
    "start",
  ], { asPostgres: true });
  if (res.code !== 0) {
    let log = "";
    try {
      log = (await Deno.readTextFile(config.pgLogFile)).split("\n").slice(-15).join("\n");
    } catch { /* no log yet */ }
    throw new LocalDbError(`Cannot start the local database: ${res.text}\n${log}`);
  }
  return { started: true };
}

/** Stops the cluster if it runs. */
export async function stopPostgres(config: LocalConfig): Promise<boolean> {
  if (!(await exists(join(config.pgDataDir, "postmaster.pid")))) return false;
  const res = await run(join(config.pgBinDir, "pg_ctl"), [
    "-D",
    config.pgDataDir,
    "-m",
    "fast",
    "-w",
    "stop",
  ], { asPostgres: true });
  if (res.code !== 0) throw new LocalDbError(`Cannot stop the local database: ${res.text}`);
  return true;
}

/** Restarts the running cluster the way an operator would (`pg_ctl restart -m fast`). */
export async function restartPostgres(config: LocalConfig): Promise<void> {
  const res = await run(join(config.pgBinDir, "pg_ctl"), [
    "-D",
    config.pgDataDir,
    "-l",
    config.pgLogFile,
    "-m",
    "fast",
    "-o",
    `-p ${config.dbPort}`,
    "-w",
    "restart",
  ], { asPostgres: true });
  if (res.code !== 0) throw new LocalDbError(`Cannot restart the local database: ${res.text}`);
}

/** Deletes the cluster's files (the database is recreated from scratch on the next start). */
export async function destroyCluster(config: LocalConfig): Promise<void> {
  await stopPostgres(config);
  await Deno.remove(join(config.pgDataDir, ".."), { recursive: true }).catch(() => {});
}
