import assert from "node:assert/strict";
import { join } from "node:path";
import { generate, PATCH, transform, upstreamDir, VENDOR_DIR } from "./postgres.ts";

Deno.test("the vendored postgres.js is exactly upstream 3.4.9 plus the nextWrite fix", async () => {
  const files = await generate(await upstreamDir());
  for (const [path, text] of files) {
    const committed = await Deno.readTextFile(join(VENDOR_DIR, path));
    assert.ok(committed === text, `${path} differs: run deno run -A scripts/vendor/postgres.ts`);
  }
  const connection = files.get("src/connection.js")!;
  assert.match(
    connection,
    /if \(socket === null\) \{[^}]*error\(Errors\.connection\('CONNECTION_CLOSED'/,
  );
  assert.equal(connection.split("chunk = nextWriteTimer = null").length - 1, 4);
  assert.doesNotMatch(connection, /from '(net|tls|crypto|stream|perf_hooks)'/);
});

Deno.test("patching fails loudly when upstream no longer has the patched text", () => {
  assert.throws(() => transform("connection.js", "function nextWrite(fn) {}"), /Cannot patch/);
  assert.equal(PATCH.length, 3);
});
