import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./config.ts";
import { parseFunctions, readFunctions } from "./functions_config.ts";

Deno.test("parseFunctions() reads function tables with Supabase's defaults", () => {
  const specs = parseFunctions(`
project_id = "x"
[api]
port = 54321
[functions.a-b]
verify_jwt = false # Twilio cannot sign JWTs
[functions.c]
enabled = false
entrypoint = "./functions/c/main.ts"
`);
  assert.deepEqual(specs, [
    { name: "a-b", enabled: true, verifyJwt: false, entrypoint: "./functions/a-b/index.ts" },
    { name: "c", enabled: false, verifyJwt: true, entrypoint: "./functions/c/main.ts" },
  ]);
});

Deno.test("supabase/config.toml declares every function folder, each with app.ts and index.ts", async () => {
  const specs = await readFunctions(join(ROOT, "supabase/config.toml"));
  const folders: string[] = [];
  for await (const e of Deno.readDir(join(ROOT, "supabase/functions"))) {
    if (e.isDirectory && !e.name.startsWith("_") && e.name !== "tests") folders.push(e.name);
  }
  assert.deepEqual(specs.map((s) => s.name).sort(), folders.sort());
  for (const name of folders) {
    await Deno.stat(join(ROOT, "supabase/functions", name, "index.ts"));
    await Deno.stat(join(ROOT, "supabase/functions", name, "app.ts"));
  }
  const webhook = specs.find((s) => s.name === "whatsapp-webhook");
  assert.equal(webhook?.verifyJwt, false, "Twilio cannot send a JWT");
  assert.equal(specs.find((s) => s.name === "zoho-sync")?.verifyJwt, true);
});
