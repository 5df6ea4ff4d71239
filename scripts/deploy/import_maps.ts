/**
 * Each function's import map, as `supabase functions deploy` reads it: the root deno.json's
 * `imports` is the single source of truth; this writes `supabase/functions/<name>/import_map.json`
 * for every function of config.toml (relative targets rewritten against the function's folder)
 * and points config.toml's `import_map` at it. A file named deno.json would do as well for the
 * CLI, but Deno would then treat each function folder as a project of its own (its own fmt, lint,
 * compiler options and lock file); an import map changes nothing for local tooling.
 *
 * `deno task deploy-config` writes them; `import_maps_test.ts` fails when one is missing or stale.
 */
import { dirname, join, relative } from "node:path";
import { ROOT } from "../local/config.ts";
import { type FunctionSpec, parseFunctions } from "../local/functions_config.ts";

export const CONFIG_TOML = join(ROOT, "supabase/config.toml");
const SUPABASE_DIR = join(ROOT, "supabase");

/** Where config.toml should point a function's import map (relative to supabase/). */
export function importMapSetting(spec: FunctionSpec): string {
  return `./${join(dirname(spec.entrypoint), "import_map.json")}`;
}

/** The root deno.json's imports. */
export async function rootImports(): Promise<Record<string, string>> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  return config.imports ?? {};
}

/** The import map of a function whose entrypoint is `entrypoint` (relative to supabase/). */
export function importMapFor(imports: Record<string, string>, entrypoint: string) {
  const dir = dirname(join(SUPABASE_DIR, entrypoint));
  const out: Record<string, string> = {};
  for (const [key, target] of Object.entries(imports)) {
    if (target.startsWith("./") || target.startsWith("../")) {
      let rel = relative(dir, join(ROOT, target));
      if (!rel.startsWith(".")) rel = `./${rel}`;
      out[key] = target.endsWith("/") && !rel.endsWith("/") ? `${rel}/` : rel;
    } else out[key] = target;
  }
  return { imports: out };
}

/** The text of an import map file (formatted as `deno fmt` leaves it). */
export function importMapText(map: { imports: Record<string, string> }): string {
  return JSON.stringify(map, null, 2) + "\n";
}

/** config.toml with `import_map` set for every function table that lacks it. */
export function withImportMapSettings(toml: string): string {
  const specs = new Map(parseFunctions(toml).map((s) => [s.name, s]));
  const lines = toml.split("\n");
  const out: string[] = [];
  let current: FunctionSpec | undefined;
  const close = () => {
    if (current && !current.importMap) {
      let at = out.length;
      while (at > 0 && (out[at - 1]!.trim() === "" || out[at - 1]!.trim().startsWith("#"))) at--;
      out.splice(at, 0, `import_map = "${importMapSetting(current)}"`);
    }
  };
  for (const line of lines) {
    const table = /^\s*\[(.+)\]\s*$/.exec(line);
    if (table) {
      close();
      current = specs.get(/^functions\.(.+)$/.exec(table[1]!.trim())?.[1] ?? "");
    }
    out.push(line);
  }
  close();
  return out.join("\n");
}

/** Writes every function's import map and the config.toml settings; returns what changed. */
export async function writeImportMaps(): Promise<string[]> {
  const changed: string[] = [];
  const toml = await Deno.readTextFile(CONFIG_TOML);
  const updated = withImportMapSettings(toml);
  if (updated !== toml) {
    await Deno.writeTextFile(CONFIG_TOML, updated);
    changed.push("supabase/config.toml");
  }
  const imports = await rootImports();
  for (const spec of parseFunctions(updated)) {
    const path = join(SUPABASE_DIR, spec.importMap ?? importMapSetting(spec));
    const text = importMapText(importMapFor(imports, spec.entrypoint));
    const current = await Deno.readTextFile(path).catch(() => null);
    if (current !== text) {
      await Deno.writeTextFile(path, text);
      changed.push(relative(ROOT, path));
    }
  }
  return changed;
}

if (import.meta.main) {
  const changed = await writeImportMaps();
  console.log(changed.length ? `updated: ${changed.join(", ")}` : "import maps are up to date");
}
