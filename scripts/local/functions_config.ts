/**
 * Reads the `[functions.<name>]` tables of supabase/config.toml: which functions exist and
 * whether the gateway verifies their JWT. A small reader for the flat TOML the CLI writes
 * (tables, and string/boolean/number values); JSR's TOML parser cannot be fetched here.
 */

/** One function as config.toml declares it. */
export interface FunctionSpec {
  name: string;
  enabled: boolean;
  verifyJwt: boolean;
  entrypoint: string;
  /** config.toml's `import_map` (relative to supabase/), when set. */
  importMap?: string;
}

function parseValue(raw: string, where: string): string | boolean | number {
  const value = raw.replace(/\s+#.*$/, "").trim();
  if (value === "true") return true;
  if (value === "false") return false;
  if (/^".*"$/.test(value)) return JSON.parse(value);
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  throw new Error(`Cannot read supabase/config.toml: unsupported value at ${where}: ${value}`);
}

/** Parses the function tables out of config.toml text. */
export function parseFunctions(text: string): FunctionSpec[] {
  const specs = new Map<string, FunctionSpec>();
  let current: FunctionSpec | undefined;
  text.split("\n").forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const table = /^\[(.+)\]$/.exec(trimmed);
    if (table) {
      const name = /^functions\.([A-Za-z][A-Za-z0-9_-]*)$/.exec(table[1]!.trim())?.[1];
      current = undefined;
      if (name) {
        current = {
          name,
          enabled: true,
          verifyJwt: true, // Supabase's default
          entrypoint: `./functions/${name}/index.ts`,
        };
        specs.set(name, current);
      }
      return;
    }
    const kv = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$/.exec(trimmed);
    if (!kv || !current) return;
    const value = parseValue(kv[2]!, `line ${i + 1}`);
    if (kv[1] === "verify_jwt" && typeof value === "boolean") current.verifyJwt = value;
    if (kv[1] === "enabled" && typeof value === "boolean") current.enabled = value;
    if (kv[1] === "entrypoint" && typeof value === "string") current.entrypoint = value;
    if (kv[1] === "import_map" && typeof value === "string") current.importMap = value;
  });
  return [...specs.values()];
}

/** Reads supabase/config.toml from the project. */
export async function readFunctions(configPath: string): Promise<FunctionSpec[]> {
  return parseFunctions(await Deno.readTextFile(configPath));
}
