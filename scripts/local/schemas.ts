/**
 * The declarative schema files (`supabase/schemas/`, Supabase's declarative schemas) in the order
 * `[db.migrations] schema_paths` of supabase/config.toml lists them, as the Supabase CLI reads
 * them: each entry a file or a `*` glob relative to supabase/, a glob's matches in lexical order,
 * a file listed twice applied once. A .sql file under schemas/ that no entry lists is an error, so
 * a new area cannot be silently left out of the build.
 */
import { join, relative } from "node:path";
import type postgres from "postgres";

/** A schema file the config lists, or a config the runner cannot accept. */
export class SchemaPathsError extends Error {
  override name = "SchemaPathsError";
}

/** Reads the `schema_paths` array of the `[db.migrations]` table out of config.toml text. */
export function parseSchemaPaths(text: string): string[] {
  const table = /^\[db\.migrations\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text)?.[1] ?? "";
  const array = /^\s*schema_paths\s*=\s*\[([\s\S]*?)\]/m.exec(table)?.[1];
  if (array === undefined) {
    throw new SchemaPathsError(
      "Cannot read supabase/config.toml: [db.migrations] has no schema_paths array",
    );
  }
  const body = array.split("\n").map((l) => l.replace(/#.*$/, "")).join("\n");
  return [...body.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*");
  return new RegExp(`^${escaped}$`);
}

async function sqlFilesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) found.push(...await sqlFilesUnder(path));
    else if (entry.isFile && entry.name.endsWith(".sql")) found.push(path);
  }
  return found;
}

/**
 * The schema files of a Supabase folder (the one holding config.toml) in apply order, as paths
 * relative to it (`schemas/zoho/raw_store.sql`).
 */
export async function listSchemaFiles(supabaseDir: string): Promise<string[]> {
  const patterns = parseSchemaPaths(await Deno.readTextFile(join(supabaseDir, "config.toml")));
  const all = (await sqlFilesUnder(join(supabaseDir, "schemas")))
    .map((p) => relative(supabaseDir, p)).sort();
  const ordered: string[] = [];
  for (const pattern of patterns) {
    const re = globToRegExp(pattern.replace(/^\.\//, ""));
    const hits = all.filter((f) => re.test(f));
    if (hits.length === 0) {
      throw new SchemaPathsError(
        `Cannot read schema_paths: ${pattern} matches no file under supabase/schemas`,
      );
    }
    for (const f of hits) if (!ordered.includes(f)) ordered.push(f);
  }
  const unlisted = all.filter((f) => !ordered.includes(f));
  if (unlisted.length) {
    throw new SchemaPathsError(
      `Cannot read schema_paths: ${unlisted.join(", ")} not listed in [db.migrations] ` +
        "schema_paths of supabase/config.toml (add it where its dependencies are already defined)",
    );
  }
  return ordered;
}

/** Applies every schema file in order, each in its own transaction; names the file that fails. */
export async function applySchemas(sql: postgres.Sql, supabaseDir: string): Promise<string[]> {
  const files = await listSchemaFiles(supabaseDir);
  for (const file of files) {
    const text = await Deno.readTextFile(join(supabaseDir, file));
    try {
      // The files are ours (from the repo), never outside input: unsafe() runs each as a script.
      await sql.begin((tx) => tx.unsafe(text));
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      throw new SchemaPathsError(`Cannot apply ${file}: ${detail}`);
    }
  }
  return files;
}
