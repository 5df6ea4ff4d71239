import assert from "node:assert/strict";
import { CreditsExhaustedError } from "../zoho/limits.ts";
import { type ModuleOutcome, moduleStatus, queueStatus, sliceStatus } from "./status.ts";

const finished: ModuleOutcome = { readDone: true, fieldsChanged: false, deletionsChecked: true };

Deno.test("moduleStatus() decides done, partial or failed from the outcome", () => {
  const cases: [string, ModuleOutcome, ReturnType<typeof moduleStatus>][] = [
    ["read, fields and deletions done", finished, { status: "done" }],
    ["segments left", { ...finished, readDone: false }, { status: "partial" }],
    ["fields changed: a re-read is due", { ...finished, fieldsChanged: true }, {
      status: "partial",
    }],
    ["budget spent before deletions", { ...finished, deletionsChecked: false }, {
      status: "partial",
    }],
    ["an error", { ...finished, error: new Error("x") }, { status: "failed" }],
    ["the daily credit cap", { ...finished, error: new CreditsExhaustedError("spent") }, {
      status: "partial",
      stoppedBy: "credits",
    }],
  ];
  for (const [name, outcome, expected] of cases) {
    assert.deepEqual(moduleStatus(outcome), expected, name);
  }
});

Deno.test("sliceStatus() is done only when every module is; a failure marks the run", () => {
  assert.deepEqual(sliceStatus([{ status: "done" }, { status: "done" }]), {
    status: "done",
    run: "done",
  });
  assert.deepEqual(sliceStatus([{ status: "done" }, { status: "partial" }]), {
    status: "partial",
    run: "partial",
  });
  assert.deepEqual(sliceStatus([{ status: "failed" }, { status: "partial" }]), {
    status: "partial",
    run: "failed",
  });
  assert.deepEqual(sliceStatus([{ status: "partial", stoppedBy: "credits" }, { status: "done" }]), {
    status: "partial",
    run: "partial",
    stoppedBy: "credits",
  });
  assert.deepEqual(sliceStatus([]), { status: "done", run: "done" });
});

Deno.test("queueStatus() is done when the queue is empty or deferred to a later run", () => {
  const cases: [string, Parameters<typeof queueStatus>[0], ReturnType<typeof queueStatus>][] = [
    ["queue empty", { drained: true, deferred: false }, { status: "done" }],
    ["the day's share spent: the rest waits", { drained: false, deferred: true }, {
      status: "done",
    }],
    ["the slice's budget spent: call again", { drained: false, deferred: false }, {
      status: "partial",
    }],
    ["an error", { drained: false, deferred: false, error: new Error("x") }, { status: "failed" }],
    ["the daily credit cap", {
      drained: false,
      deferred: false,
      error: new CreditsExhaustedError("spent"),
    }, { status: "partial", stoppedBy: "credits" }],
  ];
  for (const [name, outcome, expected] of cases) {
    assert.deepEqual(queueStatus(outcome), expected, name);
  }
});
