// The shared code's layers point one way: no import cycle between modules (type-only imports
// count too), and none between folders either: the folders of _shared (the root's modules as
// one folder, ".") form no cycle, so each can be read, changed and tested from its own imports
// down.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { findCycle, importGraph } from "../../../scripts/local/import_graph.ts";

const ROOT = dirname(fileURLToPath(import.meta.url));

Deno.test("_shared: no import cycle between modules", async () => {
  const graph = await importGraph(ROOT);
  // Only what is inside _shared (the vendored driver is one module seen from outside).
  const inside = new Map(
    [...graph].filter(([k]) => !k.startsWith("vendor/")).map((
      [k, v],
    ) => [k, v.filter((x) => !x.startsWith("..") && !x.startsWith("vendor/"))]),
  );
  assert.equal(findCycle(inside), null, `cycle: ${findCycle(inside)?.join(" → ")}`);
});

Deno.test("_shared: no import cycle between folders", async () => {
  const graph = await importGraph(ROOT);
  const folder = (path: string) => path.includes("/") ? path.slice(0, path.indexOf("/")) : ".";
  const folders = new Map<string, Set<string>>();
  for (const [from, tos] of graph) {
    if (from.startsWith("vendor/")) continue;
    const f = folder(from);
    const set = folders.get(f) ?? new Set<string>();
    folders.set(f, set);
    for (const to of tos) {
      if (to.startsWith("..") || to.startsWith("vendor/")) continue;
      if (folder(to) !== f) set.add(folder(to));
    }
  }
  const asGraph = new Map([...folders].map(([k, v]) => [k, [...v]]));
  const cycle = findCycle(asGraph);
  assert.equal(cycle, null, `folder cycle: ${cycle?.join(" → ")}`);
});
