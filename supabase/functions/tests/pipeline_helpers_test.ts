/** The pipeline test helpers surface the real error, not a time-out. */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { waitForRun } from "./_pipeline.ts";

const RUN = "00000000-0000-4000-8000-000000000001";

/** A stand-in for postgres.js whose every query fails with `message` (no database needed). */
function failingSql(message: string, calls: string[]): postgres.Sql {
  return ((strings: TemplateStringsArray) => {
    calls.push(strings.join("?"));
    return Promise.reject(new Error(message));
  }) as unknown as postgres.Sql;
}

Deno.test("waitForRun() throws the watchdog's error at once, not a time-out", async () => {
  const calls: string[] = [];
  const sql = failingSql("function pipeline.tick() does not exist", calls);
  const started = Date.now();
  await assert.rejects(
    waitForRun(sql, RUN, { tick: true, timeoutMs: 30_000 }),
    /function pipeline\.tick\(\) does not exist/,
  );
  assert.ok(Date.now() - started < 5_000, "no waiting for the deadline");
  assert.equal(calls.length, 1);
  assert.match(calls[0]!, /pipeline\.tick/);
});

Deno.test("waitForRun() throws runStatus's error at once, not a time-out", async () => {
  const sql = failingSql("permission denied for schema pipeline", []);
  await assert.rejects(
    waitForRun(sql, RUN, { timeoutMs: 30_000 }),
    /permission denied for schema pipeline/,
  );
});
