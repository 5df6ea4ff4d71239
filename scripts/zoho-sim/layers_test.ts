// The simulator's layers point one way: routes/ is a leaf (only the app and other routes import
// it), sim/ and store/ import nothing from routes/, and no import cycle exists (type-only imports
// count too: a cycle of types is still two modules that cannot be read apart).
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = dirname(fileURLToPath(import.meta.url));

/** Relative imports of every non-test module under `root`, as paths relative to it. */
export async function importGraph(root: string): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
        const text = await Deno.readTextFile(path);
        const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)]
          .map((m) => relative(root, join(dirname(path), m[1]!)));
        graph.set(relative(root, path), [...new Set(specs)]);
      }
    }
  };
  await walk(root);
  return graph;
}

/** One import cycle, as the list of modules along it, or null. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === "done") return null;
    if (state.get(node) === "open") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

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
