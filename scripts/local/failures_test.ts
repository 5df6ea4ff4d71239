/** Foreseeable failures end in one line naming the missing piece and the command that fixes it. */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadLocalConfig } from "./config.ts";
import { missingPackages, requirePackages } from "./postgres.ts";

Deno.test("missing Debian packages are named with the command that installs them", () => {
  const config = loadLocalConfig({ PG_BIN_DIR: "/nonexistent/postgresql/15/bin" });
  assert.ok(missingPackages(config).includes("postgresql-15"));
  assert.throws(
    () => requirePackages(config),
    (e: Error) =>
      !e.message.includes("\n") && /missing Debian packages postgresql-15\b/.test(e.message) &&
      /apt-get install postgresql-15\b/.test(e.message),
  );
  const installed = loadLocalConfig({});
  assert.deepEqual(missingPackages(installed, { tests: true }), [], "this machine has them all");
});

Deno.test("deno task bench with its database port taken prints one line and exits 1", async () => {
  const held = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (held.addr as Deno.NetAddr).port;
  const dir = await Deno.makeTempDir({ prefix: "crm-nopg-" });
  try {
    const env = { ...Deno.env.toObject(), LOCAL_DB_PORT: String(port), LOCAL_PG_DIR: dir };
    delete (env as Record<string, string | undefined>).SUPABASE_DB_URL;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", fileURLToPath(new URL("../bench/main.ts", import.meta.url)), "sync"],
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trim();
    assert.equal(out.code, 1);
    assert.equal(
      err,
      `Cannot run the benchmark: Cannot start the local database: port ${port} is in use by ` +
        "another program (stop it, or set LOCAL_DB_PORT)",
    );
  } finally {
    held.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
