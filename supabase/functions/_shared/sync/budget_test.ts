import assert from "node:assert/strict";
import { CPU_STOP_SHARE, processCpuMs, sliceBudget } from "./budget.ts";

Deno.test("a slice budget is spent by wall clock or by CPU, whichever comes first", () => {
  let [t, c] = [1_000, 50];
  const budget = sliceBudget({ deadline: 2_000, cpuMs: 1_000, now: () => t, cpu: () => c });
  assert.equal(budget.spent(), false);
  c += 1_000 * CPU_STOP_SHARE - 1;
  assert.equal(budget.spent(), false);
  c += 1;
  assert.equal(budget.spent(), true, "CPU share used up");
  assert.equal(budget.cpuUsedMs(), 1_000 * CPU_STOP_SHARE);
  c = 50;
  t = 2_000;
  assert.equal(budget.spent(), true, "wall clock deadline");
});

Deno.test("processCpuMs() counts this process's CPU time", () => {
  const before = processCpuMs();
  let x = 0;
  const until = performance.now() + 60;
  while (performance.now() < until) x += Math.sqrt(x + 1);
  const used = processCpuMs() - before;
  assert.ok(used >= 30 && used < 1_000, `busy 60 ms used ${used} ms CPU (${x > 0})`);
});
