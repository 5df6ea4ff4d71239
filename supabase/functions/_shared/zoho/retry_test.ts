import assert from "node:assert/strict";
import { ZohoApiError } from "./errors.ts";
import { decideRetry, DEFAULT_RETRY, withRetry } from "./retry.ts";

const err = (status: number, code = "X") =>
  new ZohoApiError({ status, method: "GET", path: "/crm/v7/Leads", code });

Deno.test("decideRetry() retries 429, 5xx and network errors, not 4xx", () => {
  const max = () => 1;
  assert.equal(
    decideRetry(err(429, "TOO_MANY_REQUESTS"), 1, { options: DEFAULT_RETRY, random: max }).retry,
    true,
  );
  assert.equal(
    decideRetry(err(500, "INTERNAL_ERROR"), 1, { options: DEFAULT_RETRY, random: max }).retry,
    true,
  );
  assert.equal(
    decideRetry(err(0, "NETWORK"), 1, { options: DEFAULT_RETRY, random: max }).retry,
    true,
  );
  assert.equal(
    decideRetry(new TypeError("connection reset"), 1, { options: DEFAULT_RETRY, random: max })
      .retry,
    true,
  );
  assert.equal(decideRetry(err(400, "INVALID_DATA"), 1).retry, false);
  assert.equal(decideRetry(err(401, "INVALID_TOKEN"), 1).retry, false);
  assert.equal(decideRetry(new Error("bug"), 1).retry, false);
});

Deno.test("decideRetry() backs off exponentially with jitter under a cap", () => {
  const top = (attempt: number, e = err(500)) => {
    const d = decideRetry(e, attempt, { options: DEFAULT_RETRY, random: () => 1 });
    return d.retry ? d.delayMs : -1;
  };
  assert.equal(top(1), 250);
  assert.equal(top(2), 500);
  assert.equal(top(3), 1000);
  assert.equal(top(7), 16_000);
  assert.equal(top(1, err(429)), 1000);
  assert.equal(top(6, err(429)), 20_000, "capped");
  const low = decideRetry(err(500), 3, { options: DEFAULT_RETRY, random: () => 0 });
  assert.deepEqual(low, { retry: true, delayMs: 125 });
  assert.deepEqual(decideRetry(err(500), DEFAULT_RETRY.maxAttempts), { retry: false });
});

Deno.test("withRetry() retries 500 then succeeds, sleeping through the injected sleep", async () => {
  const slept: number[] = [];
  let calls = 0;
  const value = await withRetry(() => {
    calls++;
    if (calls < 3) throw err(500);
    return Promise.resolve("ok");
  }, { sleep: (ms) => (slept.push(ms), Promise.resolve()), random: () => 0.5 });
  assert.equal(value, "ok");
  assert.equal(calls, 3);
  assert.equal(slept.length, 2);
});

Deno.test("withRetry() rethrows a non-retryable error at once", async () => {
  let calls = 0;
  await assert.rejects(
    withRetry(() => {
      calls++;
      throw err(400, "INVALID_DATA");
    }, { sleep: () => Promise.resolve() }),
    /400 INVALID_DATA/,
  );
  assert.equal(calls, 1);
});
