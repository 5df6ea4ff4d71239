/**
 * Migration runner, the local counterpart of `supabase db push`: applies
 * `supabase/migrations/<14-digit version>_<name>.sql` in filename order, each once and each in its
 * own transaction, recording it in `supabase_migrations.schema_migrations` as the CLI does.
 */
import { join } from "node:path";
import type postgres from "postgres";

const MIGRATION_NAME = /^(\d{14})_([a-z0-9_]+)\.sql$/;

/** A migration that Postgres refused, or a file name the runner cannot accept. */
export class MigrationError extends Error {
  override name = "MigrationError";
  constructor(readonly file: string, message: string) {
    super(message);
  }
}

/** One migration file found on disk. */
export interface MigrationFile {
  version: string;
  name: string;
  file: string;
  path: string;
}

/** Lists the migrations in a folder in apply order; rejects malformed or duplicate versions. */
export async function listMigrations(dir: string): Promise<MigrationFile[]> {
  const files: MigrationFile[] = [];
  const seen = new Map<string, string>();
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".sql")) continue;
    const match = MIGRATION_NAME.exec(entry.name);
    if (!match) {
      throw new MigrationError(
        entry.name,
        `Cannot read migration ${entry.name}: name must be <14-digit timestamp>_<snake_case>.sql`,
      );
    }
    const [, version, name] = match as unknown as [string, string, string];
    const other = seen.get(version);
    if (other) {
      throw new MigrationError(
        entry.name,
        `Cannot read migration ${entry.name}: version ${version} is also used by ${other}`,
      );
    }
    seen.set(version, entry.name);
    files.push({ version, name, file: entry.name, path: join(dir, entry.name) });
  }
  return files.sort((a, b) => a.file.localeCompare(b.file));
}

/** What one run of the runner did. */
export interface MigrationReport {
  applied: string[];
  skipped: string[];
}

/** Applies every pending migration; stops at the first failure, leaving earlier ones applied. */
export async function applyMigrations(sql: postgres.Sql, dir: string): Promise<MigrationReport> {
  const files = await listMigrations(dir);
  await sql.unsafe(`
    create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (
      version text primary key,
      statements text[],
      name text,
      applied_at timestamptz not null default now()
    );
  `);
  const done = new Set(
    (await sql<{ version: string }[]>`select version from supabase_migrations.schema_migrations`)
      .map((r) => r.version),
  );
  // A database that recorded migrations the folder no longer holds (the first 18 were squashed
  // into 20261129000000_baseline) cannot be brought forward file by file: the baseline would
  // re-create what exists. As `supabase db push` does, refuse and say what to do.
  const known = new Set(files.map((f) => f.version));
  const missing = [...done].filter((v) => !known.has(v)).sort();
  if (missing.length) {
    throw new MigrationError(
      missing[0]!,
      `Cannot apply migrations: this database recorded ${missing.length} migration(s) that ` +
        `supabase/migrations no longer holds (${missing.slice(0, 3).join(", ")}` +
        `${missing.length > 3 ? ", ..." : ""}; squashed into a baseline?): recreate the local ` +
        "database with deno task reset",
    );
  }
  const report: MigrationReport = { applied: [], skipped: [] };
  for (const m of files) {
    if (done.has(m.version)) {
      report.skipped.push(m.file);
      continue;
    }
    const text = await Deno.readTextFile(m.path);
    try {
      await sql.begin(async (tx) => {
        // The file is ours (from the repo), never outside input: unsafe() runs it as a script.
        await tx.unsafe(text);
        await tx`
          insert into supabase_migrations.schema_migrations (version, statements, name)
          values (${m.version}, ${[text]}, ${m.name})`;
      });
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      throw new MigrationError(m.file, `Cannot apply migration ${m.file}: ${detail}`);
    }
    report.applied.push(m.file);
  }
  return report;
}

/** Applies the local stand-ins for hosted-only pieces (roles, pg_net, Vault); idempotent. */
export async function applyStandIns(sql: postgres.Sql, dir: string): Promise<void> {
  const files = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".sql"))
    .map((e) => e.name).sort();
  for (const file of files) {
    try {
      await sql.unsafe(await Deno.readTextFile(join(dir, file)));
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      throw new MigrationError(file, `Cannot apply local stand-in ${file}: ${detail}`);
    }
  }
}
