import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { diffWithTruth, startHarness } from "./_zoho_sync.ts";

const BUDGET_MS = 400;

Deno.test("each zoho-sync slice stops within its CPU budget, and the slices add up to the truth", async () => {
  const h = await startHarness("zs_cpu", { size: { leads: 4000 } }, {
    ZOHO_CPU_BUDGET_MS: String(BUDGET_MS),
  });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", fileURLToPath(new URL("./_zoho_sync_cpu_child.ts", import.meta.url))],
      env: h.env,
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assert.ok(out.success, "the sync child finished");
    const slices = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) =>
      JSON.parse(l) as { status: string; cpuMs: number; reported: number }
    );
    console.log(`slices: ${slices.map((s) => `${s.status} ${s.cpuMs.toFixed(0)} ms`).join(", ")}`);
    assert.ok(slices.length >= 2, "the work did not fit one slice's CPU budget: it was cut");
    assert.equal(slices.at(-1)!.status, "done");
    for (const s of slices) {
      assert.ok(s.cpuMs <= BUDGET_MS, `slice used ${s.cpuMs.toFixed(0)} ms CPU > ${BUDGET_MS}`);
      assert.ok(s.reported <= s.cpuMs + 1, "the answer's cpu_ms is within the measured CPU");
    }
    const diff = await diffWithTruth(h.db.sql, h.sim, ["Leads"]);
    assert.deepEqual([diff.missing, diff.extra], [[], []]);
  } finally {
    await h.close();
  }
});
