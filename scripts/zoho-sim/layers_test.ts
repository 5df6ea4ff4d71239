// The simulator's layers point one way: routes/ is a leaf (only the app and other routes import
// it), sim/ and store/ import nothing from routes/, and no import cycle exists (type-only imports
// count too: a cycle of types is still two modules that cannot be read apart).
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { findCycle, importGraph } from "../local/import_graph.ts";
import { fileURLToPath } from "node:url";

const ROOT = dirname(fileURLToPath(import.meta.url));

Deno.test("findCycle() finds a cycle and accepts a tree", () => {
  assert.deepEqual(
    findCycle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]])),
    ["a", "b", "c", "a"],
  );
  assert.equal(findCycle(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]])), null);
});

Deno.test("zoho-sim layers point one way", async (t) => {
  const graph = await importGraph(ROOT);
  assert.ok(graph.size > 40, `read ${graph.size} modules`);

  await t.step("no import cycle", () => {
    assert.equal(findCycle(graph)?.join(" -> ") ?? null, null);
  });

  await t.step("routes/ is a leaf: only app.ts and routes/ import it", () => {
    const wrong = [...graph].flatMap(([from, to]) =>
      to.filter((m) => m.startsWith("routes/") && from !== "app.ts" && !from.startsWith("routes/"))
        .map((m) => `${from} -> ${m}`)
    );
    assert.deepEqual(wrong, []);
  });

  await t.step("sim/, store/, query/ and dataset/ import nothing from routes/", () => {
    const wrong = [...graph].flatMap(([from, to]) =>
      /^(sim|store|query|dataset)\//.test(from)
        ? to.filter((m) => m.startsWith("routes/")).map((m) => `${from} -> ${m}`)
        : []
    );
    assert.deepEqual(wrong, []);
  });
});
