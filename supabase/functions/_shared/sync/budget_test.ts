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

Deno.test("processCpuMs() counts this process's CPU time, not the wall clock", async () => {
  const before = processCpuMs();
  await new Promise((r) => setTimeout(r, 200)); // idle: wall clock moves, CPU barely
  const idle = processCpuMs() - before;
  assert.ok(idle < 100, `an idle 200 ms used ${idle} ms CPU`);
  // Busy until 30 ms of CPU are used (however loaded the machine is), within a generous timeout.
  const start = processCpuMs();
  const deadline = performance.now() + 10_000;
  let x = 0;
  while (processCpuMs() - start < 30 && performance.now() < deadline) {
    for (let i = 0; i < 100_000; i++) x += Math.sqrt(i + x);
  }
  assert.ok(processCpuMs() - start >= 30, `busy work registered as CPU (${x > 0})`);
});
