import assert from "node:assert/strict";
import type { RunStatus, StageStatus } from "../../supabase/functions/_shared/pipeline/runs.ts";
import { follow, formatCounts, stageLine } from "./progress.ts";

function stage(over: Partial<StageStatus>): StageStatus {
  return {
    stage: "sync",
    function: "zoho-sync",
    status: "pending",
    attempts: 0,
    max_attempts: 3,
    slices: 0,
    queued_at: null,
    started_at: null,
    finished_at: null,
    next_attempt_at: null,
    deadline_at: null,
    duration_ms: null,
    counts: {},
    result: null,
    error: null,
    ...over,
  };
}

function run(status: RunStatus["status"], stages: StageStatus[]): RunStatus {
  return {
    id: "r1",
    trigger: "cli",
    status,
    params: {},
    started_at: "2026-03-04T00:00:00Z",
    finished_at: null,
    error: null,
    duration_ms: 1500,
    stages,
  };
}

Deno.test("stageLine() shows state, time, retries, slices, counts and the error", () => {
  assert.equal(
    stageLine(stage({
      status: "succeeded",
      duration_ms: 5871,
      attempts: 1,
      slices: 4,
      counts: { fetched: 10267, deleted: 0, api_calls: 964 },
    })),
    "✓ sync     succeeded    5.9 s  4 slices  fetched 10,267 · api calls 964",
  );
  assert.equal(
    stageLine(stage({ status: "retrying", attempts: 2, error: "the function answered 500: x" })),
    "↻ sync     retrying   attempt 2/3  — the function answered 500: x",
  );
  assert.equal(formatCounts({ a_b: 0, note: "x" }), "");
});

Deno.test("follow() without a terminal prints each stage change once, then the run", async () => {
  const states = [
    run("running", [stage({ status: "queued", attempts: 1 }), stage({ stage: "metrics" })]),
    run("running", [stage({ status: "queued", attempts: 1 }), stage({ stage: "metrics" })]),
    run("succeeded", [
      stage({ status: "succeeded", attempts: 1, duration_ms: 1000 }),
      stage({ stage: "metrics", status: "succeeded", attempts: 1, duration_ms: 400 }),
    ]),
  ];
  let i = 0;
  let text = "";
  const final = await follow(() => Promise.resolve(states[Math.min(i++, 2)]!), {
    intervalMs: 0,
    tty: false,
    out: (t) => text += t,
  });
  assert.equal(final.status, "succeeded");
  assert.deepEqual(text.trimEnd().split("\n"), [
    "  … sync     queued   ",
    "  ✓ sync     succeeded    1.0 s",
    "  ✓ metrics  succeeded    0.4 s",
    "run r1 (cli) succeeded 1.5 s",
  ]);
});
