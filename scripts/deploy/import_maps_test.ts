/**
 * Every function of config.toml resolves and bundles the way `supabase functions deploy` would
 * see it: from its own folder, with only its own import map (no root deno.json, no lock file),
 * and its bundle stays under the 20 MB limit of hosted Edge Functions. Prints each size.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { ROOT } from "../local/config.ts";
import { readFunctions } from "../local/functions_config.ts";
import {
  CONFIG_TOML,
  importMapFor,
  importMapSetting,
  importMapText,
  rootImports,
  withImportMapSettings,
} from "./import_maps.ts";

const LIMIT_BYTES = 20 * 1024 * 1024;
const FIX = "run deno task deploy-config";

async function deno(args: string[], cwd: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { ok: out.success, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("each function's import map is generated from the root deno.json and set in config.toml", async () => {
  const functions = await readFunctions(CONFIG_TOML);
  assert.ok(functions.length >= 2, "functions are read from config.toml");
  const toml = await Deno.readTextFile(CONFIG_TOML);
  assert.equal(withImportMapSettings(toml), toml, `config.toml lacks import_map settings: ${FIX}`);
  const imports = await rootImports();
  for (const spec of functions) {
    assert.equal(spec.importMap, importMapSetting(spec), `${spec.name}: import_map: ${FIX}`);
    const path = join(ROOT, "supabase", spec.importMap!);
    const text = await Deno.readTextFile(path).catch(() => "(missing)");
    assert.equal(text, importMapText(importMapFor(imports, spec.entrypoint)), `${path}: ${FIX}`);
  }
});

Deno.test("import maps rewrite local targets against the function's folder", () => {
  const map = importMapFor(
    { a: "npm:a@1", b: "./supabase/functions/_shared/vendor/b/index.js", "c/": "./lib/c/" },
    "./functions/f/index.ts",
  );
  assert.deepEqual(map.imports, {
    a: "npm:a@1",
    b: "../_shared/vendor/b/index.js",
    "c/": "../../../lib/c/",
  });
  const toml = '[functions.f]\nentrypoint = "./functions/f/index.ts"\n\n# next\n[api]\n';
  assert.equal(
    withImportMapSettings(toml),
    '[functions.f]\nentrypoint = "./functions/f/index.ts"\nimport_map = ' +
      '"./functions/f/import_map.json"\n\n# next\n[api]\n',
  );
});

Deno.test("each function's whole module graph resolves without the root deno.json and bundles under 20 MB", async () => {
  // A copy of supabase/ alone: nothing above it carries a deno.json or a lock file.
  const tmp = await Deno.makeTempDir({ prefix: "crm-deploy-" });
  try {
    await new Deno.Command("cp", { args: ["-r", join(ROOT, "supabase"), tmp] }).output();
    const functions = await readFunctions(join(tmp, "supabase/config.toml"));
    const lines: string[] = [];
    for (const spec of functions.filter((f) => f.enabled)) {
      const entry = join(tmp, "supabase", spec.entrypoint);
      const cwd = dirname(entry);
      const map = join(tmp, "supabase", spec.importMap ?? importMapSetting(spec));
      const common = ["--no-config", "--no-lock", "--import-map", map];
      const info = await deno(["info", "--json", ...common, entry], cwd);
      assert.ok(info.ok, `${spec.name}: the module graph does not resolve: ${info.stderr}`);
      const graph = JSON.parse(info.stdout) as {
        modules: { specifier: string; error?: string }[];
        npmPackages?: Record<string, unknown>;
      };
      const broken = graph.modules.filter((m) => m.error);
      assert.deepEqual(broken.map((m) => `${m.specifier}: ${m.error}`), [], spec.name);
      const out = join(tmp, `${spec.name}.bundle.js`);
      const bundle = await deno(
        ["bundle", ...common, "--platform", "deno", "-o", out, entry],
        cwd,
      );
      assert.ok(bundle.ok, `${spec.name}: cannot bundle: ${bundle.stderr}`);
      const size = (await Deno.stat(out)).size;
      const npm = Object.keys(graph.npmPackages ?? {}).map((p) => p.replace(/_.*$/, ""));
      lines.push(
        `${spec.name}: ${graph.modules.length} local modules, npm ${
          [...new Set(npm)].join(" ") || "none"
        }; bundle ${(size / 1024 / 1024).toFixed(2)} MB`,
      );
      assert.ok(size < LIMIT_BYTES, `${spec.name}: bundle of ${size} bytes exceeds 20 MB`);
    }
    console.log(lines.join("\n"));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
