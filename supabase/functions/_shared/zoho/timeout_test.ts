import assert from "node:assert/strict";
import { withDeadline } from "./timeout.ts";

// Deno.test's sanitizers fail a test that leaves a timer running: the deadline's timer is
// cleared when the exchange settles, whichever way it settles.
Deno.test("withDeadline: a settled exchange leaves no timer and no abort", async () => {
  let seen: AbortSignal | undefined;
  const out = await withDeadline(60_000, (signal) => {
    seen = signal;
    return Promise.resolve(42);
  });
  assert.equal(out, 42);
  assert.equal(seen?.aborted, false);
  await assert.rejects(
    () => withDeadline(60_000, () => Promise.reject(new Error("refused"))),
    /refused/,
  );
});

Deno.test("withDeadline: an exchange past its deadline is aborted with a TimeoutError", async () => {
  const error = await withDeadline(20, (signal) =>
    new Promise<unknown>((_resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    })).catch((e) => e);
  assert.equal((error as DOMException).name, "TimeoutError");
});
