import assert from "node:assert/strict";
import { grouped, groupedPer } from "./group.ts";

/** A runner that records its groups and answers after the test lets it. */
function recorder(fail?: (item: number) => boolean) {
  const groups: number[][] = [];
  const gates: (() => void)[] = [];
  const run = async (items: number[]) => {
    groups.push(items);
    await new Promise<void>((r) => gates.push(r));
    if (fail && items.some(fail)) throw new Error(`bad item in [${items}]`);
    return items.map((i) => i * 10);
  };
  const open = () => gates.splice(0).forEach((g) => g());
  return { groups, run, open };
}

/** Opens gates until every promise settled. */
async function settle<T>(promises: Promise<T>[], open: () => void) {
  const all = Promise.allSettled(promises);
  let done = false;
  all.then(() => done = true);
  while (!done) {
    open();
    await new Promise((r) => setTimeout(r, 0));
  }
  return await all;
}

Deno.test("a call alone runs at once; calls during a run form the next group", async () => {
  const r = recorder();
  const add = grouped(r.run);
  const first = add(1);
  assert.deepEqual(r.groups, [[1]], "the first call does not wait for company");
  const rest = [2, 3, 4].map((i) => add(i));
  assert.deepEqual(r.groups.length, 1, "later calls wait for the running statement");
  const results = await settle([first, ...rest], r.open);
  assert.deepEqual(r.groups, [[1], [2, 3, 4]]);
  assert.deepEqual(results.map((x) => x.status === "fulfilled" && x.value), [10, 20, 30, 40]);
});

Deno.test("groups are capped at maxGroup", async () => {
  const r = recorder();
  const add = grouped(r.run, { maxGroup: 2 });
  const calls = [1, 2, 3, 4, 5].map((i) => add(i));
  await settle(calls, r.open);
  assert.deepEqual(r.groups, [[1], [2, 3], [4, 5]]);
});

Deno.test("a failing group is retried item by item: only the bad item fails", async () => {
  const r = recorder((i) => i === 3);
  const add = grouped(r.run);
  const calls = [1, 2, 3, 4].map((i) => add(i));
  const results = await settle(calls, r.open);
  assert.deepEqual(r.groups, [[1], [2, 3, 4], [2], [3], [4]]);
  assert.deepEqual(results.map((x) => x.status), [
    "fulfilled",
    "fulfilled",
    "rejected",
    "fulfilled",
  ]);
});

Deno.test("an error that forbids retrying fails the whole group, nothing run twice", async () => {
  const r = recorder((i) => i === 3);
  const add = grouped(r.run, { retryAlone: () => false });
  const calls = [1, 2, 3, 4].map((i) => add(i));
  const results = await settle(calls, r.open);
  assert.deepEqual(r.groups, [[1], [2, 3, 4]]);
  assert.deepEqual(results.map((x) => x.status), ["fulfilled", "rejected", "rejected", "rejected"]);
});

Deno.test("a runner giving the wrong number of results is an error, not a misdelivery", async () => {
  const add = grouped((items: number[]) => Promise.resolve(items.slice(1)));
  await assert.rejects(add(1), { message: "A group of 1 gave 0 results" });
});

Deno.test("the queue keeps working after a failure", async () => {
  let fail = true;
  const add = grouped((items: number[]) =>
    fail ? Promise.reject(new Error("down")) : Promise.resolve(items)
  );
  await assert.rejects(add(1), { message: "down" });
  fail = false;
  assert.deepEqual(await add(2), 2);
});

Deno.test("groupedPer keeps one queue per key", async () => {
  const seen: string[] = [];
  const add = groupedPer((key: { name: string }) => (items: number[]) => {
    seen.push(`${key.name}:${items}`);
    return Promise.resolve(items);
  });
  const a = { name: "a" };
  const b = { name: "b" };
  assert.deepEqual(await Promise.all([add(a, 1), add(b, 2)]), [1, 2]);
  assert.deepEqual(seen, ["a:1", "b:2"]);
});
