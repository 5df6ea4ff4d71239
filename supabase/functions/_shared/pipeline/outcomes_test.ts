import assert from "node:assert/strict";
import type { SyncResult } from "../sync/engine.ts";
import { briefOutcome, metricsOutcome, pulseOutcome, syncOutcome } from "./outcomes.ts";

function module(name: string, status: "done" | "partial" | "failed", fetched: number) {
  return {
    module: name,
    status,
    pages: 1,
    fetched,
    inserted: 1,
    updated: 2,
    unchanged: fetched - 3,
    deleted: 0,
    restored: 0,
    errors: status === "failed" ? ["Cannot call Zoho: GET /crm/v7/Deals (500)"] : [],
    api_calls: 4,
  };
}

function slice(modules: ReturnType<typeof module>[], status: "done" | "partial"): SyncResult {
  return {
    run_id: "11111111-1111-4111-8111-111111111111",
    status,
    mode: "incremental",
    slice: 1,
    credits_used: 9,
    cpu_ms: 12,
    modules,
    skipped: [],
  };
}

Deno.test("syncOutcome() maps a slice to the pipeline's outcome and adds module counts", async (t) => {
  await t.step("every module done: succeeded, counts summed over modules", () => {
    const o = syncOutcome(slice([module("Leads", "done", 10), module("Deals", "done", 5)], "done"));
    assert.equal(o.outcome, "succeeded");
    assert.deepEqual(o.counts, {
      api_calls: 8,
      credits_used: 9,
      fetched: 15,
      inserted: 2,
      updated: 4,
      unchanged: 9,
      deleted: 0,
      restored: 0,
      new_or_changed: 6,
    });
    assert.equal(o.error, undefined);
  });
  await t.step("a module still reading: partial (the next slice follows)", () => {
    const o = syncOutcome(slice([module("Leads", "partial", 10)], "partial"));
    assert.equal(o.outcome, "partial");
  });
  await t.step("stopped by the daily credit cap: failed (retried later), not partial", () => {
    const o = syncOutcome({
      ...slice([module("Leads", "partial", 3)], "partial"),
      stopped_by: "credits",
    });
    assert.equal(o.outcome, "failed");
    assert.match(o.error!, /daily API credit allowance is spent/);
  });
  await t.step("a failed module: failed, naming the module and its error", () => {
    const o = syncOutcome(
      slice([module("Leads", "done", 1), module("Deals", "failed", 0)], "partial"),
    );
    assert.equal(o.outcome, "failed");
    assert.equal(o.error, "1 module(s) failed: Deals (Cannot call Zoho: GET /crm/v7/Deals (500))");
  });
});

Deno.test("metricsOutcome() reports the snapshot id and its fact count", () => {
  const o = metricsOutcome({ id: "s1", as_of: "2026-03-04", brief: { facts: [1, 2, 3] } });
  assert.deepEqual(o, {
    outcome: "succeeded",
    counts: { facts: 3 },
    result: { snapshot_id: "s1", as_of: "2026-03-04" },
  });
});

Deno.test("pulseOutcome() retries only messages left to retry; refusals are counted", () => {
  const base = { brief_id: "b1", queued: 2, sent: 1, skipped: 0, failed: 1, retry: 0 };
  assert.equal(pulseOutcome(base).outcome, "succeeded");
  assert.deepEqual(pulseOutcome(base).counts, {
    queued: 2,
    sent: 1,
    skipped: 0,
    failed: 1,
    retry: 0,
  });
  const later = pulseOutcome({ ...base, retry: 1 });
  assert.equal(later.outcome, "failed");
  assert.equal(later.error, "1 pulse message(s) wait for a retry");
});

Deno.test("briefOutcome() names the brief and its writer", () => {
  assert.deepEqual(
    briefOutcome({ id: "b1", model: "rules", attempts: 0, snapshot_id: "s1" }).result,
    { brief_id: "b1", model: "rules", snapshot_id: "s1" },
  );
});
